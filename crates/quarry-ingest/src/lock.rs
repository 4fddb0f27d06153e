//! One `quarry serve` per table stream: an exclusive lock held for the process's life. Two
//! servers on one lake would write interleaved numbers into one log and overwrite each
//! other's files. The lock file says who holds it, so the second one can say so.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Held locks; released when dropped (and by the OS when the process dies, kill -9 included).
#[derive(Debug)]
pub struct StreamLock {
    _files: Vec<File>,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{path} is locked by another quarry serve ({holder}); stop it first, or give this one another table"
    )]
    Held { path: PathBuf, holder: String },
    #[error("cannot lock {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl StreamLock {
    /// Takes every lock in `paths` (creating their folders), writing `holder` into each.
    pub fn acquire(paths: &[PathBuf], holder: &str) -> Result<Self, LockError> {
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            files.push(lock_one(path, holder)?);
        }
        Ok(Self { _files: files })
    }
}

fn lock_one(path: &Path, holder: &str) -> Result<File, LockError> {
    let io = |source| LockError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = fs::read_to_string(path)
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "holder unknown".to_owned());
            return Err(LockError::Held {
                path: path.to_path_buf(),
                holder,
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    file.write_all(holder.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_told_who_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/lock");
        let first =
            StreamLock::acquire(std::slice::from_ref(&path), "pid 1 on 127.0.0.1:8080").unwrap();
        let refused = StreamLock::acquire(std::slice::from_ref(&path), "pid 2")
            .unwrap_err()
            .to_string();
        assert!(refused.contains("pid 1 on 127.0.0.1:8080"), "{refused}");
        drop(first);
        StreamLock::acquire(&[path], "pid 3").unwrap();
    }
}

//! `config.toml` from the XDG config folder, and the default locations quarry uses.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cost::DEFAULT_PRICE_PER_TB_USD;

/// Settings a user may put in `config.toml`. Every field is optional.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Lake folder used when `--lake` is not given.
    pub lake: Option<PathBuf>,
    /// Rows kept for display; larger results are counted and reported, not kept.
    pub row_limit: usize,
    /// Athena's price per TB scanned, in USD.
    pub price_per_tb_usd: f64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            lake: None,
            row_limit: 1_000_000,
            price_per_tb_usd: DEFAULT_PRICE_PER_TB_USD,
        }
    }
}

/// A config file that cannot be used, named with its path and the parser's line and key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Loads `explicit` if given (it must exist), else the default file if it exists, else
    /// defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let (path, required) = match explicit {
            Some(path) => (path.to_path_buf(), true),
            None => match default_config_path() {
                Some(path) => (path, false),
                None => return Ok(Self::default()),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        Self::parse(&text).map_err(|message| ConfigError::Invalid { path, message })
    }

    /// Parses config text; the error names the line, column and key.
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Self =
            toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))?;
        if config.row_limit == 0 {
            return Err("row_limit must be at least 1".to_owned());
        }
        if !(config.price_per_tb_usd >= 0.0 && config.price_per_tb_usd.is_finite()) {
            return Err("price_per_tb_usd must be a number of dollars, 0 or more".to_owned());
        }
        Ok(config)
    }
}

/// `$XDG_CONFIG_HOME/quarry/config.toml`.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("quarry").join("config.toml"))
}

/// `$XDG_DATA_HOME/quarry`, where the demo lake, history and recovery files live.
pub fn data_dir() -> PathBuf {
    dirs::data_dir().map_or_else(|| PathBuf::from(".quarry"), |d| d.join("quarry"))
}

/// The demo lake generated on first run.
pub fn default_lake_dir() -> PathBuf {
    data_dir().join("demo-lake")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_gives_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn values_are_read() {
        let config =
            Config::parse("row_limit = 500\nprice_per_tb_usd = 6.25\nlake = \"/data/lake\"\n")
                .unwrap();
        assert_eq!(config.row_limit, 500);
        assert!((config.price_per_tb_usd - 6.25).abs() < f64::EPSILON);
        assert_eq!(config.lake, Some(PathBuf::from("/data/lake")));
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let err = Config::parse("row_limit = 5\nrow_limt = 7\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("row_limt"), "{err}");
        let err = Config::parse("row_limit = \"many\"\n").unwrap_err();
        assert!(err.contains("line 1") && err.contains("row_limit"), "{err}");
        assert!(Config::parse("row_limit = 0").is_err());
    }
}

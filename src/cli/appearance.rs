//! The TUI's look and keys from what `config.toml` says: the theme (a user theme file from the
//! config folder, a path, or a built-in one) and the default bindings with the `[keys]`
//! overrides applied. Errors name the file they come from.

use std::path::{Path, PathBuf};

use crate::app::bindings::{Binding, default_bindings, rebind};
use crate::config::{Config, themes_dir};
use crate::ui::theme::Theme;

/// The theme the config names, loaded.
pub fn theme(config: &Config) -> Result<Theme, String> {
    resolve_theme(&config.theme, themes_dir().as_deref()).map_err(|e| match &config.path {
        Some(path) => format!("{}: theme: {e}", path.display()),
        None => e,
    })
}

/// The default key bindings with the config's `[keys]` overrides applied.
pub fn bindings(config: &Config) -> Result<Vec<Binding>, String> {
    let overrides = config.key_overrides()?;
    rebind(default_bindings(), &overrides).map_err(|e| match &config.path {
        Some(path) => format!("{}: {e}", path.display()),
        None => e,
    })
}

/// The theme `name` names: a user theme `<themes_dir>/<name>.toml` (which may replace a
/// built-in one), a built-in theme, or a path to a theme file. Errors name the file.
fn resolve_theme(name: &str, themes_dir: Option<&Path>) -> Result<Theme, String> {
    let user = themes_dir.map(|dir| dir.join(format!("{name}.toml")));
    let path = match user.filter(|p| p.exists()) {
        Some(path) => Some(path),
        None if Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml")) =>
        {
            Some(PathBuf::from(name))
        }
        None => None,
    };
    if let Some(path) = path {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read theme {}: {e}", path.display()))?;
        return Theme::parse(&text).map_err(|e| format!("invalid theme {}: {e}", path.display()));
    }
    Theme::built_in(name).ok_or_else(|| {
        format!(
            "no theme named {name:?}: built in are {}, or put {name}.toml in {}",
            Theme::built_in_names().join(", "),
            themes_dir.map_or_else(
                || "the themes folder".to_owned(),
                |d| d.display().to_string()
            )
        )
    })
}

#[cfg(test)]
mod tests {
    use ratatui_core::style::Color;

    use super::*;

    #[test]
    fn user_themes_replace_built_ins_and_unknown_names_list_the_choices() {
        let dir = tempfile::tempdir().unwrap();
        let mine = crate::ui::theme::BUILT_IN[0]
            .1
            .replace("#5fafd7", "#123456");
        std::fs::write(dir.path().join("dark.toml"), mine).unwrap();
        let theme = resolve_theme("dark", Some(dir.path())).unwrap();
        assert_eq!(theme.border_focused.fg, Some(Color::Rgb(0x12, 0x34, 0x56)));
        assert_eq!(
            resolve_theme("light", Some(dir.path())).unwrap(),
            Theme::built_in("light").unwrap()
        );
        let err = resolve_theme("neon", Some(dir.path())).unwrap_err();
        assert!(
            err.contains("gruvbox") && err.contains("neon.toml"),
            "{err}"
        );
        std::fs::write(
            dir.path().join("bad.toml"),
            "name = \"bad\"\n[ui]\ntext = 1\n",
        )
        .unwrap();
        let err = resolve_theme("bad", Some(dir.path())).unwrap_err();
        assert!(err.contains("bad.toml") && err.contains("line"), "{err}");
    }
}

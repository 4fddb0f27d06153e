//! Colours from `themes/*.toml`. Built-in themes are embedded in the binary.

use std::str::FromStr;

use ratatui_core::style::{Color, Modifier, Style};
use serde::Deserialize;

/// Built-in themes: name and TOML text.
pub const BUILT_IN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("gruvbox", include_str!("../../themes/gruvbox.toml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[allow(dead_code)]
    name: String,
    ui: UiColors,
    sql: SqlColors,
    results: ResultColors,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UiColors {
    background: String,
    text: String,
    muted: String,
    border: String,
    border_focused: String,
    selection_bg: String,
    error: String,
    warning: String,
    success: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SqlColors {
    keyword: String,
    function: String,
    string: String,
    number: String,
    comment: String,
    operator: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultColors {
    null: String,
    number: String,
    header: String,
}

/// Ready-to-use styles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub text: Style,
    pub muted: Style,
    pub border: Style,
    pub border_focused: Style,
    pub selection: Style,
    pub error: Style,
    pub warning: Style,
    pub success: Style,
    pub keyword: Style,
    pub function: Style,
    pub string: Style,
    pub number: Style,
    pub comment: Style,
    pub operator: Style,
    pub null: Style,
    pub result_number: Style,
    pub header: Style,
}

impl Theme {
    /// Parses a theme file; the error names the line and key, or the colour that is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: ThemeFile =
            toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))?;
        let bg = color(&file.ui.background)?;
        let fg = |name: &str| -> Result<Style, String> { Ok(Style::new().fg(color(name)?).bg(bg)) };
        Ok(Self {
            text: fg(&file.ui.text)?,
            muted: fg(&file.ui.muted)?,
            border: fg(&file.ui.border)?,
            border_focused: fg(&file.ui.border_focused)?,
            selection: Style::new()
                .bg(color(&file.ui.selection_bg)?)
                .fg(color(&file.ui.text)?),
            error: fg(&file.ui.error)?,
            warning: fg(&file.ui.warning)?,
            success: fg(&file.ui.success)?,
            keyword: fg(&file.sql.keyword)?.add_modifier(Modifier::BOLD),
            function: fg(&file.sql.function)?,
            string: fg(&file.sql.string)?,
            number: fg(&file.sql.number)?,
            comment: fg(&file.sql.comment)?.add_modifier(Modifier::ITALIC),
            operator: fg(&file.sql.operator)?,
            null: fg(&file.results.null)?.add_modifier(Modifier::ITALIC),
            result_number: fg(&file.results.number)?,
            header: fg(&file.results.header)?.add_modifier(Modifier::BOLD),
        })
    }

    /// The built-in themes' names.
    pub fn built_in_names() -> Vec<&'static str> {
        BUILT_IN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in theme by name.
    pub fn built_in(name: &str) -> Option<Self> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, text)| Self::parse(text).ok())
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::built_in("dark").unwrap_or_else(|| Self {
            text: Style::new(),
            muted: Style::new().add_modifier(Modifier::DIM),
            border: Style::new(),
            border_focused: Style::new().add_modifier(Modifier::BOLD),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            error: Style::new().fg(Color::Red),
            warning: Style::new().fg(Color::Yellow),
            success: Style::new().fg(Color::Green),
            keyword: Style::new().add_modifier(Modifier::BOLD),
            function: Style::new(),
            string: Style::new(),
            number: Style::new(),
            comment: Style::new().add_modifier(Modifier::DIM),
            operator: Style::new(),
            null: Style::new().add_modifier(Modifier::DIM),
            result_number: Style::new(),
            header: Style::new().add_modifier(Modifier::BOLD),
        })
    }
}

fn color(name: &str) -> Result<Color, String> {
    Color::from_str(name)
        .map_err(|_| format!("{name:?} is not a colour (use a name like \"blue\" or \"#rrggbb\")"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse() {
        for (name, text) in BUILT_IN {
            assert!(
                Theme::parse(text).is_ok(),
                "theme {name}: {:?}",
                Theme::parse(text).err()
            );
        }
    }

    #[test]
    fn a_bad_colour_is_named() {
        let text = BUILT_IN[0].1.replace("#5fafd7", "blurple");
        assert!(Theme::parse(&text).unwrap_err().contains("blurple"));
    }
}

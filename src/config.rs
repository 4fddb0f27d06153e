//! `config.toml` from the XDG config folder, and the default locations quarry uses.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::app::keys::KeyPress;

use crate::cost::DEFAULT_PRICE_PER_TB_USD;

/// Settings a user may put in `config.toml`. Every field is optional.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Which source the TUI and `quarry query` use.
    pub source: SourceKind,
    /// Lake folder used when `--lake` is not given.
    pub lake: Option<PathBuf>,
    /// Rows kept for display; larger results are counted and reported, not kept.
    pub row_limit: usize,
    /// Athena's price per TB scanned, in USD.
    pub price_per_tb_usd: f64,
    /// Local engine: a query run again over exactly the same files (paths, sizes, times) is
    /// answered with its earlier rows instead of being read again.
    pub reuse_results: bool,
    /// A built-in theme (`dark`, `light`, `high-contrast`, `gruvbox`), a theme in the config
    /// folder's `themes/`, or a path to a theme file.
    pub theme: String,
    /// Key overrides: action name → one key or a list (`run = ["F9", "Ctrl-Enter"]`).
    pub keys: BTreeMap<String, Spanned<KeyList>>,
    /// The AWS source's settings; flags override each.
    pub aws: AwsConfig,
    /// When to ask before running a query, from its scan estimate.
    pub cost_guard: CostGuardConfig,
    /// `[editor]`: how the editor takes keys.
    pub editor: EditorConfig,
    /// `[cache]`: where kept results live.
    pub cache: CacheConfig,
    /// Line starts of the file, to name lines in errors found after parsing.
    #[serde(skip)]
    line_starts: Vec<usize>,
    /// The file this came from, to name it in errors found later (a missing theme).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// The data source.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A folder of Hive-partitioned Parquet, queried by the embedded DataFusion engine.
    #[default]
    Local,
    /// Glue Data Catalog, Athena and S3.
    Aws,
}

/// Which engine runs SQL on the AWS source.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// Athena (billed per byte scanned).
    #[default]
    Athena,
    /// DataFusion on this machine, reading the tables' S3 data (free, bounded by this machine).
    Local,
}

impl EngineChoice {
    /// What reports call the engine.
    pub fn label(self) -> &'static str {
        match self {
            Self::Athena => "athena",
            Self::Local => "local engine",
        }
    }
}

/// `[aws]` in `config.toml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct AwsConfig {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub workgroup: Option<String>,
    pub output_location: Option<String>,
    pub catalog: Option<String>,
    pub database: Option<String>,
    pub endpoint_url: Option<String>,
    /// Reuse identical queries' results up to this many minutes old (Athena result reuse).
    pub result_reuse_minutes: Option<u32>,
    pub engine: Option<EngineChoice>,
    /// When results travel through `UNLOAD` as Parquet: `auto` (default), `always`, `never`.
    pub unload: Option<crate::backend::aws::UnloadMode>,
    /// In `auto`, queries whose text bounds them at or under this many rows skip UNLOAD.
    pub unload_min_rows: Option<u64>,
    /// `s3://…/` for UNLOAD's files (default: `quarry-unload/` under the result location).
    pub unload_location: Option<String>,
    /// Keep UNLOAD's files after reading them (default: removed).
    pub unload_keep_files: Option<bool>,
}

/// `[cost_guard]` in `config.toml`: a run whose estimate is over either limit asks first.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CostGuardConfig {
    pub enabled: bool,
    /// Estimated bytes above which to ask (default 1 GiB).
    pub max_bytes: u64,
    /// Estimated dollars above which to ask (default $0.01).
    pub max_usd: f64,
}

impl Default for CostGuardConfig {
    fn default() -> Self {
        let guard = crate::app::hints::CostGuard::default();
        Self {
            enabled: guard.enabled,
            max_bytes: guard.max_bytes,
            max_usd: guard.max_usd,
        }
    }
}

/// `[cache]` in `config.toml`: the cache lake of kept results.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// The cache lake's folder (default: `cache` in quarry's data folder).
    pub dir: Option<PathBuf>,
    /// MiB the cache may hold; past it, least recently used tables are evicted (default 10 GiB).
    pub budget_mb: Option<u64>,
}

/// The cache lake's budget unless `budget_mb` says otherwise.
pub const DEFAULT_CACHE_BUDGET_MB: u64 = 10 * 1024;

impl CacheConfig {
    /// Bytes the cache may hold.
    pub fn budget_bytes(&self) -> u64 {
        self.budget_mb
            .unwrap_or(DEFAULT_CACHE_BUDGET_MB)
            .saturating_mul(1024 * 1024)
    }

    /// The cache lake's folder.
    pub fn dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| data_dir().join("cache"))
    }
}

/// `[editor]` in `config.toml`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct EditorConfig {
    pub mode: EditorMode,
}

/// How the editor takes keys.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EditorMode {
    /// Keys type text; Ctrl and F keys are commands.
    #[default]
    Standard,
    /// Vim's modes: normal, insert, visual, visual-line.
    Vim,
}

/// One key or several, as `[keys]` values may be written.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl Default for Config {
    fn default() -> Self {
        Self {
            source: SourceKind::Local,
            lake: None,
            row_limit: 1_000_000,
            price_per_tb_usd: DEFAULT_PRICE_PER_TB_USD,
            reuse_results: true,
            theme: "dark".to_owned(),
            keys: BTreeMap::new(),
            aws: AwsConfig::default(),
            cost_guard: CostGuardConfig::default(),
            editor: EditorConfig::default(),
            cache: CacheConfig::default(),
            line_starts: vec![0],
            path: None,
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
        let mut config = Self::parse(&text).map_err(|message| ConfigError::Invalid {
            path: path.clone(),
            message,
        })?;
        config.path = Some(path);
        Ok(config)
    }

    /// Parses config text; the error names the line, column and key.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut config: Self =
            toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))?;
        config.line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        config.key_overrides()?;
        if config.row_limit == 0 {
            return Err("row_limit must be at least 1".to_owned());
        }
        if !(config.price_per_tb_usd >= 0.0 && config.price_per_tb_usd.is_finite()) {
            return Err("price_per_tb_usd must be a number of dollars, 0 or more".to_owned());
        }
        let max_usd = config.cost_guard.max_usd;
        // NaN compares false with everything: the guard would never ask.
        if !(max_usd >= 0.0 && max_usd.is_finite()) {
            return Err(format!(
                "[cost_guard] max_usd = {max_usd}: give a number of dollars, 0 or more"
            ));
        }
        Ok(config)
    }
}

impl Config {
    /// The `[keys]` table as parsed keys; errors name the line, the action and the key text.
    pub fn key_overrides(&self) -> Result<Vec<(String, Vec<KeyPress>)>, String> {
        let names = crate::app::bindings::action_names();
        let mut overrides = Vec::new();
        for (name, keys) in &self.keys {
            let line = self.line_of(keys.span().start);
            if !names.contains(&name.as_str()) {
                return Err(format!(
                    "line {line}, key `keys.{name}`: no such action; the actions are {}",
                    names.join(", ")
                ));
            }
            let texts = match keys.get_ref() {
                KeyList::One(key) => vec![key.clone()],
                KeyList::Many(keys) => keys.clone(),
            };
            let presses = texts
                .iter()
                .map(|t| t.parse::<KeyPress>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("line {line}, key `keys.{name}`: {e}"))?;
            overrides.push((name.clone(), presses));
        }
        Ok(overrides)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|start| *start <= offset)
    }
}

/// `$XDG_CONFIG_HOME/quarry/config.toml`.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("quarry").join("config.toml"))
}

/// `$XDG_CONFIG_HOME/quarry/themes`, where user themes live.
pub fn themes_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("quarry").join("themes"))
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
    fn a_cost_guard_limit_that_could_never_trigger_is_refused() {
        // Regression: `nan` and `-1` were accepted silently; a NaN limit never asks.
        for bad in ["nan", "-1.0", "inf"] {
            let error = Config::parse(&format!("[cost_guard]\nmax_usd = {bad}\n")).unwrap_err();
            assert!(error.contains("max_usd"), "{bad}: {error}");
        }
        assert!(Config::parse("[cost_guard]\nmax_usd = 0.5\n").is_ok());
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
    fn theme_keys_and_source_are_read_and_bad_keys_name_their_line() {
        let config = Config::parse(
            "theme = \"light\"\nsource = \"local\"\n[keys]\nrun = [\"F9\", \"Ctrl-E\"]\nquit = \"Ctrl-X\"\n",
        )
        .unwrap();
        assert_eq!(config.theme, "light");
        let overrides = config.key_overrides().unwrap();
        assert_eq!(overrides.len(), 2);
        assert_eq!(overrides[1].0, "run");
        assert_eq!(overrides[1].1.len(), 2);
        let err = Config::parse("row_limit = 5\n[keys]\nrun = \"F99\"\n").unwrap_err();
        assert!(
            err.contains("line 3") && err.contains("keys.run") && err.contains("F99"),
            "{err}"
        );
        let err = Config::parse("[keys]\n\nteleport = \"F2\"\n").unwrap_err();
        assert!(err.contains("line 3") && err.contains("teleport"), "{err}");
        let err = Config::parse("source = \"mainframe\"\n").unwrap_err();
        assert!(err.contains("local") && err.contains("line 1"), "{err}");
    }

    #[test]
    fn the_aws_section_is_read_and_checked() {
        let config = Config::parse(
            "source = \"aws\"\n[aws]\nregion = \"eu-west-1\"\nworkgroup = \"analysts\"\nengine = \"local\"\n",
        )
        .unwrap();
        assert_eq!(config.source, SourceKind::Aws);
        assert_eq!(config.aws.region.as_deref(), Some("eu-west-1"));
        assert_eq!(config.aws.workgroup.as_deref(), Some("analysts"));
        assert_eq!(config.aws.engine, Some(EngineChoice::Local));
        let err = Config::parse("[aws]\nregoin = \"x\"\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("regoin"), "{err}");
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

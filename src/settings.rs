//! Effective settings: flag > environment > config file > default, with where each value came
//! from (for `dsfetch config`).
//!
//! The config file is `config.toml` in the platform config folder (e.g.
//! `~/.config/dsfetch/config.toml`), or the file named by `DSFETCH_CONFIG`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{HttpConfig, RetryPolicy};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// The config file.
    Config(PathBuf),
    /// The built-in default.
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag(n) => write!(f, "flag {n}"),
            Origin::Env(n) => write!(f, "env {n}"),
            Origin::Config(p) => write!(f, "config {}", p.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// Files downloaded at once by default. High, because most files of a dataset are small and a
/// small file costs two API round trips: enough of them in flight hide that latency. Large
/// files are bounded separately (see `chunked::MAX_PARALLEL_FILES`).
pub const DEFAULT_JOBS: usize = 64;

/// A value and its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub origin: Origin,
}

/// The config file's content.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Root folder for downloads without `-o`.
    pub download_dir: Option<PathBuf>,
    /// Files (or batch datasets) downloaded at once.
    pub jobs: Option<usize>,
    /// Progress style: auto, bar, plain, json, none.
    pub progress: Option<String>,
    /// Connections per large file.
    pub connections: Option<usize>,
    /// Seconds of silence before a transfer is considered stalled.
    pub timeout: Option<f64>,
    /// Retries of transient failures.
    pub retries: Option<u32>,
    /// Hugging Face defaults.
    #[serde(default)]
    pub hf: SourceDefaults,
    /// Kaggle defaults.
    #[serde(default)]
    pub kaggle: SourceDefaults,
}

/// Per-source defaults in the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDefaults {
    /// Files downloaded at once for this source.
    pub jobs: Option<usize>,
    /// Layout: `folder` (default) or the Python library cache (`hf-cache`, `kagglehub`).
    pub layout: Option<String>,
    /// Kaggle: extract archives (default true).
    pub unzip: Option<bool>,
}

/// Effective settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file that was read, if any.
    pub config_path: Option<PathBuf>,
    /// The config file's content (empty when there is none).
    pub config: ConfigFile,
    /// Download root.
    pub download_dir: Setting<PathBuf>,
    /// Jobs.
    pub jobs: Setting<usize>,
    /// Progress style.
    pub progress: Setting<String>,
    /// Connections per large file.
    pub connections: Setting<usize>,
    /// Stall timeout.
    pub timeout: Setting<Duration>,
    /// Retries.
    pub retries: Setting<u32>,
    /// First backoff delay.
    pub retry_base: Setting<Duration>,
    /// Cap of any single wait.
    pub retry_max_wait: Setting<Duration>,
    /// A fixed chunk size for parallel downloads (`DSFETCH_CHUNK_SIZE`, bytes); `None` lets
    /// dsfetch pick one from the file size.
    pub chunk_size: Option<u64>,
}

/// The effective per-hub defaults (config `[hf]` / `[kaggle]`), with their origins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubSettings {
    /// Layout without `--layout`: `folder`, `hf-cache` or `kagglehub`.
    pub layout: Setting<String>,
    /// Files at once without `--jobs`: the hub's `jobs`, unless `DSFETCH_JOBS` decided.
    pub jobs: Setting<usize>,
    /// Kaggle: extract archives (`unzip = false` is `--no-unzip` for plain folders).
    pub unzip: Setting<bool>,
}

/// The config file location: `DSFETCH_CONFIG`, else the platform config folder.
pub fn config_path(env: &Env) -> Option<(PathBuf, bool)> {
    if let Some(p) = env.get("DSFETCH_CONFIG") {
        return Some((PathBuf::from(p), true));
    }
    let base = match env.get("XDG_CONFIG_HOME") {
        Some(x) => PathBuf::from(x),
        None if cfg!(target_os = "linux") => env.home_join(".config")?,
        None => directories::ProjectDirs::from("", "", "dsfetch")?
            .config_dir()
            .parent()?
            .to_path_buf(),
    };
    Some((base.join("dsfetch").join("config.toml"), false))
}

fn pick<T: Clone>(
    flag: Option<(T, &'static str)>,
    env: Option<(T, &'static str)>,
    config: Option<T>,
    path: &Option<PathBuf>,
    default: T,
) -> Setting<T> {
    if let Some((v, n)) = flag {
        return Setting {
            value: v,
            origin: Origin::Flag(n),
        };
    }
    if let Some((v, n)) = env {
        return Setting {
            value: v,
            origin: Origin::Env(n),
        };
    }
    if let (Some(v), Some(p)) = (config, path) {
        return Setting {
            value: v,
            origin: Origin::Config(p.clone()),
        };
    }
    Setting {
        value: default,
        origin: Origin::Default,
    }
}

/// The accepted values of a numeric setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// A whole number from `min` to `max`.
    Count {
        /// Smallest accepted value.
        min: u64,
        /// Largest accepted value.
        max: u64,
    },
    /// A number of bytes from `min` to `max`.
    Bytes {
        /// Smallest accepted value.
        min: u64,
        /// Largest accepted value.
        max: u64,
    },
    /// A number of seconds (fractions allowed) up to `max`; 0 only when `zero_ok`.
    Seconds {
        /// Whether 0 is accepted (otherwise the value must be greater than 0).
        zero_ok: bool,
        /// Largest accepted value.
        max: f64,
    },
}

/// A checked numeric value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// A whole number (counts and bytes).
    Whole(u64),
    /// A duration.
    Seconds(Duration),
}

impl Number {
    fn whole(self) -> u64 {
        match self {
            Number::Whole(n) => n,
            Number::Seconds(d) => d.as_secs(),
        }
    }

    fn duration(self) -> Duration {
        match self {
            Number::Seconds(d) => d,
            Number::Whole(n) => Duration::from_secs(n),
        }
    }
}

impl Range {
    /// What the range accepts, for error messages and documentation.
    pub fn describe(&self) -> String {
        match *self {
            Range::Count { min, max } => format!("a whole number from {min} to {max}"),
            Range::Bytes { min, max } => {
                format!("a whole number of bytes from {min} to {max}")
            }
            Range::Seconds { zero_ok: true, max } => {
                format!("a number of seconds from 0 to {max}")
            }
            Range::Seconds {
                zero_ok: false,
                max,
            } => format!("a number of seconds greater than 0 and at most {max}"),
        }
    }

    /// Parses and checks `text`; `None` when it is not a number this range accepts (NaN,
    /// infinities, fractions of a whole number, out of range, not a number at all).
    pub fn check(&self, text: &str) -> Option<Number> {
        let text = text.trim();
        match *self {
            Range::Count { min, max } | Range::Bytes { min, max } => {
                let n: u64 = text.strip_prefix('+').unwrap_or(text).parse().ok()?;
                (min..=max).contains(&n).then_some(Number::Whole(n))
            }
            Range::Seconds { zero_ok, max } => {
                let s: f64 = text.parse().ok()?;
                let low_ok = if zero_ok { s >= 0.0 } else { s > 0.0 };
                (s.is_finite() && low_ok && s <= max)
                    .then(|| Number::Seconds(Duration::from_secs_f64(s)))
            }
        }
    }
}

/// A numeric setting: its environment variable and / or config key, and what it accepts.
#[derive(Debug, Clone, Copy)]
pub struct Numeric {
    /// The environment variable, if it has one.
    pub env: Option<&'static str>,
    /// The config file key (`jobs`, `hf.jobs`), if it has one.
    pub key: Option<&'static str>,
    /// The accepted values.
    pub range: Range,
}

const JOBS: Range = Range::Count { min: 1, max: 1024 };

/// Every numeric setting, with its accepted range. Every value from the environment or the
/// config file goes through [`Range::check`] with one of these.
pub const NUMERIC: &[Numeric] = &[
    Numeric {
        env: Some("DSFETCH_JOBS"),
        key: Some("jobs"),
        range: JOBS,
    },
    Numeric {
        env: Some("DSFETCH_CONNECTIONS"),
        key: Some("connections"),
        range: Range::Count { min: 1, max: 1024 },
    },
    Numeric {
        env: Some("DSFETCH_CHUNK_SIZE"),
        key: None,
        range: Range::Bytes {
            min: 1024,
            max: 1 << 30,
        },
    },
    Numeric {
        env: Some("DSFETCH_TIMEOUT"),
        key: Some("timeout"),
        range: Range::Seconds {
            zero_ok: false,
            max: 86_400.0,
        },
    },
    Numeric {
        env: Some("DSFETCH_RETRIES"),
        key: Some("retries"),
        range: Range::Count { min: 0, max: 100 },
    },
    Numeric {
        env: Some("DSFETCH_RETRY_BASE"),
        key: None,
        range: Range::Seconds {
            zero_ok: true,
            max: 30.0,
        },
    },
    Numeric {
        env: Some("DSFETCH_RETRY_MAX_WAIT"),
        key: None,
        range: Range::Seconds {
            zero_ok: true,
            max: 3600.0,
        },
    },
    Numeric {
        env: None,
        key: Some("hf.jobs"),
        range: JOBS,
    },
    Numeric {
        env: None,
        key: Some("kaggle.jobs"),
        range: JOBS,
    },
];

fn numeric_env(var: &str) -> &'static Numeric {
    NUMERIC
        .iter()
        .find(|n| n.env == Some(var))
        .expect("a numeric setting of the table")
}

/// The value of the numeric environment variable `var`, checked against its range.
fn env_number(env: &Env, var: &'static str) -> Result<Option<(Number, &'static str)>> {
    let spec = numeric_env(var);
    match env.get(var) {
        None => Ok(None),
        Some(v) => match spec.range.check(v) {
            Some(n) => Ok(Some((n, var))),
            None => Err(Error::usage(format!(
                "{var}={v:?} is not valid: expected {}; fix or unset it",
                spec.range.describe()
            ))),
        },
    }
}

/// How a config key is written in messages: `jobs`, or `[hf] jobs`.
fn shown_key(key: &str) -> String {
    match key.split_once('.') {
        Some((table, k)) => format!("[{table}] {k}"),
        None => key.to_string(),
    }
}

fn bad_config_number(path: &Path, key: &str, shown: &str, range: &Range) -> Error {
    Error::BadFile {
        path: path.to_path_buf(),
        message: format!(
            "{} = {shown} is not valid: expected {}; fix it",
            shown_key(key),
            range.describe()
        ),
        kind: ErrorKind::Usage,
    }
}

/// A TOML value as a user would have written it (`nan`, `1e300`).
fn toml_shown(v: &toml::Value) -> String {
    match v {
        toml::Value::Float(f) if f.is_finite() && f.abs() >= 1e16 => format!("{f:e}"),
        other => other.to_string(),
    }
}

/// Checks every numeric key of a parsed config file against its range, and rewrites each one
/// as the TOML type the config struct expects (whole numbers as integers, seconds as floats).
fn check_config_numbers(table: &mut toml::Table, path: &Path) -> Result<()> {
    for spec in NUMERIC {
        let Some(key) = spec.key else { continue };
        let (parent, leaf) = match key.split_once('.') {
            Some((t, k)) => match table.get_mut(t) {
                Some(toml::Value::Table(sub)) => (sub, k),
                _ => continue,
            },
            None => (&mut *table, key),
        };
        let Some(value) = parent.get(leaf) else {
            continue;
        };
        let text = match value {
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            other => {
                return Err(bad_config_number(
                    path,
                    key,
                    &other.to_string(),
                    &spec.range,
                ));
            }
        };
        let checked = spec
            .range
            .check(&text)
            .ok_or_else(|| bad_config_number(path, key, &toml_shown(value), &spec.range))?;
        let normal = match checked {
            Number::Whole(n) => toml::Value::Integer(n as i64),
            Number::Seconds(d) => toml::Value::Float(d.as_secs_f64()),
        };
        parent.insert(leaf.to_string(), normal);
    }
    Ok(())
}

/// A config file that is not valid TOML. When the problem is a numeric key's value (say a
/// number too large for TOML), the message is the same as for any bad value of that key.
fn config_syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let start = e.span().map(|s| s.start).unwrap_or(0).min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
    let section = text
        .lines()
        .take(line_no - 1)
        .filter_map(|l| {
            let t = l.trim();
            (t.starts_with('[') && t.ends_with(']') && !t.starts_with("[["))
                .then(|| t.trim_matches(['[', ']']).trim().to_string())
        })
        .last();
    if let Some((k, v)) = line.split_once('=') {
        let k = k.trim();
        let key = match &section {
            Some(s) => format!("{s}.{k}"),
            None => k.to_string(),
        };
        if let Some(spec) = NUMERIC.iter().find(|n| n.key == Some(key.as_str())) {
            return bad_config_number(path, &key, v.trim(), &spec.range);
        }
    }
    Error::BadFile {
        path: path.to_path_buf(),
        message: format!("invalid config at line {line_no}: {}", e.message()),
        kind: ErrorKind::Usage,
    }
}

/// Reads and checks a config file's text.
fn parse_config(path: &Path, text: &str) -> Result<ConfigFile> {
    let mut table: toml::Table = text
        .parse()
        .map_err(|e| config_syntax_error(path, text, &e))?;
    check_config_numbers(&mut table, path)?;
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| Error::BadFile {
            path: path.to_path_buf(),
            message: format!("invalid config: {}", e.message()),
            kind: ErrorKind::Usage,
        })
}

/// Command-line values that take precedence over everything else.
#[derive(Debug, Clone, Default)]
pub struct FlagOverrides {
    /// `--jobs`.
    pub jobs: Option<usize>,
    /// `--progress`.
    pub progress: Option<String>,
    /// `--connections`.
    pub connections: Option<usize>,
}

impl Settings {
    /// How large files are split into parallel chunks.
    pub fn parallel(&self) -> crate::chunked::ParallelConfig {
        crate::chunked::ParallelConfig {
            max_connections: self.connections.value,
            chunk_size: self.chunk_size,
        }
    }

    /// The defaults for downloads from `source`: the config's `[hf]` / `[kaggle]` table where it
    /// sets them (a hub's `jobs` gives way to `--jobs` and `DSFETCH_JOBS`), else the defaults.
    pub fn hub(&self, source: crate::Source) -> HubSettings {
        let table = match source {
            crate::Source::HuggingFace => &self.config.hf,
            crate::Source::Kaggle => &self.config.kaggle,
        };
        let from_config = |present: bool| match (&self.config_path, present) {
            (Some(p), true) => Origin::Config(p.clone()),
            _ => Origin::Default,
        };
        let jobs = match (&self.jobs.origin, table.jobs, &self.config_path) {
            (Origin::Default | Origin::Config(_), Some(j), Some(p)) => Setting {
                value: j,
                origin: Origin::Config(p.clone()),
            },
            _ => self.jobs.clone(),
        };
        HubSettings {
            layout: Setting {
                value: table.layout.clone().unwrap_or_else(|| "folder".into()),
                origin: from_config(table.layout.is_some()),
            },
            jobs,
            unzip: Setting {
                value: table.unzip.unwrap_or(true),
                origin: from_config(table.unzip.is_some()),
            },
        }
    }

    /// Loads the config file (if any) and resolves every setting.
    pub fn load(env: &Env, flags: &FlagOverrides) -> Result<Settings> {
        let (config, config_path) = match config_path(env) {
            Some((p, explicit)) => match std::fs::read_to_string(&p) {
                Ok(text) => (parse_config(&p, &text)?, Some(p)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                    (ConfigFile::default(), None)
                }
                Err(e) => {
                    return Err(Error::BadFile {
                        path: p,
                        message: format!("cannot read config: {e}"),
                        kind: ErrorKind::Usage,
                    });
                }
            },
            None => (ConfigFile::default(), None),
        };
        let expand = |p: PathBuf| -> PathBuf {
            match p.to_str().and_then(|s| s.strip_prefix("~/")) {
                Some(rest) => env.home_join(rest).unwrap_or(p),
                None => p,
            }
        };
        let download_dir = pick(
            None,
            env.get("DSFETCH_DOWNLOAD_DIR")
                .map(|v| (PathBuf::from(v), "DSFETCH_DOWNLOAD_DIR")),
            config.download_dir.clone().map(expand),
            &config_path,
            PathBuf::from("downloads"),
        );
        let jobs = pick(
            flags.jobs.map(|j| (j, "--jobs")),
            env_number(env, "DSFETCH_JOBS")?.map(|(n, v)| (n.whole() as usize, v)),
            config.jobs,
            &config_path,
            DEFAULT_JOBS,
        );
        let progress = pick(
            flags.progress.clone().map(|p| (p, "--progress")),
            env.get("DSFETCH_PROGRESS")
                .map(|v| (v.to_string(), "DSFETCH_PROGRESS")),
            config.progress.clone(),
            &config_path,
            "auto".to_string(),
        );
        if !matches!(
            progress.value.as_str(),
            "auto" | "bar" | "plain" | "json" | "none"
        ) {
            return Err(Error::usage(format!(
                "progress style {:?} (from {}) is not one of auto, bar, plain, json, none",
                progress.value, progress.origin
            )));
        }
        let connections = pick(
            flags.connections.map(|c| (c, "--connections")),
            env_number(env, "DSFETCH_CONNECTIONS")?.map(|(n, v)| (n.whole() as usize, v)),
            config.connections,
            &config_path,
            16,
        );
        let timeout = pick(
            None,
            env_number(env, "DSFETCH_TIMEOUT")?.map(|(n, v)| (n.duration(), v)),
            config.timeout.map(Duration::from_secs_f64),
            &config_path,
            Duration::from_secs(60),
        );
        let retries = pick(
            None,
            env_number(env, "DSFETCH_RETRIES")?.map(|(n, v)| (n.whole() as u32, v)),
            config.retries,
            &config_path,
            5,
        );
        let retry_base = pick(
            None,
            env_number(env, "DSFETCH_RETRY_BASE")?.map(|(n, v)| (n.duration(), v)),
            None,
            &config_path,
            Duration::from_millis(500),
        );
        let retry_max_wait = pick(
            None,
            env_number(env, "DSFETCH_RETRY_MAX_WAIT")?.map(|(n, v)| (n.duration(), v)),
            None,
            &config_path,
            Duration::from_secs(120),
        );
        let chunk_size = env_number(env, "DSFETCH_CHUNK_SIZE")?.map(|(n, _)| n.whole());
        Ok(Settings {
            config_path,
            config,
            download_dir,
            jobs,
            progress,
            connections,
            timeout,
            retries,
            retry_base,
            retry_max_wait,
            chunk_size,
        })
    }

    /// The HTTP configuration these settings describe.
    pub fn http_config(&self) -> HttpConfig {
        HttpConfig {
            connect_timeout: Duration::from_secs(15)
                .min(self.timeout.value.max(Duration::from_millis(100))),
            read_timeout: self.timeout.value.max(Duration::from_millis(100)),
            retry: RetryPolicy {
                retries: self.retries.value,
                base_delay: self.retry_base.value,
                max_delay: Duration::from_secs(30),
                max_wait: self.retry_max_wait.value,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_have_exact_boundaries() {
        let jobs = numeric_env("DSFETCH_JOBS").range;
        assert_eq!(jobs.check("1"), Some(Number::Whole(1)));
        assert_eq!(jobs.check(" 1024 "), Some(Number::Whole(1024)));
        for bad in [
            "0",
            "1025",
            "-1",
            "1.5",
            "nan",
            "inf",
            "",
            "1e3",
            "99999999999999999999",
        ] {
            assert_eq!(jobs.check(bad), None, "{bad:?}");
        }
        let timeout = numeric_env("DSFETCH_TIMEOUT").range;
        assert!(timeout.check("86400").is_some() && timeout.check("0.001").is_some());
        for bad in [
            "0", "-0", "86400.5", "-1", "nan", "inf", "-inf", "1e400", "x",
        ] {
            assert_eq!(timeout.check(bad), None, "{bad:?}");
        }
        let base = numeric_env("DSFETCH_RETRY_BASE").range;
        assert_eq!(base.check("0"), Some(Number::Seconds(Duration::ZERO)));
        assert_eq!(base.check("30.5"), None);
        let retries = numeric_env("DSFETCH_RETRIES").range;
        assert_eq!(retries.check("0"), Some(Number::Whole(0)));
        assert_eq!(retries.check("101"), None);
        // Every setting is reachable by its variable or its key.
        assert!(NUMERIC.iter().all(|n| n.env.is_some() || n.key.is_some()));
    }

    #[test]
    fn precedence_flag_env_config_default() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.toml");
        std::fs::write(
            &cfg,
            "jobs = 3\ndownload_dir = \"/data\"\n[kaggle]\nunzip = false\n",
        )
        .unwrap();
        let c = cfg.to_str().unwrap();
        let s = Settings::load(
            &Env::from_pairs([("DSFETCH_CONFIG", c)]),
            &FlagOverrides::default(),
        )
        .unwrap();
        assert_eq!(s.jobs.value, 3);
        assert!(matches!(s.jobs.origin, Origin::Config(_)));
        assert_eq!(s.download_dir.value, PathBuf::from("/data"));
        assert_eq!(s.progress.origin, Origin::Default);
        let s = Settings::load(
            &Env::from_pairs([("DSFETCH_CONFIG", c), ("DSFETCH_JOBS", "5")]),
            &FlagOverrides::default(),
        )
        .unwrap();
        assert_eq!(
            (s.jobs.value, s.jobs.origin.clone()),
            (5, Origin::Env("DSFETCH_JOBS"))
        );
        let flags = FlagOverrides {
            jobs: Some(7),
            ..Default::default()
        };
        let s = Settings::load(
            &Env::from_pairs([("DSFETCH_CONFIG", c), ("DSFETCH_JOBS", "5")]),
            &flags,
        )
        .unwrap();
        assert_eq!((s.jobs.value, s.jobs.origin), (7, Origin::Flag("--jobs")));
        std::fs::write(&cfg, "jobs = \"many\"").unwrap();
        let e = Settings::load(
            &Env::from_pairs([("DSFETCH_CONFIG", c)]),
            &FlagOverrides::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind().exit_code(), 2);
        assert!(e.to_string().contains("c.toml"));
        assert!(
            Settings::load(
                &Env::from_pairs([("DSFETCH_JOBS", "x")]),
                &FlagOverrides::default()
            )
            .is_err()
        );
    }
}

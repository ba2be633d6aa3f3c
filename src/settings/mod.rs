//! Effective settings: flag > environment > config file > default, with where each value came
//! from (for `dsfetch config`).
//!
//! The config file is `config.toml` in the platform config folder (e.g.
//! `~/.config/dsfetch/config.toml`), or the file named by `DSFETCH_CONFIG`.

use std::path::PathBuf;
use std::time::Duration;

mod local;
mod numeric;
mod xet;

use serde::Deserialize;

pub use local::{SizeValue, describe_max_size};
pub use numeric::{NUMERIC, Number, Numeric, Range};
use numeric::{env_number, parse_config};

use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{HttpConfig, RetryPolicy};
use crate::transfer::ParallelConfig;

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
/// files are bounded separately (see `transfer::MAX_PARALLEL_FILES`).
pub const DEFAULT_JOBS: usize = 64;

/// How progress is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProgressStyle {
    /// Bars when stderr is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// Progress bars.
    Bar,
    /// Newline-terminated lines, no carriage returns (for CI logs).
    Plain,
    /// One JSON event per line.
    Json,
    /// Nothing.
    None,
}

impl ProgressStyle {
    /// Every style, by name.
    pub const ALL: [(&'static str, ProgressStyle); 5] = [
        ("auto", ProgressStyle::Auto),
        ("bar", ProgressStyle::Bar),
        ("plain", ProgressStyle::Plain),
        ("json", ProgressStyle::Json),
        ("none", ProgressStyle::None),
    ];
}

/// Where a download's files go: the kind of layout (its cache root is resolved from the
/// environment when it is used).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum LayoutKind {
    /// A plain folder, with dsfetch's record in `.dsfetch/`.
    #[default]
    Folder,
    /// The huggingface_hub cache.
    HfCache,
    /// kagglehub's cache.
    Kagglehub,
}

impl LayoutKind {
    /// Every layout, by name.
    pub const ALL: [(&'static str, LayoutKind); 3] = [
        ("folder", LayoutKind::Folder),
        ("hf-cache", LayoutKind::HfCache),
        ("kagglehub", LayoutKind::Kagglehub),
    ];
}

/// Names and parses the enums of the settings (`auto`, `hf-cache`, ...).
macro_rules! named_enum {
    ($t:ty, $what:literal) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let name = Self::ALL
                    .iter()
                    .find(|(_, v)| v == self)
                    .map_or("?", |(n, _)| n);
                f.write_str(name)
            }
        }

        impl std::str::FromStr for $t {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self> {
                Self::ALL
                    .iter()
                    .find(|(n, _)| *n == s)
                    .map(|(_, v)| *v)
                    .ok_or_else(|| {
                        let names: Vec<&str> = Self::ALL.iter().map(|(n, _)| *n).collect();
                        Error::usage(format!(
                            concat!($what, " {:?} is not one of {}"),
                            s,
                            names.join(", ")
                        ))
                    })
            }
        }
    };
}

named_enum!(ProgressStyle, "progress style");
named_enum!(LayoutKind, "layout");

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
    pub progress: Option<ProgressStyle>,
    /// Connections per large file.
    pub connections: Option<usize>,
    /// Seconds of silence before a transfer is considered stalled.
    pub timeout: Option<f64>,
    /// Retries of transient failures.
    pub retries: Option<u32>,
    /// Keep the download history (default true).
    pub history: Option<bool>,
    /// Prune the caches and the download root to this size after each download.
    pub max_size: Option<SizeValue>,
    /// Bytes the Xet chunk cache may hold (0 turns it off).
    pub xet_cache_size: Option<u64>,
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
    pub layout: Option<LayoutKind>,
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
    pub progress: Setting<ProgressStyle>,
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
    /// Keep the download history.
    pub history: Setting<bool>,
    /// The budget of automatic cleanup after each download (`None`: off).
    pub max_size: Setting<Option<u64>>,
    /// Fetch Xet-backed files through the CAS (`DSFETCH_XET=0` turns it off).
    pub xet: Setting<bool>,
    /// Bytes the Xet chunk cache may hold (`DSFETCH_XET_CACHE_SIZE` / `xet_cache_size`; 0 off).
    pub xet_cache_size: Setting<u64>,
}

/// The Xet chunk cache's budget when none is set: 10 GiB.
pub const DEFAULT_XET_CACHE_SIZE: u64 = 10 << 30;

/// The effective per-hub defaults (config `[hf]` / `[kaggle]`), with their origins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubSettings {
    /// Layout without one asked for: `folder`, `hf-cache` or `kagglehub`.
    pub layout: Setting<LayoutKind>,
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

/// A value given on the command line, and how the front end names the option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag<T> {
    /// The value.
    pub value: T,
    /// The option's name (`--jobs`), for `dsfetch config`'s origins.
    pub name: &'static str,
}

/// A hub's default layout must be one that hub can use: `[hf]` folder or hf-cache, `[kaggle]`
/// folder or kagglehub.
fn check_hub_layouts(config: &ConfigFile, path: Option<&std::path::Path>) -> Result<()> {
    for (table, layout, other) in [
        ("hf", config.hf.layout, LayoutKind::Kagglehub),
        ("kaggle", config.kaggle.layout, LayoutKind::HfCache),
    ] {
        if layout == Some(other) {
            return Err(Error::BadFile {
                path: path.map(std::path::Path::to_path_buf).unwrap_or_default(),
                message: format!(
                    "[{table}] layout = \"{other}\" does not apply to that hub; use \"folder\" or \"{}\"",
                    if table == "hf" {
                        LayoutKind::HfCache
                    } else {
                        LayoutKind::Kagglehub
                    }
                ),
                kind: ErrorKind::Usage,
                hint: None,
            });
        }
    }
    Ok(())
}

/// The config file and its path, or the defaults and `None` when there is none. A missing file
/// is an error only when it was named explicitly.
fn read_config(env: &Env) -> Result<(ConfigFile, Option<PathBuf>)> {
    Ok(match config_path(env) {
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
                    hint: None,
                });
            }
        },
        None => (ConfigFile::default(), None),
    })
}

/// Command-line values that take precedence over everything else.
#[derive(Debug, Clone, Default)]
pub struct FlagOverrides {
    /// Files at once.
    pub jobs: Option<Flag<usize>>,
    /// Progress style.
    pub progress: Option<Flag<ProgressStyle>>,
    /// Connections per large file.
    pub connections: Option<Flag<usize>>,
}

impl Settings {
    /// How large files are split into parallel chunks.
    pub fn parallel(&self) -> ParallelConfig {
        ParallelConfig {
            max_connections: self.connections.value,
            chunk_size: self.chunk_size,
        }
    }

    /// The defaults for downloads from `source`: the config's `[hf]` / `[kaggle]` table where it
    /// sets them (a hub's `jobs` gives way to `--jobs` and `DSFETCH_JOBS`), else the defaults.
    pub fn hub(&self, source: crate::Hub) -> HubSettings {
        let table = match source {
            crate::Hub::HuggingFace => &self.config.hf,
            crate::Hub::Kaggle => &self.config.kaggle,
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
                value: table.layout.unwrap_or_default(),
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
        let (config, config_path) = read_config(env)?;
        check_hub_layouts(&config, config_path.as_deref())?;
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
            flags.jobs.map(|f| (f.value, f.name)),
            env_number(env, "DSFETCH_JOBS")?.map(|(n, v)| (n.whole() as usize, v)),
            config.jobs,
            &config_path,
            DEFAULT_JOBS,
        );
        let progress_env = match env.get("DSFETCH_PROGRESS") {
            Some(v) => Some((v.parse::<ProgressStyle>()?, "DSFETCH_PROGRESS")),
            None => None,
        };
        let progress = pick(
            flags.progress.map(|f| (f.value, f.name)),
            progress_env,
            config.progress,
            &config_path,
            ProgressStyle::Auto,
        );
        let connections = pick(
            flags.connections.map(|f| (f.value, f.name)),
            env_number(env, "DSFETCH_CONNECTIONS")?.map(|(n, v)| (n.whole() as usize, v)),
            config.connections,
            &config_path,
            ParallelConfig::default().max_connections,
        );
        let timeout = pick(
            None,
            env_number(env, "DSFETCH_TIMEOUT")?.map(|(n, v)| (n.duration(), v)),
            config.timeout.map(Duration::from_secs_f64),
            &config_path,
            HttpConfig::default().read_timeout,
        );
        let retries = pick(
            None,
            env_number(env, "DSFETCH_RETRIES")?.map(|(n, v)| (n.whole() as u32, v)),
            config.retries,
            &config_path,
            RetryPolicy::default().retries,
        );
        let retry_base = pick(
            None,
            env_number(env, "DSFETCH_RETRY_BASE")?.map(|(n, v)| (n.duration(), v)),
            None,
            &config_path,
            RetryPolicy::default().base_delay,
        );
        let retry_max_wait = pick(
            None,
            env_number(env, "DSFETCH_RETRY_MAX_WAIT")?.map(|(n, v)| (n.duration(), v)),
            None,
            &config_path,
            RetryPolicy::default().max_wait,
        );
        let chunk_size = env_number(env, "DSFETCH_CHUNK_SIZE")?.map(|(n, _)| n.whole());
        let history = local::history(env, config.history, &config_path);
        let max_size = local::max_size(env, config.max_size.as_ref(), &config_path)?;
        let (xet, xet_cache_size) = xet::settings(env, &config, &config_path)?;
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
            history,
            max_size,
            xet,
            xet_cache_size,
        })
    }

    /// How downloads use Xet: off with `no_xet_flag` (`--no-xet`) or `DSFETCH_XET=0`; the chunk
    /// cache in dsfetch's cache folder unless its budget is 0.
    pub fn xet_options(&self, env: &Env, no_xet_flag: bool) -> crate::XetOptions {
        let cache = match self.xet_cache_size.value {
            0 => None,
            budget => crate::XetCache::default_dir(env).map(|d| crate::XetCache::new(d, budget)),
        };
        crate::XetOptions {
            enabled: self.xet.value && !no_xet_flag,
            cache,
            ..crate::XetOptions::default()
        }
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
                max_wait: self.retry_max_wait.value,
                ..RetryPolicy::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            jobs: Some(Flag {
                value: 7,
                name: "--jobs",
            }),
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

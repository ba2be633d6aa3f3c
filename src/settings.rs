//! Effective settings: flag > environment > config file > default, with where each value came
//! from (for `dsfetch config`).
//!
//! The config file is `config.toml` in the platform config folder (e.g.
//! `~/.config/dsfetch/config.toml`), or the file named by `DSFETCH_CONFIG`.

use std::path::PathBuf;
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
/// files are bounded separately (see `transfer::MAX_PARALLEL_FILES`).
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

fn bad_env(var: &str, v: &str, want: &str) -> Error {
    Error::usage(format!("{var}={v:?} is not {want}; fix or unset it"))
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

fn env_parse<T: std::str::FromStr>(
    env: &Env,
    var: &'static str,
    want: &str,
) -> Result<Option<(T, &'static str)>> {
    match env.get(var) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<T>()
            .map(|x| Some((x, var)))
            .map_err(|_| bad_env(var, v, want)),
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.clamp(0.0, 1e6))
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
    pub fn parallel(&self) -> crate::transfer::ParallelConfig {
        crate::transfer::ParallelConfig {
            max_connections: self.connections.value,
            chunk_size: self.chunk_size,
        }
    }

    /// Loads the config file (if any) and resolves every setting.
    pub fn load(env: &Env, flags: &FlagOverrides) -> Result<Settings> {
        let (config, config_path) = match config_path(env) {
            Some((p, explicit)) => match std::fs::read_to_string(&p) {
                Ok(text) => {
                    let c: ConfigFile = toml::from_str(&text).map_err(|e| Error::BadFile {
                        path: p.clone(),
                        message: format!("invalid config: {}", e.message()),
                        kind: ErrorKind::Usage,
                    })?;
                    (c, Some(p))
                }
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
            env_parse(env, "DSFETCH_JOBS", "a number")?,
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
            env_parse(env, "DSFETCH_CONNECTIONS", "a number")?,
            config.connections,
            &config_path,
            16,
        );
        let timeout = pick(
            None,
            env_parse::<f64>(env, "DSFETCH_TIMEOUT", "a number of seconds")?
                .map(|(v, n)| (secs(v), n)),
            config.timeout.map(secs),
            &config_path,
            Duration::from_secs(60),
        );
        let retries = pick(
            None,
            env_parse(env, "DSFETCH_RETRIES", "a number")?,
            config.retries,
            &config_path,
            5,
        );
        let retry_base = pick(
            None,
            env_parse::<f64>(env, "DSFETCH_RETRY_BASE", "a number of seconds")?
                .map(|(v, n)| (secs(v), n)),
            None,
            &config_path,
            Duration::from_millis(500),
        );
        let retry_max_wait = pick(
            None,
            env_parse::<f64>(env, "DSFETCH_RETRY_MAX_WAIT", "a number of seconds")?
                .map(|(v, n)| (secs(v), n)),
            None,
            &config_path,
            Duration::from_secs(120),
        );
        let chunk_size = match env_parse::<u64>(env, "DSFETCH_CHUNK_SIZE", "a number of bytes")? {
            Some((0, _)) => return Err(bad_env("DSFETCH_CHUNK_SIZE", "0", "a positive size")),
            other => other.map(|(v, _)| v),
        };
        for (name, v) in [("jobs", jobs.value), ("connections", connections.value)] {
            if v == 0 || v > 1024 {
                return Err(Error::usage(format!(
                    "{name} must be between 1 and 1024, got {v}"
                )));
            }
        }
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

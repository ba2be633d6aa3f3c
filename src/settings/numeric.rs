//! Numeric settings: every environment variable and config key that holds a number, with the
//! range it accepts. Every such value goes through [`Range::check`]: NaN, infinities, negatives,
//! zero where it makes no sense, huge and non-numeric values are refused with the setting, the
//! value and the range named, never a panic.

use std::path::Path;
use std::time::Duration;

use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};

use super::ConfigFile;

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
    pub(super) fn whole(self) -> u64 {
        match self {
            Number::Whole(n) => n,
            Number::Seconds(d) => d.as_secs(),
        }
    }

    pub(super) fn duration(self) -> Duration {
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
        env: Some("DSFETCH_XET_CACHE_SIZE"),
        key: Some("xet_cache_size"),
        range: Range::Bytes {
            min: 0,
            max: 1 << 50,
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

pub(super) fn numeric_env(var: &str) -> &'static Numeric {
    NUMERIC
        .iter()
        .find(|n| n.env == Some(var))
        .expect("a numeric setting of the table")
}

/// The value of the numeric environment variable `var`, checked against its range.
pub(super) fn env_number(env: &Env, var: &'static str) -> Result<Option<(Number, &'static str)>> {
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
        hint: None,
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
        hint: None,
    }
}

/// Reads and checks a config file's text.
pub(super) fn parse_config(path: &Path, text: &str) -> Result<ConfigFile> {
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
            hint: None,
        })
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
}

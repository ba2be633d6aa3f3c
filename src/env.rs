//! A snapshot of the process environment, passed into the library instead of reading
//! `std::env` deep inside, so that every input is visible and tests can inject their own.

use std::collections::HashMap;
use std::path::PathBuf;

/// Environment variables and the home folder, captured once.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
    home: Option<PathBuf>,
}

impl Env {
    /// Captures the current process environment (variables that are not valid UTF-8 are skipped).
    pub fn from_process() -> Env {
        let vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let home = vars
            .get("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()));
        Env { vars, home }
    }

    /// Builds an environment from explicit pairs (for tests and embedding). `HOME` sets the home.
    pub fn from_pairs<I, K, V>(pairs: I) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars: HashMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let home = vars.get("HOME").map(PathBuf::from);
        Env { vars, home }
    }

    /// The value of `key`, treating an empty value as unset.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether `key` is set to a true-ish value (`1`, `true`, `yes`, `on`, any case).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }

    /// The user's home folder, if known.
    pub fn home(&self) -> Option<&PathBuf> {
        self.home.as_ref()
    }

    /// `~`-relative path, or `None` when the home is unknown.
    pub fn home_join(&self, rel: &str) -> Option<PathBuf> {
        self.home.as_ref().map(|h| h.join(rel))
    }

    /// An XDG base folder: `$VAR` if set, else `~/<default_rel>`.
    pub fn xdg(&self, var: &str, default_rel: &str) -> Option<PathBuf> {
        self.get(var)
            .map(PathBuf::from)
            .or_else(|| self.home_join(default_rel))
    }
}

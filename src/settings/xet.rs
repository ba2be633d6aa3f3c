//! The Xet settings: `DSFETCH_XET` and the chunk cache's budget.

use std::path::PathBuf;

use super::numeric::env_number;
use super::{ConfigFile, DEFAULT_XET_CACHE_SIZE, Setting, pick};
use crate::env::Env;
use crate::error::{Error, Result};

/// `DSFETCH_XET` (on unless 0/false/no/off) and the chunk cache's budget
/// (`DSFETCH_XET_CACHE_SIZE`, config `xet_cache_size`).
pub(super) fn settings(
    env: &Env,
    config: &ConfigFile,
    config_path: &Option<PathBuf>,
) -> Result<(Setting<bool>, Setting<u64>)> {
    let xet_env = match env.get("DSFETCH_XET") {
        None => None,
        Some(v) => match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Some((true, "DSFETCH_XET")),
            "0" | "false" | "no" | "off" => Some((false, "DSFETCH_XET")),
            _ => {
                return Err(Error::usage(format!(
                    "DSFETCH_XET={v:?} is not valid: expected 1 or 0 (true/false, yes/no, on/off); fix or unset it"
                )));
            }
        },
    };
    let xet = pick(None, xet_env, None, config_path, true);
    let xet_cache_size = pick(
        None,
        env_number(env, "DSFETCH_XET_CACHE_SIZE")?.map(|(n, v)| (n.whole(), v)),
        config.xet_cache_size,
        config_path,
        DEFAULT_XET_CACHE_SIZE,
    );
    Ok((xet, xet_cache_size))
}

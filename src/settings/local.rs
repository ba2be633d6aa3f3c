//! The settings of local state: the download history (`history`, `DSFETCH_HISTORY`) and the
//! automatic cleanup budget (`max_size`, `DSFETCH_MAX_SIZE`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Setting, pick};
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result};

/// A size in the config file: `"200GB"` or a number of bytes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum SizeValue {
    /// Bytes.
    Bytes(u64),
    /// A size with a unit (`200GB`, `1.5 TiB`).
    Text(String),
}

/// The history setting: `DSFETCH_HISTORY` (`0`/`false`/`off`/`no` turn it off, anything else
/// on), else config `history`, else on.
pub(super) fn history(env: &Env, config: Option<bool>, path: &Option<PathBuf>) -> Setting<bool> {
    let from_env = env.get("DSFETCH_HISTORY").map(|v| {
        let off = matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "0" | "false" | "off" | "no"
        );
        (!off, "DSFETCH_HISTORY")
    });
    pick(None, from_env, config, path, true)
}

/// The cleanup budget: `DSFETCH_MAX_SIZE`, else config `max_size`, else none (off). `0`, `off`
/// or `none` turn it off; anything else must be a size (`200GB`), or it is a usage error naming
/// the variable or key.
pub(super) fn max_size(
    env: &Env,
    config: Option<&SizeValue>,
    path: &Option<PathBuf>,
) -> Result<Setting<Option<u64>>> {
    let from_env = match env.get("DSFETCH_MAX_SIZE") {
        Some(v) => Some((parse(v, "DSFETCH_MAX_SIZE", None)?, "DSFETCH_MAX_SIZE")),
        None => None,
    };
    let from_config = match (config, path) {
        (Some(SizeValue::Bytes(n)), _) => Some((*n > 0).then_some(*n)),
        (Some(SizeValue::Text(t)), p) => Some(parse(t, "max_size", p.as_deref())?),
        (None, _) => None,
    };
    Ok(pick(None, from_env, from_config, path, None))
}

fn parse(text: &str, name: &str, file: Option<&Path>) -> Result<Option<u64>> {
    if matches!(text.trim().to_ascii_lowercase().as_str(), "off" | "none") {
        return Ok(None);
    }
    match crate::units::parse_size(text) {
        Some(0) => Ok(None),
        Some(n) => Ok(Some(n)),
        None => {
            let message = format!(
                "{name} = {text:?} is not a size; use e.g. 200GB, 500MiB or a number of bytes (0 or off: no limit)"
            );
            Err(match file {
                Some(p) => Error::BadFile {
                    path: p.to_path_buf(),
                    message,
                    kind: ErrorKind::Usage,
                    hint: None,
                },
                None => Error::usage(message),
            })
        }
    }
}

/// How `dsfetch config` shows the budget.
pub fn describe_max_size(s: &Setting<Option<u64>>) -> String {
    match s.value {
        Some(n) => crate::units::human_bytes(n),
        None => "off".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Origin;

    #[test]
    fn history_and_budget_resolve_with_their_origins() {
        let none = None;
        let on = history(&Env::default(), None, &none);
        assert_eq!((on.value, on.origin), (true, Origin::Default));
        let off = history(
            &Env::from_pairs([("DSFETCH_HISTORY", "0")]),
            Some(true),
            &none,
        );
        assert_eq!(
            (off.value, off.origin),
            (false, Origin::Env("DSFETCH_HISTORY"))
        );
        let cfg = Some(PathBuf::from("c.toml"));
        assert!(!history(&Env::default(), Some(false), &cfg).value);
        let m = max_size(&Env::from_pairs([("DSFETCH_MAX_SIZE", "2GB")]), None, &none).unwrap();
        assert_eq!(m.value, Some(2_000_000_000));
        let m = max_size(
            &Env::default(),
            Some(&SizeValue::Text("200GB".into())),
            &cfg,
        )
        .unwrap();
        assert_eq!(m.value, Some(200_000_000_000));
        assert!(matches!(m.origin, Origin::Config(_)));
        assert_eq!(max_size(&Env::default(), None, &cfg).unwrap().value, None);
        let e = max_size(
            &Env::from_pairs([("DSFETCH_MAX_SIZE", "lots")]),
            None,
            &none,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(e.to_string().contains("DSFETCH_MAX_SIZE"), "{e}");
        let e = max_size(&Env::default(), Some(&SizeValue::Text("x".into())), &cfg).unwrap_err();
        assert!(e.to_string().contains("c.toml"), "{e}");
    }
}

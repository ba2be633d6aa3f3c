//! Safe extraction of archives from servers: zip (Kaggle datasets and competitions) and gzipped
//! tar (a Kaggle model version's bundle). Every entry is checked before anything is written,
//! into a staging folder that is moved into place only when the whole archive extracted cleanly.
//!
//! Refused: absolute names, `..` components, drive prefixes, links (symbolic or hard), devices
//! and FIFOs, encrypted entries, duplicate names and names that are both a file and a folder.
//! Bombs are stopped: an entry may not produce more bytes than it declares, and the total may
//! not exceed a limit relative to the archive's size. All of this is blocking I/O: call it from
//! a blocking thread.

mod tar;
mod zip;

use std::path::Path;

pub use self::tar::extract_tar_gz;
pub use self::zip::{extract_zip, extract_zip_streaming, unwrap_single};

use crate::error::{Error, Result};

/// Limits that stop decompression bombs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest total uncompressed size, as a multiple of the archive's size.
    pub max_ratio: u64,
    /// Total uncompressed size always allowed, whatever the ratio.
    pub floor: u64,
    /// Most entries.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_ratio: 250,
            floor: 1 << 30,
            max_entries: 1_000_000,
        }
    }
}

/// One extracted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// Archive-relative path, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

fn unsafe_entry(what: &'static str, name: &str, reason: &str) -> Error {
    Error::Unsafe {
        what,
        name: crate::sanitize::for_terminal(name),
        reason: format!(
            "{reason}; the archive was not extracted and nothing was written outside the folder"
        ),
    }
}

fn bad_archive(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Integrity {
        path: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        expected: "a valid archive".into(),
        actual: format!("a damaged archive ({e})"),
        hint: None,
    }
}

/// The checked, normalised relative name of an entry (`\` treated as `/`), and whether it is a
/// folder.
fn entry_name(what: &'static str, raw: &str) -> Result<(String, bool)> {
    let is_dir = raw.ends_with('/') || raw.ends_with('\\');
    let norm = raw.replace('\\', "/");
    let trimmed = norm.trim_end_matches('/');
    if norm.starts_with('/') {
        return Err(unsafe_entry(what, raw, "absolute path"));
    }
    crate::paths::check_relative(trimmed).map_err(|r| unsafe_entry(what, raw, &r))?;
    Ok((trimmed.to_string(), is_dir))
}

/// Checks that no name is both a file and a folder (explicitly, or as a parent of another
/// file): `names` are the files, `entries` every (name, is a folder).
fn check_file_folder_clash<'a>(
    what: &'static str,
    names: &std::collections::HashSet<String>,
    entries: impl Iterator<Item = (&'a str, bool)>,
) -> Result<()> {
    for (name, is_dir) in entries {
        let mut p = name;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if names.contains(parent) {
                return Err(unsafe_entry(
                    what,
                    parent,
                    "listed both as a file and as a folder",
                ));
            }
            p = parent;
        }
        if is_dir && names.contains(name) {
            return Err(unsafe_entry(
                what,
                name,
                "listed both as a file and as a folder",
            ));
        }
    }
    Ok(())
}

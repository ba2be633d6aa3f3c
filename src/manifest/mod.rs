//! Batch manifests: plain text (one id per line) or TOML (`[[dataset]]` tables).
//!
//! Every problem is collected with its line number and reported at once, before any download.

use std::path::{Path, PathBuf};

use crate::error::{Error, Hub, Result};
use crate::id::{self, DatasetId};
use crate::pattern::Selection;
use crate::settings::LayoutKind;

mod conflicts;
#[cfg(test)]
mod tests;
mod text;
mod toml;

use self::toml::parse_toml;
use conflicts::check_conflicts;
use text::parse_text;

/// One dataset to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line where the entry starts.
    pub line: usize,
    /// The dataset (with the version / revision asked for, if any).
    pub id: DatasetId,
    /// Include patterns.
    pub include: Vec<String>,
    /// Exclude patterns.
    pub exclude: Vec<String>,
    /// Kaggle: only these files.
    pub files: Vec<String>,
    /// Output folder (`-o`), if set.
    pub output: Option<PathBuf>,
    /// Kaggle: extract (default true).
    pub unzip: bool,
    /// Layout (`folder`, `hf-cache`, `kagglehub`), when the manifest sets one.
    pub layout: Option<LayoutKind>,
}

impl Entry {
    /// A stable label: `hf:owner/name@rev` or `kaggle:owner/slug[/versions/N]`.
    pub fn label(&self) -> String {
        self.id.to_string()
    }

    /// The selection patterns.
    pub fn selection(&self) -> Selection {
        Selection::new(&self.include, &self.exclude)
    }

    /// The folder this entry writes to, given the download root.
    pub fn folder(&self, root: &Path) -> PathBuf {
        match &self.output {
            Some(o) => o.clone(),
            None => root.join(self.id.folder_name()),
        }
    }
}

/// A parsed manifest.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// The entries, in file order.
    pub entries: Vec<Entry>,
}

/// Whether the text is a TOML manifest, judged by content: some line is a table header
/// (`[[dataset]]`) or a `key = value` pair, and no line is a dataset id (which a text manifest
/// is made of). Comments and blank lines count for neither.
fn looks_like_toml(text: &str) -> bool {
    // A bare, quoted or dotted TOML key; ids and URLs always hold a ':' or a '/'.
    let key = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | ' '))
    };
    let mut toml = false;
    for l in text.lines().map(str::trim) {
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let code = l.split('#').next().unwrap_or(l).trim();
        let header = code.starts_with('[')
            && code.ends_with(']')
            && key(code.trim_matches(['[', ']']).trim());
        let pair = code.split_once('=').is_some_and(|(k, _)| key(k.trim()));
        if header || pair {
            toml = true;
        } else if id::parse_any(l.split(" #").next().unwrap_or(l).trim()).is_ok() {
            return false;
        }
    }
    toml
}

/// The layouts entries get when they name none (config `[hf] layout`, `[kaggle] layout`): they
/// decide which entries would write the same files.
#[derive(Debug, Clone, Default)]
pub struct LayoutDefaults {
    /// Layout of Hugging Face entries without their own.
    pub hf: Option<LayoutKind>,
    /// Layout of Kaggle entries without their own.
    pub kaggle: Option<LayoutKind>,
}

impl LayoutDefaults {
    /// The layout `entry` is fetched with: its own, else (without `output`) its hub's default,
    /// else `folder`. The same rule as the batch runner's.
    pub fn layout_of(&self, entry: &Entry) -> LayoutKind {
        if let Some(l) = entry.layout {
            return l;
        }
        if entry.output.is_some() {
            return LayoutKind::Folder;
        }
        let default = match entry.id.source() {
            Hub::HuggingFace => self.hf,
            Hub::Kaggle => self.kaggle,
        };
        default.unwrap_or_default()
    }
}

/// Parses a manifest; `name` (a path or `-`) picks the format by extension (`.toml`), else by
/// content. All errors are returned together, one per line, as a usage error. Entries without a
/// layout are taken as plain folders (see [`parse_with`]).
pub fn parse(name: &str, text: &str) -> Result<Manifest> {
    parse_with(name, text, &LayoutDefaults::default())
}

/// [`parse`], with the layouts entries without their own get: two revisions of one dataset may
/// share a cache layout, never a plain folder.
pub fn parse_with(name: &str, text: &str, defaults: &LayoutDefaults) -> Result<Manifest> {
    // Editors on Windows start UTF-8 files with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_toml = name.ends_with(".toml") || looks_like_toml(text);
    let mut errors: Vec<(usize, String)> = Vec::new();
    let entries = if is_toml {
        parse_toml(text, &mut errors)
    } else {
        parse_text(text, &mut errors)
    };
    check_conflicts(&entries, defaults, is_toml, &mut errors);
    if errors.is_empty() && entries.is_empty() {
        errors.push((0, "the manifest lists no dataset".into()));
    }
    if errors.is_empty() {
        return Ok(Manifest { entries });
    }
    errors.sort();
    let lines: Vec<String> = errors
        .iter()
        .map(|(l, m)| {
            if *l > 0 {
                format!("{name}:{l}: {m}")
            } else {
                format!("{name}: {m}")
            }
        })
        .collect();
    Err(Error::usage(format!(
        "invalid manifest ({} problem{}):\n  {}",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" },
        lines.join("\n  ")
    )))
}

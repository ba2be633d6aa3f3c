//! Entries that would write the same files: exact duplicates, the same plain folder, or the same
//! revision of one dataset in a cache.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::{Entry, LayoutDefaults};
use crate::id::DatasetId;
use crate::settings::LayoutKind;

pub(super) fn check_conflicts(
    entries: &[Entry],
    defaults: &LayoutDefaults,
    toml: bool,
    errors: &mut Vec<(usize, String)>,
) {
    let fix = match toml {
        true => "give one of them `output = \"...\"`",
        false => "keep one, or write a TOML manifest that gives one of them `output = \"...\"`",
    };
    // Exact duplicates first; they are not reported again as folder conflicts.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut dup = vec![false; entries.len()];
    for (i, e) in entries.iter().enumerate() {
        let key = format!(
            "{}|{:?}|{:?}|{:?}|{:?}",
            e.label(),
            e.include,
            e.exclude,
            e.files,
            e.output
        );
        match seen.get(&key) {
            Some(first) => {
                errors.push((
                    e.line,
                    format!("duplicate of the entry on line {first} ({})", e.label()),
                ));
                dup[i] = true;
            }
            None => {
                seen.insert(key, e.line);
            }
        }
    }
    // Two entries writing the same files: the same plain folder (same default folder name, or
    // the same output), or the same revision / version of one dataset in a cache. A cache holds
    // many revisions side by side, so different ones do not conflict there.
    let root = Path::new("<root>");
    let mut targets: BTreeMap<Target, (usize, String)> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if dup[i] {
            continue;
        }
        let target = match (defaults.layout_of(e), &e.id) {
            (LayoutKind::HfCache, DatasetId::Hf(h)) => Target::Cache(
                LayoutKind::HfCache,
                format!("{}/{}", h.kind.plural(), h.repo),
                h.revision.clone().unwrap_or_else(|| "main".into()),
            ),
            (LayoutKind::Kagglehub, DatasetId::Kaggle(k)) => Target::Cache(
                LayoutKind::Kagglehub,
                k.reference(),
                k.version
                    .map_or_else(|| "current".into(), |v| v.to_string()),
            ),
            _ => Target::Folder(e.folder(root)),
        };
        match targets.get(&target) {
            Some((line, label)) => errors.push((
                e.line,
                match &target {
                    Target::Folder(_) => format!(
                        "{} would write into the same folder as {label} (line {line}); {fix}",
                        e.label()
                    ),
                    Target::Cache(layout, _, rev) => format!(
                        "{} would write the same {rev} files into the {layout} cache as {label} (line {line}); keep one entry (merge their include / exclude patterns)",
                        e.label()
                    ),
                },
            )),
            None => {
                targets.insert(target, (e.line, e.label()));
            }
        }
    }
}

/// Where an entry's files land, for conflict checks.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    /// A plain folder.
    Folder(PathBuf),
    /// A cache layout, the dataset and its revision / version.
    Cache(LayoutKind, String, String),
}

//! `dsfetch.lock`: what a batch fetched, pinned (HF commit or Kaggle version, and every file with
//! size and sha256), in a stable, diff-friendly TOML layout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, ErrorKind, Hint, Hub, Result};

/// One pinned dataset.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LockEntry {
    /// The manifest entry it pins (`hf:owner/name@rev`, `kaggle:owner/slug`).
    pub entry: String,
    /// The folder it was fetched into.
    pub folder: PathBuf,
    /// Which hub.
    pub source: Hub,
    /// `owner/name` or `owner/slug`.
    pub id: String,
    /// HF revision asked for.
    #[serde(default)]
    pub revision: Option<String>,
    /// HF commit.
    #[serde(default)]
    pub commit: Option<String>,
    /// Kaggle version.
    #[serde(default)]
    pub version: Option<u32>,
    /// Every file.
    pub files: Vec<LockFileEntry>,
    /// The manifest entry's selection when the lock was written (`None` in locks from before
    /// it was recorded): `--locked` with another selection is refused, not blamed on upstream.
    #[serde(default)]
    pub select: Option<LockSelection>,
}

/// What a manifest entry selected: its `include`, `exclude` and `files`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct LockSelection {
    /// `include` patterns.
    #[serde(default)]
    pub include: Vec<String>,
    /// `exclude` patterns.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `files`.
    #[serde(default)]
    pub files: Vec<String>,
}

/// A pinned file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LockFileEntry {
    /// Dataset-relative path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// A lockfile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Lockfile {
    /// Format version.
    #[serde(default)]
    pub format: u32,
    /// Pinned datasets.
    #[serde(default, rename = "dataset")]
    pub datasets: Vec<LockEntry>,
}

impl LockEntry {
    /// The files as the downloaders take them.
    pub fn locked_files(&self) -> BTreeMap<String, LockedFile> {
        self.files
            .iter()
            .map(|f| {
                (
                    f.path.clone(),
                    LockedFile {
                        size: f.size,
                        sha256: f.sha256.clone(),
                    },
                )
            })
            .collect()
    }
}

impl Lockfile {
    /// Reads a lockfile; `Ok(None)` when it does not exist.
    pub fn read(path: &Path) -> Result<Option<Lockfile>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("reading", path, e)),
        };
        let lock: Lockfile = toml::from_str(&text).map_err(|e| Error::BadFile {
            path: path.to_path_buf(),
            message: format!("invalid lockfile: {}", e.message()),
            kind: ErrorKind::Usage,
            hint: Some(Hint::RewriteLock),
        })?;
        Ok(Some(lock))
    }

    /// Finds the entry pinning `entry` into `folder`.
    pub fn find(&self, entry: &str, folder: &Path) -> Option<&LockEntry> {
        self.datasets
            .iter()
            .find(|d| d.entry == entry && d.folder == folder)
    }

    /// Renders the lockfile: datasets sorted by entry and folder, files by path, one file per
    /// line, so that a change shows as a small diff.
    pub fn render(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut datasets = self.datasets.clone();
        datasets.sort_by(|a, b| (&a.entry, &a.folder).cmp(&(&b.entry, &b.folder)));
        let mut out = String::from(
            "# Written by `dsfetch batch`. It pins every dataset of the manifest (Hugging Face\n\
             # commit, Kaggle version, every file's size and sha256) and what each entry selected.\n\
             # Commit it; `dsfetch batch --locked` fetches exactly this and verifies every file.\n\
             format = 1\n",
        );
        for d in &datasets {
            out.push_str("\n[[dataset]]\n");
            out.push_str(&format!("entry = {}\n", q(&d.entry)));
            out.push_str(&format!("folder = {}\n", q(&d.folder.to_string_lossy())));
            out.push_str(&format!("source = {}\n", q(d.source.as_str())));
            out.push_str(&format!("id = {}\n", q(&d.id)));
            if let Some(r) = &d.revision {
                out.push_str(&format!("revision = {}\n", q(r)));
            }
            if let Some(c) = &d.commit {
                out.push_str(&format!("commit = {}\n", q(c)));
            }
            if let Some(v) = d.version {
                out.push_str(&format!("version = {v}\n"));
            }
            if let Some(sel) = &d.select {
                let list = |v: &[String]| v.iter().map(|x| q(x)).collect::<Vec<_>>().join(", ");
                out.push_str(&format!(
                    "select = {{ include = [{}], exclude = [{}], files = [{}] }}\n",
                    list(&sel.include),
                    list(&sel.exclude),
                    list(&sel.files)
                ));
            }
            out.push_str("files = [\n");
            let mut files = d.files.clone();
            files.sort_by(|a, b| a.path.cmp(&b.path));
            for f in &files {
                out.push_str(&format!(
                    "  {{ path = {}, size = {}, sha256 = {} }},\n",
                    q(&f.path),
                    f.size,
                    q(&f.sha256)
                ));
            }
            out.push_str("]\n");
        }
        out
    }

    /// Writes the lockfile atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let tmp = PathBuf::from(format!("{}.tmp", path.display()));
        std::fs::write(&tmp, self.render()).map_err(|e| Error::io("writing", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("writing", path, e))
    }
}

/// A file pinned by a lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedFile {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// Checks that the files upstream lists are exactly the locked ones.
pub fn check_locked_set<'a>(
    locked: &BTreeMap<String, LockedFile>,
    upstream: impl Iterator<Item = &'a str>,
    dataset: &str,
) -> Result<()> {
    let up: std::collections::BTreeSet<&str> = upstream.collect();
    let extra: Vec<&str> = up
        .iter()
        .copied()
        .filter(|p| !locked.contains_key(*p))
        .collect();
    let missing: Vec<&str> = locked
        .keys()
        .map(String::as_str)
        .filter(|p| !up.contains(p))
        .collect();
    if extra.is_empty() && missing.is_empty() {
        return Ok(());
    }
    let (path, what) = match (extra.first(), missing.first()) {
        (Some(p), _) => (*p, "is upstream but not in the lockfile"),
        (None, Some(p)) => (*p, "is in the lockfile but no longer upstream"),
        (None, None) => unreachable!(),
    };
    Err(Error::Integrity {
        path: format!("{dataset}: {}", crate::sanitize::for_terminal(path)),
        expected: "the files pinned by the lockfile".into(),
        actual: format!(
            "a different file list ({what}; {} extra, {} missing)",
            extra.len(),
            missing.len()
        ),
        hint: Some(Hint::UpdateLock),
    })
}

/// The error for upstream bytes that differ from what a lockfile pins (exit 6), naming the
/// dataset and the file: `size` and (when known) `sha256` are what upstream has.
pub fn lock_mismatch(
    dataset: &str,
    path: &str,
    locked: &LockedFile,
    size: u64,
    sha256: Option<&str>,
) -> Error {
    let upstream = match sha256 {
        Some(h) => format!("size {size}, sha256 {h}"),
        None => format!("size {size}"),
    };
    Error::Integrity {
        path: format!("{dataset}: {}", crate::sanitize::for_terminal(path)),
        expected: format!(
            "size {}, sha256 {} (from the lockfile)",
            locked.size, locked.sha256
        ),
        actual: format!("{upstream} upstream"),
        hint: Some(Hint::UpdateLock),
    }
}

/// Checks a file's size and sha256 (when known) against its lock entry.
pub fn check_lock(
    dataset: &str,
    path: &str,
    locked: Option<&LockedFile>,
    size: u64,
    sha256: Option<&str>,
) -> Result<()> {
    match locked {
        Some(l) if l.size != size || sha256.is_some_and(|h| !h.eq_ignore_ascii_case(&l.sha256)) => {
            Err(lock_mismatch(dataset, path, l, size, sha256))
        }
        _ => Ok(()),
    }
}

/// Whether the local file at `path` (inside `root`) hashes to the locked sha256 (blocking).
pub fn local_matches(root: &Path, path: &str, want: &LockedFile) -> bool {
    let Ok(p) = crate::paths::join_safe(root, path, "file name") else {
        return false;
    };
    match std::fs::symlink_metadata(&p) {
        Ok(md) if md.is_file() && md.len() == want.size => {}
        _ => return false,
    }
    crate::verify::sha256_file(&p).is_ok_and(|(_, h)| h == want.sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_stable_order() {
        let lock = Lockfile {
            format: 1,
            datasets: vec![
                LockEntry {
                    entry: "kaggle:alice/titanic".into(),
                    folder: "downloads/titanic".into(),
                    source: Hub::Kaggle,
                    id: "alice/titanic".into(),
                    revision: None,
                    commit: None,
                    version: Some(3),
                    select: Some(LockSelection {
                        include: vec!["*.csv".into(), "a \"q\"".into()],
                        exclude: vec![],
                        files: vec![],
                    }),
                    files: vec![
                        LockFileEntry {
                            path: "z.csv".into(),
                            size: 1,
                            sha256: "aa".into(),
                        },
                        LockFileEntry {
                            path: "a \"q\".csv".into(),
                            size: 2,
                            sha256: "bb".into(),
                        },
                    ],
                },
                LockEntry {
                    entry: "hf:acme/corpus@main".into(),
                    folder: "downloads/acme_corpus".into(),
                    source: Hub::HuggingFace,
                    id: "acme/corpus".into(),
                    revision: Some("main".into()),
                    commit: Some("c".repeat(40)),
                    version: None,
                    select: None,
                    files: vec![],
                },
            ],
        };
        let text = lock.render();
        assert!(text.find("hf:acme").unwrap() < text.find("kaggle:alice").unwrap());
        assert!(
            text.find("q\\\"").or_else(|| text.find("\"q\"")).unwrap()
                < text.find("z.csv").unwrap()
        );
        let back: Lockfile = toml::from_str(&text).unwrap();
        assert_eq!(back.render(), text, "rendering is stable");
        assert_eq!(
            back.find("kaggle:alice/titanic", Path::new("downloads/titanic"))
                .unwrap()
                .version,
            Some(3)
        );
    }
}

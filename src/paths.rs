//! Safe handling of file names that come from servers (repo paths, Kaggle file names, zip entries).
//!
//! A server-provided name is only ever joined onto an output folder after [`check_relative`] has
//! accepted it: relative, `/`-separated, no `..`, no empty or `.` components, no drive or UNC
//! prefixes, no control characters, and nothing inside dsfetch's own `.dsfetch` folder.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The folder inside each dataset folder where dsfetch keeps its record and partial downloads.
pub const STATE_DIR: &str = ".dsfetch";

/// Checks that `name` is a safe relative path. Returns the reason when it is not.
pub fn check_relative(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("empty path".into());
    }
    if name.len() > 4096 {
        return Err("path longer than 4096 bytes".into());
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Err("absolute path".into());
    }
    if name.contains('\\') {
        return Err("backslash in path".into());
    }
    if name.chars().any(|c| c.is_control()) {
        return Err("control character in path".into());
    }
    let first = name.split('/').next().unwrap_or("");
    if first.len() >= 2 && first.as_bytes()[1] == b':' {
        return Err("drive letter in path".into());
    }
    for comp in name.split('/') {
        match comp {
            "" => return Err("empty path component".into()),
            "." | ".." => return Err("'.' or '..' component".into()),
            _ => {}
        }
        if comp.len() > 255 {
            return Err("path component longer than 255 bytes".into());
        }
    }
    if first == STATE_DIR {
        return Err(format!("paths under {STATE_DIR}/ are reserved for dsfetch"));
    }
    Ok(())
}

/// Joins a server-provided relative `name` onto `root`, refusing anything unsafe.
/// `what` names the kind of item for the error (`file name`, `zip entry`).
pub fn join_safe(root: &Path, name: &str, what: &'static str) -> Result<PathBuf> {
    check_relative(name).map_err(|reason| Error::Unsafe {
        what,
        name: crate::sanitize::for_terminal(name),
        reason: format!("{reason}; nothing was written outside the output folder"),
    })?;
    let mut p = root.to_path_buf();
    for comp in name.split('/') {
        p.push(comp);
    }
    Ok(p)
}

/// Makes sure no existing component between `root` and `path` is a symlink, so that a link planted
/// in the output folder (by a previous hostile archive, or by anyone) cannot redirect a write
/// outside it. Missing components are fine.
pub fn ensure_no_symlink_between(root: &Path, path: &Path) -> Result<()> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Err(Error::Unsafe {
            what: "path",
            name: path.display().to_string(),
            reason: "outside the output folder".into(),
        });
    };
    let mut cur = root.to_path_buf();
    for comp in rel.components() {
        cur.push(comp);
        match std::fs::symlink_metadata(&cur) {
            Ok(md) if md.file_type().is_symlink() => {
                return Err(Error::Unsafe {
                    what: "path",
                    name: cur.display().to_string(),
                    reason: "a symbolic link sits on the way to this file in the output folder; remove it and run again".into(),
                });
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

/// What stands in the way of a file at `rel` under `root`, as (local path, reason): something
/// that is not a folder where one of its folders must be, or a folder where the file must be.
/// `seen` holds folders already found clear, so that many files in one folder cost one check.
pub fn obstacle(
    root: &Path,
    rel: &str,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Option<(PathBuf, &'static str)> {
    let dest = join_safe(root, rel, "file name").ok()?;
    let mut cur = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        cur.push(part);
        if seen.contains(&cur) {
            continue;
        }
        match std::fs::symlink_metadata(&cur) {
            Ok(md) if md.is_dir() => {
                seen.insert(cur.clone());
            }
            Ok(_) => return Some((cur, "is a file, but the dataset needs a folder there")),
            // Missing: nothing below it exists either.
            Err(_) => return None,
        }
    }
    match std::fs::symlink_metadata(&dest) {
        Ok(md) if md.is_dir() => Some((dest, "is a folder, but the dataset has a file there")),
        _ => None,
    }
}

/// Refuses files that something in the folder stands in the way of ([`obstacle`]), before
/// anything is fetched or placed; a dry run only warns. `--force` does not apply: dsfetch never
/// deletes a folder, or a file it would have to replace by a folder, that it did not write.
pub fn refuse_obstacles<'a>(
    root: &Path,
    rels: impl Iterator<Item = &'a str>,
    dry_run: bool,
    reporter: &dyn crate::progress::Reporter,
) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    let found: Vec<(PathBuf, &str)> = rels.filter_map(|r| obstacle(root, r, &mut seen)).collect();
    let Some((first, reason)) = found.first() else {
        return Ok(());
    };
    let more = match found.len() {
        1 => String::new(),
        n => format!(" ({} more path(s) are in the way too)", n - 1),
    };
    let message = format!(
        "{} {reason}{more}",
        crate::sanitize::for_terminal(&first.display().to_string())
    );
    if dry_run {
        reporter.on_event(&crate::progress::Event::Warn(&message));
        return Ok(());
    }
    Err(Error::conflict(message, Some(crate::error::Hint::MoveAway)))
}

/// Renames a verified partial file to its final path inside `root`, creating folders and refusing
/// symlinks on the way.
pub fn move_into_place(root: &Path, part: &Path, dest: &Path) -> Result<()> {
    if let Some(parent) = dest.parent() {
        ensure_no_symlink_between(root, parent)?;
        std::fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
    }
    ensure_no_symlink_between(root, dest)?;
    if dest.is_dir() {
        return Err(Error::conflict(
            format!(
                "{} is a folder, but the dataset has a file there",
                dest.display()
            ),
            Some(crate::error::Hint::MoveAwayOrOverwrite),
        ));
    }
    std::fs::rename(part, dest).map_err(|e| Error::io("moving into place", dest, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_normal_paths() {
        for ok in [
            "a.csv",
            "data/train-00000.parquet",
            "a/b/c.txt",
            ".gitattributes",
            "x..y",
            "..a",
        ] {
            assert!(check_relative(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_escapes() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "C:/x",
            "c:x",
            "\\\\srv\\share",
            "a\\..\\b",
            "a/\u{0}",
            ".dsfetch/record.json",
            "a/",
            "..",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
        let err = join_safe(Path::new("/out"), "../../etc/passwd", "file name").unwrap_err();
        assert!(err.to_string().contains("refused unsafe file name"));
    }

    #[cfg(unix)]
    #[test]
    fn detects_planted_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        let target = dir.path().join("link").join("x.txt");
        assert!(ensure_no_symlink_between(dir.path(), &target).is_err());
        assert!(ensure_no_symlink_between(dir.path(), &dir.path().join("ok/x.txt")).is_ok());
    }
}

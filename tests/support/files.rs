//! File contents for fixtures (random bytes, zips, credentials) and assertions on what a run left.

use std::path::{Path, PathBuf};

/// Deterministic pseudo-random bytes (xorshift), so content is incompressible and reproducible.
pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// The SHA-256 of `data`, lower-case hex (as in lockfiles and `--json`).
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// Every regular file under `dir` (relative paths), skipping dsfetch's `.dsfetch` state folder.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == ".dsfetch" {
                continue;
            }
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Asserts `path` holds exactly the bytes `want`.
#[track_caller]
pub fn assert_file(path: impl AsRef<Path>, want: impl AsRef<[u8]>) {
    let (path, want) = (path.as_ref(), want.as_ref());
    let got = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if got.len() <= 200 && want.len() <= 200 {
        let (g, w) = (String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
        assert_eq!(g, w, "{}", path.display());
    }
    assert!(
        got == want,
        "{}: {} bytes that are not the {} expected",
        path.display(),
        got.len(),
        want.len()
    );
}

/// Asserts the files under `dir` (as [`files_under`] lists them) are exactly `want`.
#[track_caller]
pub fn assert_tree(dir: impl AsRef<Path>, want: &[&str]) {
    assert_eq!(
        files_under(dir.as_ref()),
        want,
        "{}",
        dir.as_ref().display()
    );
}

/// Asserts something exists at `path`.
#[track_caller]
pub fn assert_exists(path: impl AsRef<Path>) {
    let path = path.as_ref();
    assert!(path.exists(), "{} does not exist", path.display());
}

/// Asserts nothing exists at `path`.
#[track_caller]
pub fn assert_no_file(path: impl AsRef<Path>) {
    let path = path.as_ref();
    assert!(!path.exists(), "{} exists", path.display());
}

/// Sets a file's Unix permission bits (nothing elsewhere).
pub fn chmod(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// Builds a zip archive in memory (deflated), for hostile-archive fixtures.
pub fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A zip with a regular file and a symlink entry pointing at `target`.
pub fn zip_with_symlink(link_name: &str, target: &str) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("ok.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"fine\n").unwrap();
    z.add_symlink(link_name, target, zip::write::SimpleFileOptions::default())
        .unwrap();
    z.finish().unwrap().into_inner()
}

/// Writes `~/.kaggle/kaggle.json` in the test HOME with mode 0600.
pub fn write_kaggle_json(home: &Path, username: &str, key: &str) -> PathBuf {
    let dir = home.join(".kaggle");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("kaggle.json");
    std::fs::write(&p, format!(r#"{{"username":"{username}","key":"{key}"}}"#)).unwrap();
    chmod(&p, 0o600);
    p
}

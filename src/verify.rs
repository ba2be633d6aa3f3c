//! Checksums: what the hubs publish (sha256 for LFS, git blob sha1 for regular files, MD5 on
//! Kaggle storage) and the streaming hashers that check them while bytes arrive.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// A published checksum that a download must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// SHA-256 of the content, lower-case hex (HF LFS `lfs.oid`, `X-Linked-Etag`).
    Sha256(String),
    /// Git blob SHA-1 (`sha1("blob <len>\0" + content)`), lower-case hex (HF regular files).
    GitSha1(String),
    /// MD5 of the content, raw 16 bytes (Kaggle storage `x-goog-hash: md5=`).
    Md5([u8; 16]),
}

impl Expected {
    /// The digest in lower-case hex.
    pub fn digest(&self) -> String {
        match self {
            Expected::Sha256(h) | Expected::GitSha1(h) => h.clone(),
            Expected::Md5(m) => hex::encode(m),
        }
    }

    /// What it is, for messages (`sha256 …`).
    pub fn describe(&self) -> String {
        match self {
            Expected::Sha256(h) => format!("sha256 {h}"),
            Expected::GitSha1(h) => format!("git-sha1 {h}"),
            Expected::Md5(m) => format!("md5 {}", hex::encode(m)),
        }
    }
}

/// Whether `s` is `n` lower- or upper-case hex digits.
pub fn is_hex(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses the MD5 out of an `x-goog-hash` header (`crc32c=…,md5=<base64>`); headers may repeat,
/// so pass each value.
pub fn parse_goog_md5<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<[u8; 16]> {
    use base64::Engine;
    for v in values {
        for part in v.split(',') {
            if let Some(b64) = part.trim().strip_prefix("md5=") {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .ok()?;
                return raw.try_into().ok();
            }
        }
    }
    None
}

/// Streaming hashers: sha256 always (it goes into the dataset record), plus whatever the
/// expected checksum needs.
pub struct Hashers {
    sha256: sha2::Sha256,
    git_sha1: Option<sha1::Sha1>,
    md5: Option<md5::Md5>,
    len: u64,
}

/// What the hashers computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    /// Bytes hashed.
    pub len: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Git blob SHA-1 when it was computed.
    pub git_sha1: Option<String>,
    /// MD5 when it was computed.
    pub md5: Option<[u8; 16]>,
}

impl Hashers {
    /// Hashers for content of `total` bytes (git blob ids need the size up front) that must match
    /// `expected`. `want_md5` adds MD5 even when the expected value is not known yet (Kaggle: it
    /// comes with the response headers).
    pub fn new(expected: Option<&Expected>, total: Option<u64>, want_md5: bool) -> Hashers {
        use sha1::Digest as _;
        let git_sha1 = match (expected, total) {
            (Some(Expected::GitSha1(_)), Some(t)) => {
                let mut h = sha1::Sha1::new();
                h.update(format!("blob {t}\0").as_bytes());
                Some(h)
            }
            _ => None,
        };
        let md5 = (want_md5 || matches!(expected, Some(Expected::Md5(_)))).then(md5::Md5::new);
        Hashers {
            sha256: sha2::Sha256::new(),
            git_sha1,
            md5,
            len: 0,
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        use sha1::Digest as _;
        self.sha256.update(data);
        if let Some(h) = &mut self.git_sha1 {
            h.update(data);
        }
        if let Some(h) = &mut self.md5 {
            h.update(data);
        }
        self.len += data.len() as u64;
    }

    /// Bytes fed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Finishes all hashes.
    pub fn finish(self) -> Digests {
        use sha1::Digest as _;
        Digests {
            len: self.len,
            sha256: hex::encode(self.sha256.finalize()),
            git_sha1: self.git_sha1.map(|h| hex::encode(h.finalize())),
            md5: self.md5.map(|h| h.finalize().into()),
        }
    }
}

impl Digests {
    /// Checks these digests against an expected checksum; returns what was found on mismatch.
    pub fn check(&self, expected: &Expected) -> std::result::Result<(), String> {
        let ok = match expected {
            Expected::Sha256(h) => self.sha256.eq_ignore_ascii_case(h),
            Expected::GitSha1(h) => self
                .git_sha1
                .as_deref()
                .is_some_and(|g| g.eq_ignore_ascii_case(h)),
            Expected::Md5(m) => self.md5.as_ref() == Some(m),
        };
        if ok {
            return Ok(());
        }
        Err(match expected {
            Expected::Sha256(_) => format!("sha256 {}", self.sha256),
            Expected::GitSha1(_) => {
                format!("git-sha1 {}", self.git_sha1.clone().unwrap_or_default())
            }
            Expected::Md5(_) => format!("md5 {}", self.md5.map(hex::encode).unwrap_or_default()),
        })
    }
}

/// Feeds the first `len` bytes of the file at `path` into `hashers` (blocking; call from a
/// blocking thread).
pub fn hash_prefix(path: &Path, len: u64, hashers: &mut Hashers) -> Result<()> {
    let f = std::fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
    let mut r = std::io::BufReader::with_capacity(1 << 20, f).take(len);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r
            .read(&mut buf)
            .map_err(|e| Error::io("reading", path, e))?;
        if n == 0 {
            break;
        }
        hashers.update(&buf[..n]);
    }
    if hashers.len() != len {
        return Err(Error::io(
            "reading",
            path,
            std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "file shorter than expected",
            ),
        ));
    }
    Ok(())
}

/// The sha256 of the file at `path` when it is a regular file of `size` bytes whose content
/// matches `expected` (blocking); `None` otherwise.
pub fn file_matches(path: &Path, size: u64, expected: &Expected) -> Option<String> {
    let md = std::fs::symlink_metadata(path).ok()?;
    if !md.is_file() || md.len() != size {
        return None;
    }
    let mut h = Hashers::new(Some(expected), Some(size), false);
    hash_prefix(path, size, &mut h).ok()?;
    let d = h.finish();
    d.check(expected).is_ok().then_some(d.sha256)
}

/// SHA-256 of a whole file, lower-case hex (blocking).
pub fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io("reading", path, e))?
        .len();
    let mut h = Hashers::new(None, None, false);
    hash_prefix(path, len, &mut h)?;
    let d = h.finish();
    Ok((d.len, d.sha256))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_blob_sha1_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        let mut h = Hashers::new(Some(&Expected::GitSha1(String::new())), Some(6), false);
        h.update(b"hello\n");
        let d = h.finish();
        assert_eq!(
            d.git_sha1.as_deref(),
            Some("ce013625030ba8dba906f756967f9e9ca394464a")
        );
        assert_eq!(
            d.sha256,
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
        assert!(
            d.check(&Expected::GitSha1(
                "ce013625030ba8dba906f756967f9e9ca394464a".into()
            ))
            .is_ok()
        );
        assert!(d.check(&Expected::Sha256("00".into())).is_err());
    }

    #[test]
    fn goog_hash() {
        // md5("") = d41d8cd98f00b204e9800998ecf8427e
        let m = parse_goog_md5(["crc32c=AAAAAA==,md5=1B2M2Y8AsgTpgAmY7PhCfg=="]).unwrap();
        assert_eq!(hex::encode(m), "d41d8cd98f00b204e9800998ecf8427e");
        assert!(parse_goog_md5(["crc32c=AAAAAA=="]).is_none());
        assert!(parse_goog_md5(["md5=!!!"]).is_none());
        let h = Hashers::new(Some(&Expected::Md5(m)), None, false);
        assert!(h.finish().check(&Expected::Md5(m)).is_ok());
    }
}

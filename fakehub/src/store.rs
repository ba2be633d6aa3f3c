//! Content storage: [`Blob`] holds the bytes of one file, either in memory or on disk, and
//! computes (once, lazily) the digests the protocols expose: sha256 (HF LFS oid), the git blob
//! sha1 (HF regular-file oid / ETag), md5 and crc32c (GCS `x-goog-hash`).

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Size of the chunks used to hash and to stream blobs (256 KiB).
pub(crate) const CHUNK: usize = 256 * 1024;

/// The bytes of one served file: in memory, or streamed from a file on disk.
///
/// Cloning is cheap (reference counted). Digests are computed on first use and cached.
#[derive(Clone)]
pub struct Blob(Arc<BlobInner>);

struct BlobInner {
    data: BlobData,
    len: u64,
    sha256: OnceLock<[u8; 32]>,
    git_sha1: OnceLock<[u8; 20]>,
    md5: OnceLock<[u8; 16]>,
    crc32c: OnceLock<u32>,
}

enum BlobData {
    Mem(Vec<u8>),
    /// A file on disk, opened for every read.
    Path(PathBuf),
    /// An open (usually already unlinked) temporary file.
    Open(Arc<File>),
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.data {
            BlobData::Mem(_) => write!(f, "Blob::Mem({} bytes)", self.0.len),
            BlobData::Path(p) => write!(f, "Blob::File({}, {} bytes)", p.display(), self.0.len),
            BlobData::Open(_) => write!(f, "Blob::Temp({} bytes)", self.0.len),
        }
    }
}

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Self {
        Blob::from_bytes(v)
    }
}

impl From<&[u8]> for Blob {
    fn from(v: &[u8]) -> Self {
        Blob::from_bytes(v.to_vec())
    }
}

impl From<&str> for Blob {
    fn from(v: &str) -> Self {
        Blob::from_bytes(v.as_bytes().to_vec())
    }
}

impl Blob {
    fn new(data: BlobData, len: u64) -> Blob {
        Blob(Arc::new(BlobInner {
            data,
            len,
            sha256: OnceLock::new(),
            git_sha1: OnceLock::new(),
            md5: OnceLock::new(),
            crc32c: OnceLock::new(),
        }))
    }

    /// A blob held in memory.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Blob {
        let v = bytes.into();
        let len = v.len() as u64;
        Blob::new(BlobData::Mem(v), len)
    }

    /// A blob streamed from `path` on every read. The length is taken now; the file must not
    /// change afterwards.
    ///
    /// # Errors
    /// Fails if the file's metadata cannot be read or it is not a regular file.
    pub fn from_file(path: impl Into<PathBuf>) -> io::Result<Blob> {
        let path = path.into();
        let md = std::fs::metadata(&path)?;
        if !md.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a regular file", path.display()),
            ));
        }
        Ok(Blob::new(BlobData::Path(path), md.len()))
    }

    /// A blob backed by an open file (typically an unlinked temporary file).
    pub(crate) fn from_open_file(file: File) -> io::Result<Blob> {
        let len = file.metadata()?.len();
        Ok(Blob::new(BlobData::Open(Arc::new(file)), len))
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.0.len
    }

    /// Whether the blob has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// The bytes when held in memory.
    pub(crate) fn as_mem(&self) -> Option<&[u8]> {
        match &self.0.data {
            BlobData::Mem(v) => Some(v),
            _ => None,
        }
    }

    /// All the bytes (reads the file when on disk). Meant for small blobs.
    ///
    /// # Errors
    /// I/O errors reading the backing file.
    pub fn to_vec(&self) -> io::Result<Vec<u8>> {
        if let Some(m) = self.as_mem() {
            return Ok(m.to_vec());
        }
        let mut out = Vec::with_capacity(self.0.len as usize);
        self.for_each_chunk(|c| out.extend_from_slice(c))?;
        Ok(out)
    }

    /// A reader able to read any range of the blob (positional reads, thread-safe).
    pub(crate) fn reader(&self) -> io::Result<BlobReader> {
        Ok(match &self.0.data {
            BlobData::Mem(_) => BlobReader::Mem(self.clone()),
            BlobData::Path(p) => BlobReader::File(Arc::new(File::open(p)?)),
            BlobData::Open(f) => BlobReader::File(f.clone()),
        })
    }

    /// Calls `f` with consecutive chunks covering the whole blob.
    fn for_each_chunk(&self, mut f: impl FnMut(&[u8])) -> io::Result<()> {
        match &self.0.data {
            BlobData::Mem(v) => {
                for c in v.chunks(CHUNK) {
                    f(c);
                }
                Ok(())
            }
            _ => {
                let reader = self.reader()?;
                let mut buf = vec![0u8; CHUNK];
                let mut pos = 0u64;
                while pos < self.0.len {
                    let want = (self.0.len - pos).min(CHUNK as u64) as usize;
                    reader.read_exact_at(&mut buf[..want], pos)?;
                    f(&buf[..want]);
                    pos += want as u64;
                }
                Ok(())
            }
        }
    }

    /// sha256 of the content, lower-case hex (the LFS oid / `X-Linked-Etag`).
    ///
    /// # Panics
    /// If a disk-backed blob can no longer be read.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256())
    }

    pub(crate) fn sha256(&self) -> [u8; 32] {
        *self.0.sha256.get_or_init(|| {
            let mut h = Sha256::new();
            self.for_each_chunk(|c| h.update(c))
                .unwrap_or_else(|e| panic!("fakehub: cannot read {self:?}: {e}"));
            h.finalize().into()
        })
    }

    /// Git blob sha1 of the content, `sha1("blob <len>\0" + bytes)`, lower-case hex.
    ///
    /// # Panics
    /// If a disk-backed blob can no longer be read.
    pub fn git_sha1_hex(&self) -> String {
        hex::encode(*self.0.git_sha1.get_or_init(|| {
            let mut h = Sha1::new();
            h.update(format!("blob {}\0", self.0.len).as_bytes());
            self.for_each_chunk(|c| h.update(c))
                .unwrap_or_else(|e| panic!("fakehub: cannot read {self:?}: {e}"));
            h.finalize().into()
        }))
    }

    /// md5 of the content (raw bytes).
    ///
    /// # Panics
    /// If a disk-backed blob can no longer be read.
    pub fn md5(&self) -> [u8; 16] {
        *self.0.md5.get_or_init(|| {
            let mut h = Md5::new();
            self.for_each_chunk(|c| h.update(c))
                .unwrap_or_else(|e| panic!("fakehub: cannot read {self:?}: {e}"));
            h.finalize().into()
        })
    }

    /// CRC32C (Castagnoli) of the content, as GCS reports it.
    ///
    /// # Panics
    /// If a disk-backed blob can no longer be read.
    pub fn crc32c(&self) -> u32 {
        *self.0.crc32c.get_or_init(|| {
            let mut c = Crc32c::new();
            self.for_each_chunk(|b| c.update(b))
                .unwrap_or_else(|e| panic!("fakehub: cannot read {self:?}: {e}"));
            c.finish()
        })
    }
}

/// Positional reader over a blob.
#[derive(Clone)]
pub(crate) enum BlobReader {
    Mem(Blob),
    File(Arc<File>),
}

impl BlobReader {
    /// Fills `buf` with the bytes at `offset`.
    pub(crate) fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        match self {
            BlobReader::Mem(b) => {
                let m = b.as_mem().unwrap_or(&[]);
                let start = usize::try_from(offset).map_err(io::Error::other)?;
                let src = m
                    .get(start..start + buf.len())
                    .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
                buf.copy_from_slice(src);
                Ok(())
            }
            BlobReader::File(f) => read_exact_at(f, buf, offset),
        }
    }
}

#[cfg(unix)]
fn read_exact_at(f: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    f.read_exact_at(buf, offset)
}

#[cfg(windows)]
fn read_exact_at(f: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = f.seek_read(buf, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Creates an anonymous temporary file: created in the system temp directory and unlinked at
/// once on Unix, so it vanishes with the process whatever way it ends.
pub(crate) fn anonymous_temp_file() -> io::Result<File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir();
    loop {
        let name = format!(
            "fakehub-{}-{}-{}.tmp",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            crate::util::now_ms()
        );
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => {
                // On Windows an open file cannot be removed; it is then left in the temp dir.
                let _ = std::fs::remove_file(&path);
                return Ok(f);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Reads a whole file into memory.
pub(crate) fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let mut v = Vec::new();
    File::open(path)?.read_to_end(&mut v)?;
    Ok(v)
}

/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8.
pub(crate) struct Crc32c {
    crc: u32,
}

fn crc_tables() -> &'static [[u32; 256]; 8] {
    static T: OnceLock<Box<[[u32; 256]; 8]>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Box::new([[0u32; 256]; 8]);
        for i in 0..256u32 {
            let mut c = i;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0x82F6_3B78
                } else {
                    c >> 1
                };
            }
            t[0][i as usize] = c;
        }
        for i in 0..256 {
            for k in 1..8 {
                let prev = t[k - 1][i];
                t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            }
        }
        t
    })
}

impl Crc32c {
    pub(crate) fn new() -> Crc32c {
        Crc32c { crc: !0 }
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        let t = crc_tables();
        let mut crc = self.crc;
        while data.len() >= 8 {
            let lo = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) ^ crc;
            let hi = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);
            crc = t[7][(lo & 0xff) as usize]
                ^ t[6][((lo >> 8) & 0xff) as usize]
                ^ t[5][((lo >> 16) & 0xff) as usize]
                ^ t[4][(lo >> 24) as usize]
                ^ t[3][(hi & 0xff) as usize]
                ^ t[2][((hi >> 8) & 0xff) as usize]
                ^ t[1][((hi >> 16) & 0xff) as usize]
                ^ t[0][(hi >> 24) as usize];
            data = &data[8..];
        }
        for &b in data {
            crc = (crc >> 8) ^ t[0][((crc ^ u32::from(b)) & 0xff) as usize];
        }
        self.crc = crc;
    }

    pub(crate) fn finish(&self) -> u32 {
        !self.crc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_known_vector() {
        let mut c = Crc32c::new();
        c.update(b"123456789");
        assert_eq!(c.finish(), 0xE306_9283);
        let mut c = Crc32c::new();
        c.update(&[0u8; 32]);
        assert_eq!(c.finish(), 0x8A91_36AA);
    }

    #[test]
    fn git_sha1_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        let b = Blob::from_bytes(b"hello\n".to_vec());
        assert_eq!(b.git_sha1_hex(), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(
            Blob::from_bytes(Vec::new()).git_sha1_hex(),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
    }

    #[test]
    fn disk_and_memory_agree() {
        let data: Vec<u8> = (0..700_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut f = anonymous_temp_file().unwrap();
        std::io::Write::write_all(&mut f, &data).unwrap();
        let disk = Blob::from_open_file(f).unwrap();
        let mem = Blob::from_bytes(data.clone());
        assert_eq!(disk.len(), mem.len());
        assert_eq!(disk.sha256_hex(), mem.sha256_hex());
        assert_eq!(disk.git_sha1_hex(), mem.git_sha1_hex());
        assert_eq!(disk.md5(), mem.md5());
        assert_eq!(disk.crc32c(), mem.crc32c());
        assert_eq!(disk.to_vec().unwrap(), data);
    }
}

//! Gzipped tar archives: the `archive.tar.gz` of a Kaggle model version, and [`tar_gz`], which
//! writes any entries verbatim (absolute paths, `..`, links, devices, size bombs) for the
//! hostile-input tests of a client (serve them with
//! [`KaggleModel::raw_archive`](crate::KaggleModel::raw_archive)).

use std::collections::BTreeSet;
use std::io::{self, BufWriter, Read, Write};

use flate2::Compression;
use flate2::write::GzEncoder;
use tar::{EntryType, Header};

use crate::store::{Blob, BlobReader, anonymous_temp_file};

/// Modification time written in every entry (2024-01-01T00:00:00Z).
const MTIME: u64 = 1_704_067_200;

/// One entry of a tarball built by [`tar_gz`]. Paths and link targets are written exactly as
/// given (longer than 100 bytes: with a GNU long-name entry first), so they may be absolute,
/// hold `..`, or name anything a hostile archive would.
#[derive(Clone, Debug)]
pub enum TarEntry {
    /// A regular file with these bytes (mode 0644).
    File {
        /// Entry name.
        path: String,
        /// Content.
        bytes: Vec<u8>,
    },
    /// A regular file of `len` zero bytes, streamed (a size bomb: 1 GiB compresses to about
    /// 1 MiB).
    Zeros {
        /// Entry name.
        path: String,
        /// Uncompressed size.
        len: u64,
    },
    /// A directory (mode 0755).
    Dir {
        /// Entry name.
        path: String,
    },
    /// A symbolic link to `target`.
    Symlink {
        /// Entry name.
        path: String,
        /// Link target.
        target: String,
    },
    /// A hard link to the earlier entry `target`.
    HardLink {
        /// Entry name.
        path: String,
        /// Link target.
        target: String,
    },
    /// A named pipe.
    Fifo {
        /// Entry name.
        path: String,
    },
    /// A character device (e.g. 1, 3 for `/dev/null`).
    CharDevice {
        /// Entry name.
        path: String,
        /// Device major number.
        major: u32,
        /// Device minor number.
        minor: u32,
    },
    /// A block device.
    BlockDevice {
        /// Entry name.
        path: String,
        /// Device major number.
        major: u32,
        /// Device minor number.
        minor: u32,
    },
}

fn header(kind: EntryType, mode: u32, size: u64) -> Header {
    let mut h = Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(MTIME);
    h.set_uid(0);
    h.set_gid(0);
    h
}

/// Appends a GNU long-name (`L`) or long-link (`K`) entry when `name` does not fit the header.
fn long_name<W: Write>(b: &mut tar::Builder<W>, kind: EntryType, name: &str) -> io::Result<()> {
    if name.len() <= 100 {
        return Ok(());
    }
    let mut data = name.as_bytes().to_vec();
    data.push(0);
    let mut h = header(kind, 0o644, data.len() as u64);
    h.as_gnu_mut().expect("GNU header").name[..13].copy_from_slice(b"././@LongLink");
    h.set_cksum();
    b.append(&h, data.as_slice())
}

/// Writes `name` into the header's name field verbatim (truncated when a long-name entry
/// carries the whole of it).
fn set_name(h: &mut Header, name: &str) {
    let bytes = name.as_bytes();
    let n = bytes.len().min(100);
    h.as_old_mut().name[..n].copy_from_slice(&bytes[..n]);
}

fn set_link(h: &mut Header, target: &str) {
    let bytes = target.as_bytes();
    let n = bytes.len().min(100);
    h.as_old_mut().linkname[..n].copy_from_slice(&bytes[..n]);
}

fn append_entry<W: Write>(b: &mut tar::Builder<W>, e: &TarEntry) -> io::Result<()> {
    let (path, mut h, link) = match e {
        TarEntry::File { path, bytes } => (
            path,
            header(EntryType::Regular, 0o644, bytes.len() as u64),
            None,
        ),
        TarEntry::Zeros { path, len } => (path, header(EntryType::Regular, 0o644, *len), None),
        TarEntry::Dir { path } => (path, header(EntryType::Directory, 0o755, 0), None),
        TarEntry::Symlink { path, target } => {
            (path, header(EntryType::Symlink, 0o777, 0), Some(target))
        }
        TarEntry::HardLink { path, target } => {
            (path, header(EntryType::Link, 0o644, 0), Some(target))
        }
        TarEntry::Fifo { path } => (path, header(EntryType::Fifo, 0o644, 0), None),
        TarEntry::CharDevice { path, major, minor }
        | TarEntry::BlockDevice { path, major, minor } => {
            let kind = match e {
                TarEntry::CharDevice { .. } => EntryType::Char,
                _ => EntryType::Block,
            };
            let mut h = header(kind, 0o644, 0);
            h.set_device_major(*major)?;
            h.set_device_minor(*minor)?;
            (path, h, None)
        }
    };
    long_name(b, EntryType::GNULongName, path)?;
    set_name(&mut h, path);
    if let Some(t) = link {
        long_name(b, EntryType::GNULongLink, t)?;
        set_link(&mut h, t);
    }
    h.set_cksum();
    match e {
        TarEntry::File { bytes, .. } => b.append(&h, bytes.as_slice()),
        TarEntry::Zeros { len, .. } => b.append(&h, io::repeat(0).take(*len)),
        _ => b.append(&h, io::empty()),
    }
}

/// A gzipped tar of `entries`, in order, each written verbatim (see [`TarEntry`]).
///
/// # Panics
/// On a device number too large for the header (never for in-memory writing otherwise).
pub fn tar_gz(entries: &[TarEntry]) -> Vec<u8> {
    let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    for e in entries {
        append_entry(&mut b, e).unwrap_or_else(|err| panic!("fakehub: tar entry {e:?}: {err}"));
    }
    b.into_inner()
        .and_then(GzEncoder::finish)
        .unwrap_or_else(|e| panic!("fakehub: cannot finish the tarball: {e}"))
}

/// Reads a blob from the start (for archiving a disk-backed file).
struct BlobRead {
    r: BlobReader,
    pos: u64,
    len: u64,
}

impl Read for BlobRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (self.len - self.pos).min(buf.len() as u64) as usize;
        self.r.read_exact_at(&mut buf[..n], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

fn write_tar<W: Write>(w: W, files: &[(String, Blob)], level: u32) -> io::Result<W> {
    let mut b = tar::Builder::new(GzEncoder::new(w, Compression::new(level)));
    let mut dirs = BTreeSet::new();
    for (path, blob) in files {
        // Each folder once, before its first file, as `tar -c` lists them.
        let mut parents: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
        parents.retain(|d| !d.is_empty());
        for d in parents {
            if dirs.insert(d.to_string()) {
                let mut h = header(EntryType::Directory, 0o755, 0);
                b.append_data(&mut h, format!("{d}/"), io::empty())?;
            }
        }
        let mut h = header(EntryType::Regular, 0o644, blob.len());
        match blob.as_mem() {
            Some(m) => b.append_data(&mut h, path, m)?,
            None => {
                let r = BlobRead {
                    r: blob.reader()?,
                    pos: 0,
                    len: blob.len(),
                };
                b.append_data(&mut h, path, r)?
            }
        }
    }
    b.into_inner()?.finish()
}

/// The `archive.tar.gz` of a model version: GNU tar, files at the root with their folders,
/// mode 0644 (folders 0755), owner 0, a fixed mtime; in memory when small, else in an anonymous
/// temp file.
pub(crate) fn build_tar_gz(files: &[(String, Blob)]) -> io::Result<Blob> {
    let mut files = files.to_vec();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let total: u64 = files.iter().map(|(_, b)| b.len()).sum();
    if total > 64 * 1024 * 1024 || files.iter().any(|(_, b)| b.as_mem().is_none()) {
        let f = anonymous_temp_file()?;
        let w = write_tar(BufWriter::with_capacity(1 << 20, f), &files, 1)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_data().ok();
        Blob::from_open_file(f)
    } else {
        Ok(Blob::from_bytes(write_tar(Vec::new(), &files, 6)?))
    }
}

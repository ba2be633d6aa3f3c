//! Every `unsafe` block and `libc` call of the crate, behind safe functions: mapping part of a
//! file, vectored positional writes, early writeback, positional reads, and free disk space.
//!
//! Each function degrades to a plain, portable equivalent (or to "unknown") where the system
//! call does not exist, so callers need no `cfg` of their own.

#![allow(unsafe_code)]

use std::path::Path;

/// A read-only mapping of part of a file, unmapped on drop.
///
/// The caller guarantees the file is not truncated while mapped (a truncated mapping faults):
/// the partial file belongs to this download alone (the folder is locked), and every exit of
/// the parallel download (`ranged::download`) joins the hashing thread before anything may
/// shorten the file.
#[cfg(unix)]
pub(crate) struct Mapped {
    base: *mut libc::c_void,
    map_len: usize,
    skip: usize,
    len: usize,
}

#[cfg(unix)]
impl Mapped {
    /// Maps `len` bytes of `file` from `pos`; `None` when the system refuses (the caller then
    /// reads the bytes instead).
    pub(crate) fn new(file: &std::fs::File, pos: u64, len: usize) -> Option<Mapped> {
        use std::os::fd::AsRawFd;
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        let page = u64::try_from(page).ok().filter(|p| *p > 0)?;
        let start = pos / page * page;
        let skip = (pos - start) as usize;
        let map_len = skip + len;
        let offset = libc::off_t::try_from(start).ok()?;
        // SAFETY: a fresh read-only shared mapping of a range inside the file (the caller only
        // maps bytes already written, below the preallocated length); checked for failure below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ,
                libc::MAP_SHARED | populate_flag(),
                file.as_raw_fd(),
                offset,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        Some(Mapped {
            base,
            map_len,
            skip,
            len,
        })
    }

    /// The mapped bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping covers `skip + len` readable bytes and lives as long as `self`.
        unsafe { std::slice::from_raw_parts((self.base as *const u8).add(self.skip), self.len) }
    }
}

#[cfg(all(unix, any(target_os = "linux", target_os = "android")))]
fn populate_flag() -> libc::c_int {
    // Fault the window in with one call instead of a fault per few pages.
    libc::MAP_POPULATE
}

#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
fn populate_flag() -> libc::c_int {
    0
}

#[cfg(unix)]
impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: `base`/`map_len` are exactly what mmap returned; no slice outlives `self`.
        unsafe {
            libc::munmap(self.base, self.map_len);
        }
    }
}

/// Reads exactly `buf.len()` bytes of `f` at offset `off`, without moving a file position.
#[cfg(unix)]
pub(crate) fn read_exact_at(f: &std::fs::File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, off)
}

/// Reads exactly `buf.len()` bytes of `f` at offset `off`.
#[cfg(windows)]
pub(crate) fn read_exact_at(
    f: &std::fs::File,
    mut buf: &mut [u8],
    mut off: u64,
) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_read(buf, off)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                off += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_all_at(f: &std::fs::File, mut buf: &[u8], mut off: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_write(buf, off)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                off += n as u64;
            }
        }
    }
    Ok(())
}

/// Writes all of `buf` at `off`.
pub(crate) fn write_at(f: &std::fs::File, buf: &[u8], off: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        f.write_all_at(buf, off)
    }
    #[cfg(windows)]
    {
        write_all_at(f, buf, off)
    }
}

/// Writes all `parts`, one after the other, at `off`: one `pwritev` per 64 parts, resuming
/// after short writes.
#[cfg(unix)]
pub(crate) fn write_parts_at(
    f: &std::fs::File,
    parts: &[bytes::Bytes],
    mut off: u64,
) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let (mut idx, mut skip) = (0usize, 0usize);
    while idx < parts.len() {
        let iov: Vec<libc::iovec> = parts[idx..]
            .iter()
            .take(64)
            .enumerate()
            .map(|(k, b)| {
                let s = if k == 0 { &b[skip..] } else { &b[..] };
                libc::iovec {
                    iov_base: s.as_ptr() as *mut libc::c_void,
                    iov_len: s.len(),
                }
            })
            .collect();
        let off_t = libc::off_t::try_from(off).map_err(std::io::Error::other)?;
        // SAFETY: every iovec points into a `Bytes` borrowed for the duration of the call, with
        // its exact length; the descriptor is open for writing.
        let n = unsafe { libc::pwritev(f.as_raw_fd(), iov.as_ptr(), iov.len() as i32, off_t) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        let mut n = n as usize;
        off += n as u64;
        while n > 0 {
            let rest = parts[idx].len() - skip;
            if n >= rest {
                n -= rest;
                idx += 1;
                skip = 0;
            } else {
                skip += n;
                n = 0;
            }
        }
    }
    Ok(())
}

/// Writes all `parts`, one after the other, at `off`.
#[cfg(not(unix))]
pub(crate) fn write_parts_at(
    f: &std::fs::File,
    parts: &[bytes::Bytes],
    mut off: u64,
) -> std::io::Result<()> {
    for p in parts {
        write_all_at(f, p, off)?;
        off += p.len() as u64;
    }
    Ok(())
}

/// Asks the kernel to start writing a completed chunk to disk now, without waiting: the final
/// `fdatasync` then has only the last chunks left (syncing a whole 1 GiB file at the end cost
/// 0.4 s here; spread over the transfer it costs next to nothing).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn start_writeback(file: &std::fs::File, start: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(off), Ok(n)) = (libc::off64_t::try_from(start), libc::off64_t::try_from(len)) else {
        return;
    };
    // SAFETY: plain system call on an open descriptor; a failure only means no early writeback.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), off, n, libc::SYNC_FILE_RANGE_WRITE);
    }
}

/// Asks the kernel to start writing a completed chunk to disk now (not available here: the
/// final sync does it all).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn start_writeback(_file: &std::fs::File, _start: u64, _len: u64) {}

/// Bytes available to an unprivileged user on the file system holding `path` (or its nearest
/// existing ancestor); `None` when unknown.
pub(crate) fn free_space(path: &Path) -> Option<u64> {
    let mut p = path;
    while !p.exists() {
        p = p.parent()?;
        if p.as_os_str().is_empty() {
            p = Path::new(".");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
        // SAFETY: `statvfs` is a plain C struct of integers, for which all zeroes is a value.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized out-parameter.
        let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
        if rc != 0 {
            return None;
        }
        Some((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        None
    }
}

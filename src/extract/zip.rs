//! Zip archives (a Kaggle dataset version, a competition's data, a file the service wrapped).
//! CRC-32 is checked for every entry (the zip reader fails on a mismatch).

use std::io::Seek;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// How messages name an entry of a zip.
const ZIP: &str = "zip entry";

use super::{Extracted, Limits, bad_archive, check_file_folder_clash, entry_name, unsafe_entry};
use crate::error::{Error, Result};
use crate::verify::Hashers;

/// Lists the entries of the archive, checks them all, and returns (name, is_dir, declared size).
fn plan<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    archive_path: &Path,
    archive_len: u64,
    limits: &Limits,
) -> Result<Vec<(usize, String, bool, u64)>> {
    if archive.len() > limits.max_entries {
        return Err(unsafe_entry(
            ZIP,
            "",
            &format!("more than {} entries", limits.max_entries),
        ));
    }
    let max_total = archive_len
        .saturating_mul(limits.max_ratio)
        .max(limits.floor);
    let mut out = Vec::with_capacity(archive.len());
    let mut names = std::collections::HashSet::new();
    let mut dirs = std::collections::HashSet::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let f = archive
            .by_index_raw(i)
            .map_err(|e| bad_archive(archive_path, e))?;
        let raw = String::from_utf8_lossy(f.name_raw()).into_owned();
        let (name, is_dir) = entry_name(ZIP, &raw)?;
        if f.is_symlink() {
            return Err(unsafe_entry(ZIP, &raw, "symbolic link"));
        }
        if f.encrypted() {
            return Err(unsafe_entry(ZIP, &raw, "encrypted entry"));
        }
        if is_dir || f.is_dir() {
            dirs.insert(name.clone());
            out.push((i, name, true, 0));
            continue;
        }
        if !names.insert(name.clone()) {
            return Err(unsafe_entry(ZIP, &raw, "duplicate entry"));
        }
        total = total.saturating_add(f.size());
        if total > max_total {
            return Err(unsafe_entry(
                ZIP,
                &raw,
                &format!(
                    "the archive would expand to more than {} bytes (zip bomb guard)",
                    max_total
                ),
            ));
        }
        out.push((i, name, false, f.size()));
    }
    // A name that is a file and also a folder (explicitly, or as a parent of another file).
    check_file_folder_clash(ZIP, &names, out.iter().map(|(_, n, d, _)| (n.as_str(), *d)))?;
    let _ = dirs;
    Ok(out)
}

/// Extracts `archive` into `staging` (created; must not exist or be empty). Returns the files,
/// in archive order.
///
/// Entries are inflated on as many threads as there are cores (each with its own handle on the
/// archive and a 256 KiB buffer, so memory stays bounded whatever the archive's size), the
/// largest entries first so that the threads finish together.
pub fn extract_zip(archive_path: &Path, staging: &Path, limits: &Limits) -> Result<Vec<Extracted>> {
    let len = std::fs::metadata(archive_path)
        .map_err(|e| Error::io("reading", archive_path, e))?
        .len();
    let open =
        || std::fs::File::open(archive_path).map_err(|e| Error::io("opening", archive_path, e));
    extract_from(
        archive_path,
        len,
        &open,
        staging,
        limits,
        Order::LargestFirst,
    )
}

/// Extracts an archive that is still arriving in parallel chunks (see
/// [`crate::transfer::Availability`]): reads block until their bytes are written, so entries are
/// inflated while later chunks are still in flight, in archive order. The archive is not verified
/// yet: use the result only if the download then verifies (entries' CRCs are checked anyway).
/// Fails if the download stops before the bytes arrive.
pub fn extract_zip_streaming(
    avail: &std::sync::Arc<crate::transfer::Availability>,
    staging: &Path,
    limits: &Limits,
) -> Result<Vec<Extracted>> {
    let path = avail.path().to_path_buf();
    let open = || crate::transfer::AvailableReader::open(avail.clone());
    extract_from(&path, avail.total(), &open, staging, limits, Order::Archive)
}

/// The order in which threads take entries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Largest first: threads finish together.
    LargestFirst,
    /// As stored: follows an archive that arrives front to back.
    Archive,
}

fn extract_from<R: Read + Seek + Send>(
    archive_path: &Path,
    archive_len: u64,
    open: &(dyn Fn() -> Result<R> + Sync),
    staging: &Path,
    limits: &Limits,
    order: Order,
) -> Result<Vec<Extracted>> {
    let mut archive = zip::ZipArchive::new(open()?).map_err(|e| bad_archive(archive_path, e))?;
    let entries = plan(&mut archive, archive_path, archive_len, limits)?;
    let max_total = archive_len
        .saturating_mul(limits.max_ratio)
        .max(limits.floor);
    let declared_total: u64 = entries.iter().map(|e| e.3).sum();
    std::fs::create_dir_all(staging).map_err(|e| Error::io("creating folder", staging, e))?;
    // Folders first, on this thread: the workers then only create files.
    let mut files = Vec::new();
    for (position, (i, name, is_dir, declared)) in entries.into_iter().enumerate() {
        let dest = crate::paths::join_safe(staging, &name, "zip entry")?;
        let dir = if is_dir {
            Some(dest.as_path())
        } else {
            dest.parent()
        };
        if let Some(d) = dir {
            std::fs::create_dir_all(d).map_err(|e| Error::io("creating folder", d, e))?;
        }
        if !is_dir {
            files.push(Job {
                position,
                index: i,
                name,
                declared,
                dest,
            });
        }
    }
    if order == Order::LargestFirst {
        files.sort_by_key(|j| std::cmp::Reverse(j.declared));
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len())
        .max(1);
    let shared = Shared {
        archive_path,
        jobs: files,
        next: AtomicUsize::new(0),
        written_total: AtomicU64::new(0),
        max_total,
        declared_total,
        failed: AtomicBool::new(false),
    };
    let mut archive = Some(archive);
    let results: Vec<Result<Vec<(usize, Extracted)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                // The first thread reuses the archive already open; the others open their own.
                let mine = archive.take();
                let shared = &shared;
                scope.spawn(move || {
                    let archive = match mine {
                        Some(a) => a,
                        None => zip::ZipArchive::new(open()?)
                            .map_err(|e| bad_archive(shared.archive_path, e))?,
                    };
                    extract_jobs(archive, shared)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::conflict("extraction thread panicked", None)))
            })
            .collect()
    });
    let mut out = Vec::new();
    let mut first_err = None;
    for r in results {
        match r {
            Ok(v) => out.extend(v),
            // A refusal (zip bomb, bad entry) wins over the "stopped early" of other threads.
            Err(e) if first_err.is_none() || !matches!(e, Error::Conflict { .. }) => {
                first_err = Some(e)
            }
            Err(_) => {}
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    out.sort_by_key(|(position, _)| *position);
    Ok(out.into_iter().map(|(_, e)| e).collect())
}

/// One file entry to extract.
struct Job {
    /// Position in the archive's listing (results are returned in this order).
    position: usize,
    /// Index in the zip.
    index: usize,
    name: String,
    declared: u64,
    dest: PathBuf,
}

/// What the extraction threads share: the work queue, the bomb guard's running total and a
/// stop flag.
struct Shared<'a> {
    archive_path: &'a Path,
    jobs: Vec<Job>,
    next: AtomicUsize,
    written_total: AtomicU64,
    max_total: u64,
    /// What the entries declare in all, to say how much space a full disk lacks.
    declared_total: u64,
    failed: AtomicBool,
}

/// On a full disk, says how much more the extraction needs.
fn no_space(shared: &Shared<'_>, e: Error) -> Error {
    let written = shared.written_total.load(Ordering::Relaxed);
    e.with_space_needed(Some(shared.declared_total.saturating_sub(written)))
}

/// Extracts `jobs` from `archive` (one thread's share), hashing each file as it is written.
fn extract_jobs<R: Read + Seek>(
    mut archive: zip::ZipArchive<R>,
    shared: &Shared<'_>,
) -> Result<Vec<(usize, Extracted)>> {
    let archive_path = shared.archive_path;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let fail = |e: Error| {
        shared.failed.store(true, Ordering::SeqCst);
        Err(e)
    };
    while let Some(job) = shared.jobs.get(shared.next.fetch_add(1, Ordering::SeqCst)) {
        if shared.failed.load(Ordering::SeqCst) {
            return Err(Error::conflict("extraction stopped", None));
        }
        let Job {
            position,
            index,
            name,
            declared,
            dest,
        } = job;
        let (index, declared) = (*index, *declared);
        let mut entry = match archive.by_index(index) {
            Ok(e) => e,
            Err(e) => return fail(bad_archive(archive_path, e)),
        };
        let file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dest)
        {
            Ok(f) => f,
            Err(e) => return fail(Error::io("writing", dest, e)),
        };
        let mut w = std::io::BufWriter::with_capacity(256 * 1024, file);
        let mut hashers = Hashers::new(None, None, false);
        let mut size: u64 = 0;
        loop {
            let n = match entry.read(&mut buf) {
                Ok(n) => n,
                Err(e) => return fail(bad_archive(archive_path, format!("{name}: {e}"))),
            };
            if n == 0 {
                break;
            }
            size += n as u64;
            let total = shared.written_total.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
            if size > declared || total > shared.max_total {
                drop(w);
                let _ = std::fs::remove_file(dest);
                return fail(unsafe_entry(
                    ZIP,
                    name,
                    "the entry expands beyond its declared size (zip bomb guard)",
                ));
            }
            hashers.update(&buf[..n]);
            if let Err(e) = w.write_all(&buf[..n]) {
                return fail(no_space(shared, Error::io("writing", dest, e)));
            }
        }
        if let Err(e) = w.flush() {
            return fail(no_space(shared, Error::io("writing", dest, e)));
        }
        if size != declared {
            return fail(bad_archive(
                archive_path,
                format!("{name}: {size} bytes instead of {declared}"),
            ));
        }
        out.push((
            *position,
            Extracted {
                path: name.clone(),
                size,
                sha256: hashers.finish().sha256,
            },
        ));
    }
    Ok(out)
}

/// Extracts the single member `member` of a zip that wraps one file (Kaggle's `<file>.zip`)
/// to `dest`. Falls back to the only member when the archive has exactly one, whatever its name.
pub fn unwrap_single(
    archive_path: &Path,
    member: &str,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted> {
    let staging = PathBuf::from(format!("{}.unzip", archive_path.display()));
    let _ = std::fs::remove_dir_all(&staging);
    let files = extract_zip(archive_path, &staging, limits)?;
    let pick = files
        .iter()
        .find(|f| f.path == member)
        .or_else(|| (files.len() == 1).then(|| &files[0]))
        .cloned();
    let Some(found) = pick else {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(bad_archive(
            archive_path,
            format!("it does not contain {member}"),
        ));
    };
    let src = staging.join(&found.path);
    std::fs::rename(&src, dest).map_err(|e| Error::io("moving into place", dest, e))?;
    let _ = std::fs::remove_dir_all(&staging);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zip::write::SimpleFileOptions;

    fn make_zip(path: &Path, entries: &[(&str, &[u8])]) {
        let f = std::fs::File::create(path).unwrap();
        let mut z = zip::ZipWriter::new(f);
        for (n, data) in entries {
            z.start_file(*n, SimpleFileOptions::default()).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
    }

    #[test]
    fn extracts_and_hashes() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a.zip");
        make_zip(&a, &[("x.csv", b"1,2\n"), ("sub/y.txt", b"hello\n")]);
        let out = extract_zip(&a, &d.path().join("s"), &Limits::default()).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(
            std::fs::read(d.path().join("s/sub/y.txt")).unwrap(),
            b"hello\n"
        );
        assert_eq!(
            out[1].sha256,
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
    }

    #[test]
    fn refuses_traversal_and_duplicates() {
        let d = tempfile::tempdir().unwrap();
        for (i, bad) in [
            "../evil.txt",
            "/abs.txt",
            "a/../../b",
            "C:/x.txt",
            "..\\win.txt",
        ]
        .iter()
        .enumerate()
        {
            let a = d.path().join(format!("{i}.zip"));
            make_zip(&a, &[("ok.txt", b"ok"), (bad, b"evil")]);
            let staging = d.path().join(format!("s{i}"));
            let e = extract_zip(&a, &staging, &Limits::default()).unwrap_err();
            assert!(
                e.to_string().contains("refused unsafe zip entry"),
                "{bad}: {e}"
            );
            assert!(
                !staging.exists(),
                "nothing is written when an entry is refused"
            );
        }
        assert!(!d.path().parent().unwrap().join("evil.txt").exists());
        // (Duplicate names: the zip crate already refuses them when reading the central directory,
        // which surfaces as a damaged-archive error; `plan` checks again in case that changes.)
    }

    #[test]
    fn stops_bombs() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("bomb.zip");
        let zeros = vec![0u8; 4 << 20];
        make_zip(&a, &[("zeros.bin", &zeros)]);
        let limits = Limits {
            max_ratio: 10,
            floor: 1024,
            max_entries: 10,
        };
        let e = extract_zip(&a, &d.path().join("s"), &limits).unwrap_err();
        assert!(e.to_string().contains("zip bomb"), "{e}");
    }

    #[test]
    fn detects_crc_mismatch() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("c.zip");
        let f = std::fs::File::create(&a).unwrap();
        let mut z = zip::ZipWriter::new(f);
        z.start_file(
            "x.txt",
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        z.write_all(b"hello world").unwrap();
        z.finish().unwrap();
        let mut bytes = std::fs::read(&a).unwrap();
        let pos = bytes.windows(11).position(|w| w == b"hello world").unwrap();
        bytes[pos] = b'J';
        std::fs::write(&a, bytes).unwrap();
        let e = extract_zip(&a, &d.path().join("s"), &Limits::default()).unwrap_err();
        assert_eq!(e.kind().exit_code(), 6, "{e}");
    }
}

//! Gzipped tar archives (a Kaggle model version's `archive.tar.gz`), with the same rules as zips.
//! The headers are all read and checked first (names, types, sizes); nothing is written unless
//! every entry passes. Then the files are written into the staging folder, each hashed, and each
//! must produce exactly the bytes its header declares.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::Path;

use flate2::read::GzDecoder;

use super::{Extracted, Limits, bad_archive, check_file_folder_clash, entry_name, unsafe_entry};
use crate::error::{Error, Result};
use crate::verify::Hashers;

/// How messages name an entry of a tar.
const TAR: &str = "tar entry";

/// One checked entry: its name, whether it is a folder, its declared size.
struct Planned {
    name: String,
    is_dir: bool,
    size: u64,
}

fn open(archive: &Path) -> Result<tar::Archive<GzDecoder<std::fs::File>>> {
    let f = std::fs::File::open(archive).map_err(|e| Error::io("reading", archive, e))?;
    Ok(tar::Archive::new(GzDecoder::new(f)))
}

/// The raw name of an entry, as the archive spells it (long names and pax paths included).
fn raw_name(e: &tar::Entry<'_, impl Read>) -> String {
    String::from_utf8_lossy(&e.path_bytes()).into_owned()
}

/// Reads every header and checks it, before anything is written.
fn plan(archive: &Path, limits: &Limits) -> Result<Vec<Planned>> {
    let len = std::fs::metadata(archive)
        .map_err(|e| Error::io("reading", archive, e))?
        .len();
    let max_total = len.saturating_mul(limits.max_ratio).max(limits.floor);
    let mut ar = open(archive)?;
    let mut out = Vec::new();
    let mut names = HashSet::new();
    let mut total: u64 = 0;
    for entry in ar.entries().map_err(|e| bad_archive(archive, e))? {
        let e = entry.map_err(|e| bad_archive(archive, e))?;
        let raw = raw_name(&e);
        let kind = e.header().entry_type();
        let is_dir = kind.is_dir();
        if !(is_dir || kind.is_file()) {
            let what = if kind.is_symlink() || kind.is_hard_link() {
                "link"
            } else if kind.is_character_special() || kind.is_block_special() || kind.is_fifo() {
                "device or FIFO"
            } else {
                "unsupported entry type"
            };
            return Err(unsafe_entry(TAR, &raw, what));
        }
        let (name, _) = entry_name(TAR, raw.trim_start_matches("./"))?;
        if out.len() >= limits.max_entries {
            return Err(unsafe_entry(
                TAR,
                "",
                &format!("more than {} entries", limits.max_entries),
            ));
        }
        if is_dir {
            out.push(Planned {
                name,
                is_dir: true,
                size: 0,
            });
            continue;
        }
        if !names.insert(name.clone()) {
            return Err(unsafe_entry(TAR, &raw, "duplicate entry"));
        }
        let size = e.header().size().map_err(|e| bad_archive(archive, e))?;
        total = total.saturating_add(size);
        if total > max_total {
            return Err(unsafe_entry(
                TAR,
                &raw,
                &format!("the archive would expand to more than {max_total} bytes (bomb guard)"),
            ));
        }
        out.push(Planned {
            name,
            is_dir: false,
            size,
        });
    }
    check_file_folder_clash(TAR, &names, out.iter().map(|p| (p.name.as_str(), p.is_dir)))?;
    Ok(out)
}

/// Extracts a gzipped tar into `staging` (created): every entry checked first (see the module
/// documentation). Returns the files, in archive order.
pub fn extract_tar_gz(archive: &Path, staging: &Path, limits: &Limits) -> Result<Vec<Extracted>> {
    let planned = plan(archive, limits)?;
    std::fs::create_dir_all(staging).map_err(|e| Error::io("creating folder", staging, e))?;
    let mut ar = open(archive)?;
    let mut out = Vec::new();
    let mut plan_iter = planned.iter();
    for entry in ar.entries().map_err(|e| bad_archive(archive, e))? {
        let mut e = entry.map_err(|e| bad_archive(archive, e))?;
        let Some(p) = plan_iter.next() else {
            return Err(bad_archive(archive, "entries changed between two reads"));
        };
        let dest = crate::paths::join_safe(staging, &p.name, TAR)?;
        if p.is_dir {
            std::fs::create_dir_all(&dest).map_err(|e| Error::io("creating folder", &dest, e))?;
            continue;
        }
        out.push(write_entry(&mut e, p, &dest, archive)?);
    }
    Ok(out)
}

/// Writes one file, hashing it; it must be exactly its declared size.
fn write_entry(e: &mut impl Read, p: &Planned, dest: &Path, archive: &Path) -> Result<Extracted> {
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
    }
    let mut f = std::fs::File::create(dest).map_err(|e| Error::io("writing", dest, e))?;
    let mut hashers = Hashers::new(None, Some(p.size), false);
    let mut buf = vec![0u8; 256 << 10];
    let mut limited = e.take(p.size + 1);
    loop {
        let n = limited
            .read(&mut buf)
            .map_err(|err| bad_archive(archive, err))?;
        if n == 0 {
            break;
        }
        hashers.update(&buf[..n]);
        if hashers.len() > p.size {
            return Err(unsafe_entry(
                TAR,
                &p.name,
                "more bytes than its header declares",
            ));
        }
        f.write_all(&buf[..n])
            .map_err(|err| Error::io("writing", dest, err))?;
    }
    if hashers.len() != p.size {
        return Err(bad_archive(archive, format!("{} is cut short", p.name)));
    }
    f.sync_data()
        .map_err(|err| Error::io("syncing", dest, err))?;
    let d = hashers.finish();
    Ok(Extracted {
        path: p.name.clone(),
        size: d.len,
        sha256: d.sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targz(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        build(&mut b);
        let raw = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw).unwrap();
        gz.finish().unwrap()
    }

    fn file(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        // `append_data` would refuse hostile names: write the name into the header directly.
        let bytes = name.as_bytes();
        h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        h.set_cksum();
        b.append(&h, data).unwrap();
    }

    fn special(b: &mut tar::Builder<Vec<u8>>, name: &str, kind: tar::EntryType) {
        let mut h = tar::Header::new_gnu();
        h.set_size(0);
        h.set_entry_type(kind);
        h.set_path(name).unwrap();
        if kind.is_symlink() || kind.is_hard_link() {
            h.set_link_name("/etc/passwd").unwrap();
        }
        h.set_cksum();
        b.append(&h, &[][..]).unwrap();
    }

    fn run(bytes: Vec<u8>) -> (tempfile::TempDir, Result<Vec<Extracted>>) {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.tar.gz");
        std::fs::write(&a, bytes).unwrap();
        let r = extract_tar_gz(&a, &dir.path().join("staging"), &Limits::default());
        (dir, r)
    }

    #[test]
    fn extracts_files_and_folders_with_their_hashes() {
        let (dir, r) = run(targz(|b| {
            file(b, "model.bin", b"weights");
            file(b, "sub/config.json", b"{}");
        }));
        let files = r.unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[1].path, "sub/config.json");
        assert_eq!(
            std::fs::read(dir.path().join("staging/model.bin")).unwrap(),
            b"weights"
        );
    }

    #[test]
    fn hostile_entries_are_refused_with_nothing_written() {
        use tar::EntryType as T;
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("absolute", targz(|b| file(b, "/etc/evil", b"x"))),
            ("dot-dot", targz(|b| file(b, "a/../../evil", b"x"))),
            ("symlink", targz(|b| special(b, "link", T::Symlink))),
            ("hard link", targz(|b| special(b, "hard", T::Link))),
            ("device", targz(|b| special(b, "dev", T::Char))),
            ("fifo", targz(|b| special(b, "fifo", T::Fifo))),
            (
                "duplicate",
                targz(|b| {
                    file(b, "a", b"1");
                    file(b, "a", b"2");
                }),
            ),
            (
                "file and folder",
                targz(|b| {
                    file(b, "a", b"1");
                    file(b, "a/b", b"2");
                }),
            ),
        ];
        for (what, bytes) in cases {
            // A good file first: it must not be written either.
            let (dir, r) = run(bytes);
            let e = r.expect_err(what);
            assert!(e.to_string().contains("tar entry"), "{what}: {e}");
            assert!(
                !dir.path().join("staging").exists(),
                "{what}: nothing written"
            );
        }
    }

    #[test]
    fn a_size_bomb_is_stopped_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.tar.gz");
        std::fs::write(&a, targz(|b| file(b, "zeros", &vec![0u8; 4 << 20]))).unwrap();
        let tight = Limits {
            max_ratio: 10,
            floor: 1 << 20,
            max_entries: 10,
        };
        let e = extract_tar_gz(&a, &dir.path().join("s"), &tight).unwrap_err();
        assert!(e.to_string().contains("bomb"), "{e}");
        assert!(!dir.path().join("s").exists());
    }

    #[test]
    fn a_damaged_archive_is_an_integrity_error() {
        let mut bytes = targz(|b| file(b, "a", &[7u8; 100_000]));
        let n = bytes.len();
        bytes.truncate(n / 2);
        let (_dir, r) = run(bytes);
        assert_eq!(r.unwrap_err().kind().exit_code(), 6);
    }
}

//! Deflate zips of a version's files: the whole-dataset archive and single zipped files.

use std::io::{self, BufWriter, Cursor, Seek, Write};

use crate::store::{Blob, CHUNK, anonymous_temp_file};

fn zip_err(e: zip::result::ZipError) -> io::Error {
    io::Error::other(e)
}

fn write_zip<W: Write + Seek>(w: W, files: &[(String, Blob)], level: Option<i64>) -> io::Result<W> {
    use zip::write::SimpleFileOptions;
    let mut z = zip::ZipWriter::new(w);
    let when = zip::DateTime::from_date_and_time(2024, 1, 1, 0, 0, 0).map_err(io::Error::other)?;
    let mut buf = vec![0u8; CHUNK];
    for (name, blob) in files {
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(level)
            .last_modified_time(when)
            .large_file(blob.len() >= u64::from(u32::MAX));
        z.start_file(name.as_str(), opts).map_err(zip_err)?;
        if let Some(m) = blob.as_mem() {
            z.write_all(m)?;
        } else {
            let r = blob.reader()?;
            let mut pos = 0;
            while pos < blob.len() {
                let n = (blob.len() - pos).min(CHUNK as u64) as usize;
                r.read_exact_at(&mut buf[..n], pos)?;
                z.write_all(&buf[..n])?;
                pos += n as u64;
            }
        }
    }
    z.finish().map_err(zip_err)
}

/// Builds a deflate zip of `files`; in memory when small, else in an anonymous temp file.
pub(crate) fn build_zip(files: &[(String, Blob)]) -> io::Result<Blob> {
    let total: u64 = files.iter().map(|(_, b)| b.len()).sum();
    let on_disk = total > 64 * 1024 * 1024 || files.iter().any(|(_, b)| b.as_mem().is_none());
    if on_disk {
        let f = anonymous_temp_file()?;
        let w = write_zip(BufWriter::with_capacity(1 << 20, f), files, Some(1))?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_data().ok();
        Blob::from_open_file(f)
    } else {
        let c = write_zip(Cursor::new(Vec::new()), files, None)?;
        Ok(Blob::from_bytes(c.into_inner()))
    }
}

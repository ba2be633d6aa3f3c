//! Fuzz harnesses: one function per fuzz target in `fuzz/` (cargo-fuzz), also replayed over the
//! committed seed corpus by the test suite. Each takes arbitrary bytes and checks invariants with
//! assertions: no panic, no path outside the output folder, no control character reaching a
//! terminal, bounded output. Not part of the supported API.

use std::path::Path;

use crate::source::hf::api as hf;
use crate::source::kaggle::api as kaggle;
use crate::{extract, http, id, manifest, paths, sanitize, verify};

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn assert_terminal_safe(s: &str) {
    assert!(
        !s.chars().any(|c| c.is_control() && c != ' '),
        "control character survived sanitising: {s:?}"
    );
}

/// Dataset ids and URLs: parsing never panics, accepted ids round-trip, folder names stay one
/// safe path component.
pub fn ids(data: &[u8]) {
    let s = text(data);
    if let Ok(h) = id::parse_hf(&s) {
        let folder = h.folder_name();
        assert!(paths::check_relative(&folder).is_ok() && folder.matches('/').count() <= 1);
        let again = id::parse_hf(&h.to_string()).expect("a parsed HF id re-parses");
        assert_eq!(again.repo, h.repo);
        assert_eq!(again.revision, h.revision);
        assert_eq!(again.kind, h.kind);
    }
    if let Ok(d) = id::parse_kaggle_ref(&s) {
        let folder = d.folder_name();
        assert!(paths::check_relative(&folder).is_ok() && folder.matches('/').count() <= 1);
        let again = id::parse_kaggle_ref(&d.to_string()).expect("a Kaggle ref re-parses");
        assert_eq!(again, d);
    }
    if let Ok(k) = id::parse_kaggle(&s) {
        assert!(paths::check_relative(&k.slug).is_ok() && !k.slug.contains('/'));
        assert_eq!(
            id::parse_kaggle(&k.to_string()).expect("a parsed Kaggle id re-parses"),
            k
        );
    }
    if let Ok(d) = id::parse_any(&s) {
        let again = id::parse_any(&d.to_string()).expect("a prefixed id re-parses");
        assert_eq!(again.source(), d.source());
    }
    if let Err(e) = id::parse_any(&s) {
        assert_terminal_safe(&e.to_string().replace('\n', " "));
    }
}

/// Manifests in both formats: never panic; every error is a usage error.
pub fn manifest(data: &[u8]) {
    let s = text(data);
    for name in ["m.toml", "m.txt", "-"] {
        match manifest::parse(name, &s) {
            Ok(m) => {
                for e in &m.entries {
                    assert!(e.line >= 1);
                    let _ = e.folder(Path::new("root"));
                }
            }
            Err(e) => assert_eq!(e.kind().exit_code(), 2),
        }
    }
}

/// Hub JSON: tree listings, repo info and search items from the Hub; list/get answers from
/// Kaggle. Whatever parses, every path that survives validation is safe to join.
pub fn hub_json(data: &[u8]) {
    if let Ok(entries) = serde_json::from_slice::<Vec<hf::TreeEntry>>(data)
        && let Ok(listing) = hf::validate_tree(entries, "fuzz", &|_| true)
    {
        for f in listing.files {
            assert!(paths::check_relative(&f.path).is_ok());
            assert!(
                paths::join_safe(Path::new("/out"), &f.path, "file name")
                    .unwrap()
                    .starts_with("/out")
            );
        }
    }
    let _ = serde_json::from_slice::<hf::RepoInfo>(data);
    let _ = serde_json::from_slice::<kaggle::ListDatasetsResponse>(data);
    let _ = serde_json::from_slice::<kaggle::ApiDataset>(data);
    let _ = serde_json::from_slice::<Vec<kaggle::ApiDatasetFile>>(data);
    assert_terminal_safe(&sanitize::for_terminal(&text(data)));
}

/// Header parsers: Link, Retry-After, RateLimit, Content-Range, x-goog-hash.
pub fn headers(data: &[u8]) {
    let s = text(data);
    let base = reqwest::Url::parse("https://huggingface.co/api/datasets").expect("static URL");
    if let Some(next) = http::parse_link_next(&s, &base) {
        assert_eq!(
            http::origin_of(&next),
            http::origin_of(&base),
            "a Link may not leave the API origin"
        );
    }
    let _ = http::parse_retry_after(&s, std::time::SystemTime::UNIX_EPOCH);
    let _ = http::parse_ratelimit(&s);
    if let Some((a, b, total)) = crate::transfer::parse_content_range(&s) {
        assert!(a <= b);
        let _ = total;
    }
    let _ = verify::parse_goog_md5([s.as_str()]);
}

/// Zip extraction into a staging folder: never panics, never writes outside it, never writes
/// more than the limits allow.
pub fn zip(data: &[u8]) {
    extraction(data, "a.zip", data.len() as u64, extract::extract_zip);
}

/// Gzipped tar extraction, with the zip invariants. The first byte chooses the layer fuzzed:
/// even, the rest is a tar that the harness gzips (tar headers fuzzed directly); odd, the rest
/// is taken as the `.tar.gz` bytes (the gzip layer fuzzed too).
pub fn tar(data: &[u8]) {
    use std::io::Write;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode % 2 == 0 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(rest).expect("gzip in memory");
        gz.finish().expect("gzip in memory")
    } else {
        rest.to_vec()
    };
    extraction(
        &bytes,
        "a.tar.gz",
        bytes.len() as u64,
        extract::extract_tar_gz,
    );
}

type Extractor = fn(&Path, &Path, &extract::Limits) -> crate::Result<Vec<extract::Extracted>>;

/// Runs one extractor over `data` in a scratch folder and checks that nothing was written
/// outside the staging folder and that no more was written than the limits allow.
fn extraction(data: &[u8], name: &str, archive_len: u64, extractor: Extractor) {
    let dir = ScratchDir::new();
    let archive = dir.path().join(name);
    std::fs::write(&archive, data).expect("write archive");
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).expect("sentinel");
    let staging = outside.join("staging");
    let limits = extract::Limits {
        max_ratio: 50,
        floor: 1 << 20,
        max_entries: 10_000,
    };
    if let Ok(files) = extractor(&archive, &staging, &limits) {
        let total: u64 = files.iter().map(|f| f.size).sum();
        assert!(total <= (archive_len * 50).max(1 << 20));
        for f in &files {
            assert!(paths::check_relative(&f.path).is_ok());
        }
    }
    // Nothing may appear next to the staging folder.
    for e in std::fs::read_dir(&outside)
        .expect("read sentinel")
        .flatten()
    {
        assert_eq!(
            e.file_name(),
            "staging",
            "extraction wrote outside its folder"
        );
    }
    for e in std::fs::read_dir(dir.path()).expect("read temp").flatten() {
        let n = e.file_name();
        assert!(
            n == name || n == "outside",
            "extraction wrote {n:?} outside its folder"
        );
    }
    // No symlink, device or FIFO inside it either.
    let mut stack = vec![staging];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let t = e.file_type().expect("file type");
            assert!(t.is_file() || t.is_dir(), "extraction made {:?}", e.path());
            if t.is_dir() {
                stack.push(e.path());
            }
        }
    }
}

/// A unique scratch folder under the system temp folder, removed on drop.
struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    fn new() -> ScratchDir {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "dsfetch-fuzz-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch dir");
        ScratchDir(p)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

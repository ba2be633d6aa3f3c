//! Loading a data directory for the standalone server (see `fakehub --help`).
//!
//! | folder | becomes |
//! |---|---|
//! | `DIR/hf/<owner>/<name>/**` | an HF dataset repo (one commit on `main`) |
//! | `DIR/hf-models/<owner>/<name>/**` | an HF model repo |
//! | `DIR/hf-spaces/<owner>/<name>/**` | an HF Space |
//! | `DIR/kaggle/<owner>/<slug>/**` | a Kaggle dataset (version 1) |
//! | `DIR/kaggle-competitions/<name>/**` | a Kaggle competition (no rules to accept) |
//! | `DIR/kaggle-models/<owner>/<model>/<framework>/<variation>/**` | a Kaggle model instance (version 1) |
//!
//! In HF repos a file is LFS (streamed from disk) if its extension is a data one
//! ([`LFS_EXTENSIONS`]) or it is larger than [`LFS_THRESHOLD`].

use std::io;
use std::path::{Path, PathBuf};

use crate::{FakeHub, HfRepo, KaggleCompetition, KaggleDataset, KaggleModel, hf, kaggle, store};

/// Extensions stored as LFS when loading `DIR/hf/...`, `DIR/hf-models/...`, `DIR/hf-spaces/...`.
pub const LFS_EXTENSIONS: &[&str] = &[
    ".parquet",
    ".arrow",
    ".bin",
    ".zip",
    ".gz",
    ".tar",
    ".npy",
    ".npz",
    ".safetensors",
    ".h5",
    ".pt",
    ".pkl",
    ".7z",
    ".bz2",
    ".xz",
    ".zst",
    ".tgz",
    ".jpg",
    ".png",
    ".wav",
    ".mp3",
];

/// Files larger than this are LFS whatever their extension.
pub const LFS_THRESHOLD: u64 = 10 * 1024 * 1024;

/// What [`load_all`] registered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    /// HF dataset ids (`owner/name`).
    pub hf_datasets: Vec<String>,
    /// HF model ids.
    pub hf_models: Vec<String>,
    /// HF Space ids.
    pub hf_spaces: Vec<String>,
    /// Kaggle dataset references (`owner/slug`).
    pub kaggle_datasets: Vec<String>,
    /// Kaggle competition names.
    pub kaggle_competitions: Vec<String>,
    /// Kaggle model handles (`owner/model/framework/variation`, the framework as spelled in
    /// the folder name).
    pub kaggle_models: Vec<String>,
}

/// Every file under `root` (symlinks to files followed), as (`a/b` relative path, disk path),
/// sorted.
fn walk(root: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir)? {
            let e = e?;
            let p = e.path();
            let ft = e.file_type()?;
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() || (ft.is_symlink() && p.is_file()) {
                let rel = p
                    .strip_prefix(root)
                    .map_err(io::Error::other)?
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((rel, p));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The folders `depth` levels under `dir`, as (`a/b/…` id, path), sorted; none when `dir` is
/// missing.
fn levels(dir: &Path, depth: usize) -> io::Result<Vec<(String, PathBuf)>> {
    let mut cur = vec![(String::new(), dir.to_path_buf())];
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    for _ in 0..depth {
        let mut next = Vec::new();
        for (id, path) in &cur {
            for e in std::fs::read_dir(path)? {
                let e = e?;
                if e.file_type()?.is_dir() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let id = if id.is_empty() {
                        name
                    } else {
                        format!("{id}/{name}")
                    };
                    next.push((id, e.path()));
                }
            }
        }
        cur = next;
    }
    cur.sort();
    Ok(cur)
}

fn invalid(what: &str, id: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a valid {what}: {id:?}"),
    )
}

/// An HF repo of `kind` with the files under `path`.
fn hf_repo(mut repo: HfRepo, path: &Path) -> io::Result<HfRepo> {
    for (rel, p) in walk(path)? {
        let len = std::fs::metadata(&p)?.len();
        let lower = rel.to_ascii_lowercase();
        let lfs = len > LFS_THRESHOLD || LFS_EXTENSIONS.iter().any(|e| lower.ends_with(e));
        repo = if lfs {
            repo.lfs_file_from_disk(&rel, p)
        } else {
            repo.file(&rel, store::read_file(&p)?)
        };
    }
    Ok(repo)
}

fn load_hf(hub: &FakeHub, dir: &Path, out: &mut Loaded) -> io::Result<()> {
    type Maker = fn(&str) -> HfRepo;
    let kinds: [(&str, Maker, &mut Vec<String>); 3] = [
        ("hf", HfRepo::new, &mut out.hf_datasets),
        ("hf-models", HfRepo::model, &mut out.hf_models),
        ("hf-spaces", HfRepo::space, &mut out.hf_spaces),
    ];
    for (folder, make, ids) in kinds {
        for (id, path) in levels(&dir.join(folder), 2)? {
            let first = id.split('/').next().unwrap_or("");
            if !hf::valid_repo_id(&id) || (folder == "hf-models" && hf::RESERVED.contains(&first)) {
                return Err(invalid("HF repo id", &id));
            }
            let repo = hf_repo(make(&id), &path)?;
            crate::write(&hub.shared.hf).add_repo(repo)?;
            ids.push(id);
        }
    }
    Ok(())
}

fn load_kaggle(hub: &FakeHub, dir: &Path, out: &mut Loaded) -> io::Result<()> {
    for (id, path) in levels(&dir.join("kaggle"), 2)? {
        if !kaggle::valid_reference(&id) {
            return Err(invalid("Kaggle owner/slug", &id));
        }
        let mut ds = KaggleDataset::new(&id);
        for (rel, p) in walk(&path)? {
            ds = ds.file_from_disk(&rel, p);
        }
        crate::write(&hub.shared.kaggle).add_dataset(ds)?;
        out.kaggle_datasets.push(id);
    }
    for (name, path) in levels(&dir.join("kaggle-competitions"), 1)? {
        if !kaggle::valid_competition_name(&name) {
            return Err(invalid("Kaggle competition name", &name));
        }
        let mut c = KaggleCompetition::new(&name);
        for (rel, p) in walk(&path)? {
            c = c.file_from_disk(&rel, p);
        }
        crate::write(&hub.shared.kaggle).add_competition(c)?;
        out.kaggle_competitions.push(name);
    }
    for (handle, path) in levels(&dir.join("kaggle-models"), 4)? {
        if !kaggle::valid_model_handle(&handle) {
            return Err(invalid("Kaggle model handle", &handle));
        }
        let mut m = KaggleModel::new(&handle);
        for (rel, p) in walk(&path)? {
            m = m.file_from_disk(&rel, p);
        }
        crate::write(&hub.shared.kaggle).add_model(m)?;
        out.kaggle_models.push(handle);
    }
    Ok(())
}

/// Loads every folder of the table above into `hub`.
///
/// # Errors
/// I/O errors reading the directory or files, and folder names that are not valid ids.
pub fn load_all(hub: &FakeHub, dir: &Path) -> io::Result<Loaded> {
    let mut out = Loaded::default();
    load_hf(hub, dir, &mut out)?;
    load_kaggle(hub, dir, &mut out)?;
    Ok(out)
}

/// Loads `dir` as [`load_all`] does; returns the HF dataset ids and the Kaggle dataset
/// references loaded.
///
/// # Errors
/// I/O errors reading the directory or files, and folder names that are not valid ids.
pub fn load(hub: &FakeHub, dir: &Path) -> io::Result<(Vec<String>, Vec<String>)> {
    let l = load_all(hub, dir)?;
    Ok((l.hf_datasets, l.kaggle_datasets))
}

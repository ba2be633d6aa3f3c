//! Where verified bytes land. A [`Sink`] knows, for one dataset at one version, the final path of
//! each file, whether a local copy is already the right one, and what to write once every file is
//! in place: a plain folder (with dsfetch's record in `.dsfetch/`), the huggingface_hub cache
//! (content-addressed blobs and snapshot links), or kagglehub's cache (version folders and
//! completion markers). An object-storage sink is the next one to implement these.

pub(crate) mod folder;
mod hf_cache;
mod kagglehub;

use std::path::{Path, PathBuf};

pub(crate) use folder::{Folder, refuse_foreign};

use crate::env::Env;
use crate::error::{Error, Result};
use crate::lockfile::LockedFile;
use crate::paths::STATE_DIR;
use crate::record::FileEntry;
use crate::settings::LayoutKind;
use crate::snapshot::{KagglehubPlace, Names, Pin, RemoteFile, Snapshot};

/// Where a download's files go, with the cache roots resolved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Layout {
    /// `-o DIR` or `<root>/<name>`, with dsfetch's record in `.dsfetch/`.
    #[default]
    Folder,
    /// The huggingface_hub cache at this root (`datasets--O--N/{blobs,snapshots,refs}`).
    HfCache(PathBuf),
    /// kagglehub's cache at this root (`datasets/O/S/versions/N` and `.complete` markers).
    Kagglehub(PathBuf),
}

impl Layout {
    /// The layout of kind `kind`, its cache root found in `env`.
    pub fn resolve(kind: LayoutKind, env: &Env) -> Result<Layout> {
        match kind {
            LayoutKind::Folder => Ok(Layout::Folder),
            LayoutKind::HfCache => hf_hub_cache(env).map(Layout::HfCache),
            LayoutKind::Kagglehub => kagglehub_cache(env).map(Layout::Kagglehub),
        }
    }

    /// Its kind.
    pub fn kind(&self) -> LayoutKind {
        match self {
            Layout::Folder => LayoutKind::Folder,
            Layout::HfCache(_) => LayoutKind::HfCache,
            Layout::Kagglehub(_) => LayoutKind::Kagglehub,
        }
    }
}

/// The huggingface_hub cache: `HF_HUB_CACHE`, `HUGGINGFACE_HUB_CACHE`, `$HF_HOME/hub`, else
/// `${XDG_CACHE_HOME:-~/.cache}/huggingface/hub` (protocol/hf.md §1.2).
pub fn hf_hub_cache(env: &Env) -> Result<PathBuf> {
    if let Some(p) = env
        .get("HF_HUB_CACHE")
        .or_else(|| env.get("HUGGINGFACE_HUB_CACHE"))
    {
        return Ok(PathBuf::from(p));
    }
    if let Some(h) = env.get("HF_HOME") {
        return Ok(PathBuf::from(h).join("hub"));
    }
    env.xdg("XDG_CACHE_HOME", ".cache")
        .map(|c| c.join("huggingface").join("hub"))
        .ok_or_else(|| Error::usage("cannot find the Hugging Face cache: set HF_HUB_CACHE or HOME"))
}

/// kagglehub's cache: `KAGGLEHUB_CACHE`, else `~/.cache/kagglehub` (protocol/kaggle.md §9).
pub fn kagglehub_cache(env: &Env) -> Result<PathBuf> {
    if let Some(p) = env.get("KAGGLEHUB_CACHE") {
        return Ok(PathBuf::from(p));
    }
    env.home_join(".cache/kagglehub")
        .ok_or_else(|| Error::usage("cannot find the kagglehub cache: set KAGGLEHUB_CACHE or HOME"))
}

/// Checks, before any request, that `layout` applies to a dataset stored under `names` with these
/// options (an output folder, an archive kept zipped).
pub(crate) fn check(
    layout: &Layout,
    output: Option<&Path>,
    names: &Names,
    keep_zipped: bool,
) -> Result<()> {
    let kind = layout.kind();
    let applies = match layout {
        Layout::Folder => return Ok(()),
        Layout::HfCache(_) => names.hf_cache.is_some(),
        Layout::Kagglehub(_) => names.kagglehub.is_some(),
    };
    if !applies {
        return Err(Error::usage(format!(
            "the {kind} layout does not apply to this dataset ({} is for {})",
            kind,
            match kind {
                LayoutKind::HfCache => "Hugging Face datasets, models and spaces",
                _ => "Kaggle datasets, competitions and models",
            }
        )));
    }
    if output.is_some() {
        return Err(Error::usage(format!(
            "an output folder cannot be combined with the {kind} layout (the cache decides where files go)"
        )));
    }
    if keep_zipped && kind == LayoutKind::Kagglehub {
        return Err(Error::usage(
            "keeping the archive zipped cannot be combined with the kagglehub layout (kagglehub expects extracted files)",
        ));
    }
    Ok(())
}

/// Where one dataset at one version lands.
#[derive(Debug, Clone)]
pub(crate) struct Sink {
    kind: Kind,
    /// Plain folder: the dataset folder. Caches: the repo folder, or the version folder.
    root: PathBuf,
    /// Where dsfetch keeps its lock, record and partial files.
    state: PathBuf,
}

#[derive(Debug, Clone)]
enum Kind {
    Folder,
    HfCache,
    /// kagglehub: the folder holding the versions (`datasets/O/S`) and the leaf (the version).
    Kagglehub {
        base: PathBuf,
        leaf: String,
    },
}

impl Sink {
    /// The place of the dataset named `names` at `pin`, under `layout`: `output`, else
    /// `root/<folder name>` for a plain folder.
    pub(crate) fn new(
        layout: &Layout,
        output: Option<&Path>,
        root: &Path,
        names: &Names,
        pin: &Pin,
    ) -> Result<Sink> {
        match layout {
            Layout::Folder => {
                let root = output.map_or_else(|| root.join(&names.folder), Path::to_path_buf);
                Ok(Sink {
                    kind: Kind::Folder,
                    state: crate::record::state_dir(&root),
                    root,
                })
            }
            Layout::HfCache(cache) => {
                let repo = names.hf_cache.as_deref().unwrap_or(&names.folder);
                Ok(Sink {
                    kind: Kind::HfCache,
                    root: cache.join(repo),
                    // The cache's own lock folder: huggingface_hub's cache scanner ignores it.
                    state: cache.join(".locks").join(repo).join(STATE_DIR),
                })
            }
            Layout::Kagglehub(cache) => {
                let place = names.kagglehub.clone().unwrap_or(KagglehubPlace {
                    base: names.folder.clone(),
                    versions_dir: true,
                    leaf: None,
                });
                let base = cache.join(&place.base);
                let (leaf, state) = match &place.leaf {
                    Some(l) => (l.clone(), l.clone()),
                    None => {
                        let v = pin.version().unwrap_or(0);
                        (v.to_string(), format!("v{v}"))
                    }
                };
                let root = match place.versions_dir {
                    true => base.join("versions").join(&leaf),
                    false => base.join(&leaf),
                };
                // dsfetch's state sits beside the version folders: they hold only the data.
                Ok(Sink {
                    kind: Kind::Kagglehub {
                        base: base.clone(),
                        leaf,
                    },
                    root,
                    state: base.join(STATE_DIR).join(state),
                })
            }
        }
    }

    /// The dataset folder (a cache's repo or version folder).
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// dsfetch's state folder for this dataset.
    pub(crate) fn state(&self) -> &Path {
        &self.state
    }

    /// A folder the user owns: files dsfetch did not write are theirs, and files of other
    /// versions are removed once a new one is complete. (Caches belong to their libraries.)
    pub(crate) fn is_user_folder(&self) -> bool {
        matches!(self.kind, Kind::Folder)
    }

    /// Files are stored once per content (`blobs/<etag>`), whatever their paths.
    pub(crate) fn content_addressed(&self) -> bool {
        matches!(self.kind, Kind::HfCache)
    }

    /// The final path of `f`'s bytes.
    pub(crate) fn dest(&self, f: &RemoteFile) -> Result<PathBuf> {
        match self.kind {
            Kind::HfCache => Ok(self.root.join("blobs").join(&f.upstream)),
            _ => crate::paths::join_safe(&self.root, &f.path, "file name"),
        }
    }

    /// The local copy of `f`, when present and current (under a lockfile: also re-hashed).
    pub(crate) fn present(
        &self,
        folder: &Folder,
        f: &RemoteFile,
        locked: Option<&LockedFile>,
    ) -> Option<FileEntry> {
        if let Kind::HfCache = self.kind {
            return hf_cache::present(&self.dest(f).ok()?, folder, f, locked);
        }
        let e = folder.has(&f.path, &f.upstream)?;
        if let Some(l) = locked
            && (e.sha256 != l.sha256 || !crate::lockfile::local_matches(&self.root, &f.path, l))
        {
            return None;
        }
        Some(e.clone())
    }

    /// The folder to report: the dataset folder, or the cache's snapshot folder of the commit.
    pub(crate) fn report_path(&self, pin: &Pin) -> PathBuf {
        match (&self.kind, pin.commit()) {
            (Kind::HfCache, Some(commit)) => self.root.join("snapshots").join(commit),
            _ => self.root.clone(),
        }
    }

    /// After every file is in place: the cache's links and refs, or its completion markers.
    /// `files` are all the snapshot's selected files; `whole` says they are the whole version.
    pub(crate) fn finish(&self, snap: &Snapshot, files: &[RemoteFile], whole: bool) -> Result<()> {
        match (&self.kind, &snap.pin) {
            (Kind::HfCache, Pin::Commit { revision, commit }) => {
                hf_cache::finish(&self.root, files, revision, commit)
            }
            (Kind::Kagglehub { base, leaf }, _) => {
                kagglehub::write_markers(base, leaf, files.iter().map(|f| f.path.as_str()), whole)
            }
            _ => Ok(()),
        }
    }
}

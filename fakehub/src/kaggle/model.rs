//! The public builder, [`KaggleModel`], and the `ModelFramework` enum of kagglesdk.

use std::path::PathBuf;

use crate::store::Blob;

/// kagglesdk 0.1.38 `models/types/model_enums.py` `ModelFramework`: names and numbers.
pub(crate) const FRAMEWORKS: &[(&str, u32)] = &[
    ("MODEL_FRAMEWORK_UNSPECIFIED", 0),
    ("MODEL_FRAMEWORK_TENSOR_FLOW_1", 1),
    ("MODEL_FRAMEWORK_TENSOR_FLOW_2", 2),
    ("MODEL_FRAMEWORK_TF_LITE", 3),
    ("MODEL_FRAMEWORK_TF_JS", 4),
    ("MODEL_FRAMEWORK_PY_TORCH", 5),
    ("MODEL_FRAMEWORK_JAX", 6),
    ("MODEL_FRAMEWORK_FLAX", 14),
    ("MODEL_FRAMEWORK_PAX", 15),
    ("MODEL_FRAMEWORK_MAX_TEXT", 17),
    ("MODEL_FRAMEWORK_GEMMA_CPP", 18),
    ("MODEL_FRAMEWORK_GGML", 19),
    ("MODEL_FRAMEWORK_GGUF", 21),
    ("MODEL_FRAMEWORK_CORAL", 7),
    ("MODEL_FRAMEWORK_SCIKIT_LEARN", 8),
    ("MODEL_FRAMEWORK_MXNET", 9),
    ("MODEL_FRAMEWORK_ONNX", 10),
    ("MODEL_FRAMEWORK_KERAS", 11),
    ("MODEL_FRAMEWORK_TRANSFORMERS", 16),
    ("MODEL_FRAMEWORK_API", 12),
    ("MODEL_FRAMEWORK_OTHER", 13),
    ("MODEL_FRAMEWORK_TENSOR_RT_LLM", 20),
    ("MODEL_FRAMEWORK_TRITON", 22),
    ("MODEL_FRAMEWORK_VLLM", 23),
];

/// The enum name a handle's framework spelling stands for, as kagglehub's `to_enum` finds it
/// (`kagglehub/enum.py`): `pyTorch`, `PyTorch`, `py_torch`, `pytorch` and
/// `MODEL_FRAMEWORK_PY_TORCH` all give `MODEL_FRAMEWORK_PY_TORCH`; `tensorFlow2` gives
/// `MODEL_FRAMEWORK_TENSOR_FLOW_2`. None for anything else (and for `unspecified`).
pub(crate) fn framework_enum(spelling: &str) -> Option<&'static str> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_')
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let want = norm(spelling);
    FRAMEWORKS
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n != "MODEL_FRAMEWORK_UNSPECIFIED")
        .find(|n| {
            let full = norm(n);
            full == want || full == format!("MODELFRAMEWORK{want}")
        })
}

/// The spelling Kaggle's web URLs use for an enum name (kagglehub `enum_to_str`):
/// `MODEL_FRAMEWORK_PY_TORCH` → `pyTorch`.
pub(crate) fn framework_url_name(enum_name: &str) -> String {
    let short = enum_name
        .strip_prefix("MODEL_FRAMEWORK_")
        .unwrap_or(enum_name);
    let camel: String = short
        .split('_')
        .map(|w| {
            let w = w.to_ascii_lowercase();
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    let mut c = camel.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c))
}

/// `OWNER/MODEL/FRAMEWORK/VARIATION` split and checked: the parts and the framework's enum
/// name.
pub(crate) fn parse_handle(handle: &str) -> Option<([&str; 4], &'static str)> {
    let parts: Vec<&str> = handle.split('/').collect();
    let [owner, model, framework, variation] = parts.as_slice() else {
        return None;
    };
    let fw = framework_enum(framework)?;
    [owner, model, variation]
        .iter()
        .all(|s| valid_slug(s))
        .then_some(([*owner, *model, *framework, *variation], fw))
}

/// Builder for a Kaggle model instance (one framework and variation of a model), registered
/// with [`crate::FakeHub::add_kaggle_model`] as version 1.
#[derive(Clone, Debug)]
pub struct KaggleModel {
    pub(crate) owner: String,
    pub(crate) model: String,
    pub(crate) framework: &'static str,
    pub(crate) variation: String,
    pub(crate) files: Vec<(String, Blob)>,
    pub(crate) disk_files: Vec<(String, PathBuf)>,
    pub(crate) raw_archive: Option<Vec<u8>>,
    pub(crate) private: bool,
    pub(crate) owner_user: Option<String>,
    pub(crate) license: String,
}

impl KaggleModel {
    /// A public model instance from its handle `OWNER/MODEL/FRAMEWORK/VARIATION`, the framework
    /// spelled as users write it (`pyTorch`, `tensorFlow2`, `keras`, `jax`, `transformers`,
    /// `gemmaCpp`…; any spelling kagglehub's `to_enum` maps to a `ModelFramework`).
    ///
    /// # Panics
    /// If the handle does not have four parts, a slug is not made of ASCII letters, digits,
    /// `-`, `_`, `.`, or the framework is unknown.
    pub fn new(handle: &str) -> Self {
        let ([owner, model, _, variation], framework) = parse_handle(handle).unwrap_or_else(|| {
            panic!("fakehub: invalid Kaggle model handle {handle:?} (want OWNER/MODEL/FRAMEWORK/VARIATION with a known framework)")
        });
        KaggleModel {
            owner: owner.to_string(),
            model: model.to_string(),
            framework,
            variation: variation.to_string(),
            files: Vec::new(),
            disk_files: Vec::new(),
            raw_archive: None,
            private: false,
            owner_user: None,
            license: "Apache 2.0".to_string(),
        }
    }

    /// Adds a file (relative path, may contain `/`) to version 1.
    pub fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push((path.to_string(), Blob::from_bytes(bytes)));
        self
    }

    /// Adds a file streamed from `disk` to version 1.
    pub fn file_from_disk(mut self, path: &str, disk: PathBuf) -> Self {
        self.disk_files.push((path.to_string(), disk));
        self
    }

    /// Serve exactly these bytes as version 1's `archive.tar.gz` (for hostile tarballs, e.g.
    /// from [`crate::tarball::tar_gz`]); the file list still comes from [`KaggleModel::file`].
    pub fn raw_archive(mut self, tar_gz_bytes: Vec<u8>) -> Self {
        self.raw_archive = Some(tar_gz_bytes);
        self
    }

    /// Private models: anonymous callers get 401, other users 403.
    pub fn private(mut self, yes: bool) -> Self {
        self.private = yes;
        self
    }

    /// The Kaggle user owning the model (default: the owner part of the handle).
    pub fn owner_user(mut self, user: &str) -> Self {
        self.owner_user = Some(user.to_string());
        self
    }

    /// `licenseName` (default `Apache 2.0`).
    pub fn license(mut self, name: &str) -> Self {
        self.license = name.to_string();
        self
    }
}

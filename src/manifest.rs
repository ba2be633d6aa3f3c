//! Batch manifests: plain text (one id per line) or TOML (`[[dataset]]` tables).
//!
//! Every problem is collected with its line number and reported at once, before any download.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result, Source};
use crate::id::{self, DatasetId, HfId, KaggleId};
use crate::pattern::Selection;

/// One dataset to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line where the entry starts.
    pub line: usize,
    /// The dataset (with the version / revision asked for, if any).
    pub id: DatasetId,
    /// Include patterns.
    pub include: Vec<String>,
    /// Exclude patterns.
    pub exclude: Vec<String>,
    /// Kaggle: only these files.
    pub files: Vec<String>,
    /// Output folder (`-o`), if set.
    pub output: Option<PathBuf>,
    /// Kaggle: extract (default true).
    pub unzip: bool,
    /// Layout (`folder`, `hf-cache`, `kagglehub`), when the manifest sets one.
    pub layout: Option<String>,
}

impl Entry {
    /// A stable label: `hf:owner/name@rev` or `kaggle:owner/slug[/versions/N]`.
    pub fn label(&self) -> String {
        self.id.to_string()
    }

    /// The selection patterns.
    pub fn selection(&self) -> Selection {
        Selection::new(&self.include, &self.exclude)
    }

    /// The folder this entry writes to, given the download root.
    pub fn folder(&self, root: &Path) -> PathBuf {
        match &self.output {
            Some(o) => o.clone(),
            None => match &self.id {
                DatasetId::Hf(h) => root.join(h.folder_name()),
                DatasetId::Kaggle(k) => root.join(&k.slug),
            },
        }
    }
}

/// A parsed manifest.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// The entries, in file order.
    pub entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    dataset: Vec<toml::Spanned<TomlEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlEntry {
    source: Option<String>,
    id: String,
    version: Option<u32>,
    revision: Option<String>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    files: Vec<String>,
    output: Option<PathBuf>,
    unzip: Option<bool>,
    layout: Option<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Whether the text looks like a TOML manifest.
fn looks_like_toml(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        t.starts_with("[[") || t.starts_with('[') && t.ends_with(']') || t.contains(" = ")
    })
}

/// Parses a manifest; `name` (a path or `-`) picks the format by extension (`.toml`), else by
/// content. All errors are returned together, one per line, as a usage error.
pub fn parse(name: &str, text: &str) -> Result<Manifest> {
    let is_toml = name.ends_with(".toml") || (!name.ends_with(".txt") && looks_like_toml(text));
    let mut errors: Vec<(usize, String)> = Vec::new();
    let entries = if is_toml {
        parse_toml(text, &mut errors)
    } else {
        parse_text(text, &mut errors)
    };
    check_conflicts(&entries, &mut errors);
    if errors.is_empty() && entries.is_empty() {
        errors.push((0, "the manifest lists no dataset".into()));
    }
    if errors.is_empty() {
        return Ok(Manifest { entries });
    }
    errors.sort();
    let lines: Vec<String> = errors
        .iter()
        .map(|(l, m)| {
            if *l > 0 {
                format!("{name}:{l}: {m}")
            } else {
                format!("{name}: {m}")
            }
        })
        .collect();
    Err(Error::usage(format!(
        "invalid manifest ({} problem{}):\n  {}",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" },
        lines.join("\n  ")
    )))
}

fn parse_text(text: &str, errors: &mut Vec<(usize, String)>) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        // `#` starts a comment at the beginning of a line or after whitespace (URLs keep theirs).
        let mut content = raw;
        if let Some(pos) = raw.find(" #").or_else(|| raw.find("\t#")) {
            content = &raw[..pos];
        }
        let content = content.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        match id::parse_any(content) {
            Ok(id) => out.push(Entry {
                line,
                id,
                include: vec![],
                exclude: vec![],
                files: vec![],
                output: None,
                unzip: true,
                layout: None,
            }),
            Err(e) => errors.push((line, e.to_string())),
        }
    }
    out
}

fn parse_toml(text: &str, errors: &mut Vec<(usize, String)>) -> Vec<Entry> {
    let file: TomlFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            errors.push((line, e.message().to_string()));
            return vec![];
        }
    };
    let mut out = Vec::new();
    for spanned in file.dataset {
        let line = line_of(text, spanned.span().start);
        let e = spanned.into_inner();
        let mut bad = |m: String| errors.push((line, m));
        let source = match e.source.as_deref() {
            None => None,
            Some("kaggle") => Some(Source::Kaggle),
            Some("hf") | Some("huggingface") => Some(Source::HuggingFace),
            Some(other) => {
                bad(format!("source {other:?} is not \"kaggle\" or \"hf\""));
                continue;
            }
        };
        let parsed = match source {
            Some(Source::Kaggle) => id::parse_kaggle(&e.id).map(DatasetId::Kaggle),
            Some(Source::HuggingFace) => id::parse_hf(&e.id).map(DatasetId::Hf),
            None => id::parse_any(&e.id),
        };
        let mut did = match parsed {
            Ok(d) => d,
            Err(err) => {
                bad(err.to_string());
                continue;
            }
        };
        match &mut did {
            DatasetId::Kaggle(KaggleId { version, .. }) => {
                if e.revision.is_some() {
                    bad(
                        "`revision` applies to Hugging Face datasets; Kaggle uses `version`".into(),
                    );
                }
                if let Some(v) = e.version {
                    if version.is_some_and(|x| x != v) {
                        bad(format!("the id names another version than `version = {v}`"));
                    }
                    if v == 0 {
                        bad("`version` must be a positive number".into());
                    }
                    *version = Some(v);
                }
            }
            DatasetId::Hf(HfId { revision, .. }) => {
                if e.version.is_some() {
                    bad(
                        "`version` applies to Kaggle datasets; Hugging Face uses `revision`".into(),
                    );
                }
                if !e.files.is_empty() {
                    bad(
                        "`files` applies to Kaggle datasets; use `include` for Hugging Face".into(),
                    );
                }
                if e.unzip.is_some() {
                    bad("`unzip` applies to Kaggle datasets".into());
                }
                if let Some(r) = &e.revision {
                    if revision.as_ref().is_some_and(|x| x != r) {
                        bad(format!(
                            "the id names another revision than `revision = {r:?}`"
                        ));
                    }
                    match id::parse_hf(&format!("x/y@{r}")) {
                        Ok(_) => *revision = Some(r.clone()),
                        Err(err) => bad(err.to_string()),
                    }
                }
            }
        }
        if !e.files.is_empty() && (!e.include.is_empty() || !e.exclude.is_empty()) {
            bad("`files` cannot be combined with `include`/`exclude`".into());
        }
        for f in &e.files {
            if let Err(r) = crate::paths::check_relative(f) {
                bad(format!("file {f:?}: {r}"));
            }
        }
        match (e.layout.as_deref(), did.source()) {
            (None | Some("folder"), _)
            | (Some("hf-cache"), Source::HuggingFace)
            | (Some("kagglehub"), Source::Kaggle) => {}
            (Some(l @ ("hf-cache" | "kagglehub")), _) => {
                bad(format!("layout {l:?} does not apply to this hub"))
            }
            (Some(l), _) => bad(format!(
                "layout {l:?} is not one of folder, hf-cache, kagglehub"
            )),
        }
        if e.layout.as_deref().is_some_and(|l| l != "folder") && e.output.is_some() {
            bad("`output` cannot be combined with a cache layout".into());
        }
        out.push(Entry {
            line,
            id: did,
            include: e.include,
            exclude: e.exclude,
            files: e.files,
            output: e.output,
            unzip: e.unzip.unwrap_or(true),
            layout: e.layout,
        });
    }
    out
}

fn check_conflicts(entries: &[Entry], errors: &mut Vec<(usize, String)>) {
    // Exact duplicates first; they are not reported again as folder conflicts.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut dup = vec![false; entries.len()];
    for (i, e) in entries.iter().enumerate() {
        let key = format!(
            "{}|{:?}|{:?}|{:?}|{:?}",
            e.label(),
            e.include,
            e.exclude,
            e.files,
            e.output
        );
        match seen.get(&key) {
            Some(first) => {
                errors.push((
                    e.line,
                    format!("duplicate of the entry on line {first} ({})", e.label()),
                ));
                dup[i] = true;
            }
            None => {
                seen.insert(key, e.line);
            }
        }
    }
    // Two entries writing into one folder (same default folder name, or the same output).
    let root = Path::new("<root>");
    let mut folders: BTreeMap<PathBuf, (usize, String)> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if dup[i] {
            continue;
        }
        let f = e.folder(root);
        match folders.get(&f) {
            Some((line, label)) => errors.push((
                e.line,
                format!(
                    "{} would write into the same folder as {label} (line {line}); give one of them `output = \"...\"`",
                    e.label()
                ),
            )),
            None => {
                folders.insert(f, (e.line, e.label()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_manifest() {
        let m = parse(
            "list.txt",
            "# datasets\nkaggle:alice/titanic\n\nhf:acme/corpus@v1  # pinned\nhttps://huggingface.co/datasets/acme/other\n",
        )
        .unwrap();
        assert_eq!(m.entries.len(), 3);
        assert_eq!(m.entries[1].line, 4);
        assert_eq!(m.entries[1].label(), "hf:acme/corpus@v1");
    }

    #[test]
    fn toml_manifest() {
        let m = parse(
            "dsfetch.toml",
            r#"
[[dataset]]
source = "kaggle"
id = "alice/titanic"
version = 3
files = ["train.csv"]

[[dataset]]
id = "hf:acme/corpus"
revision = "refs/convert/parquet"
include = ["default/"]
output = "data/corpus"
"#,
        )
        .unwrap();
        assert_eq!(m.entries[0].label(), "kaggle:alice/titanic/versions/3");
        assert_eq!(m.entries[0].line, 2);
        assert_eq!(m.entries[1].label(), "hf:acme/corpus@refs/convert/parquet");
        assert_eq!(
            m.entries[1].output.as_deref(),
            Some(Path::new("data/corpus"))
        );
    }

    #[test]
    fn all_errors_at_once_with_lines() {
        let err = parse(
            "m.txt",
            "kaggle:alice/titanic\nnot an id\nhf:a/b\nhf:a/b\nkaggle:bob/titanic\nacme/x\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("m.txt:2:"), "{err}");
        assert!(
            err.contains("m.txt:4: duplicate of the entry on line 3"),
            "{err}"
        );
        assert!(
            err.contains("m.txt:5: kaggle:bob/titanic would write into the same folder"),
            "{err}"
        );
        assert!(err.contains("m.txt:6:"), "{err}");
        let err = parse("m.toml", "[[dataset]]\nid = \"hf:a/b\"\nversion = 2\n\n[[dataset]]\nsource = \"nope\"\nid = \"x/y\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("m.toml:1: `version` applies to Kaggle"),
            "{err}"
        );
        assert!(err.contains("m.toml:5: source \"nope\""), "{err}");
        let err = parse("m.toml", "[[dataset]]\nid = \"hf:a/b\"\ncolour = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("m.toml:"), "{err}");
        assert!(parse("e.txt", "# nothing\n").is_err());
    }
}

//! Batch manifests: plain text (one id per line) or TOML (`[[dataset]]` tables).
//!
//! Every problem is collected with its line number and reported at once, before any download.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, Hub, Result};
use crate::id::{self, DatasetId, HfId, KaggleId};
use crate::pattern::Selection;
use crate::settings::LayoutKind;

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
    pub layout: Option<LayoutKind>,
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

/// The keys of a `[[dataset]]` table.
const ENTRY_KEYS: &[&str] = &[
    "source", "id", "version", "revision", "include", "exclude", "files", "output", "unzip",
    "layout",
];

/// Whether the text is a TOML manifest, judged by content: some line is a table header
/// (`[[dataset]]`) or a `key = value` pair, and no line is a dataset id (which a text manifest
/// is made of). Comments and blank lines count for neither.
fn looks_like_toml(text: &str) -> bool {
    // A bare, quoted or dotted TOML key; ids and URLs always hold a ':' or a '/'.
    let key = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | ' '))
    };
    let mut toml = false;
    for l in text.lines().map(str::trim) {
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let code = l.split('#').next().unwrap_or(l).trim();
        let header = code.starts_with('[')
            && code.ends_with(']')
            && key(code.trim_matches(['[', ']']).trim());
        let pair = code.split_once('=').is_some_and(|(k, _)| key(k.trim()));
        if header || pair {
            toml = true;
        } else if id::parse_any(l.split(" #").next().unwrap_or(l).trim()).is_ok() {
            return false;
        }
    }
    toml
}

/// The layouts entries get when they name none (config `[hf] layout`, `[kaggle] layout`): they
/// decide which entries would write the same files.
#[derive(Debug, Clone, Default)]
pub struct LayoutDefaults {
    /// Layout of Hugging Face entries without their own.
    pub hf: Option<LayoutKind>,
    /// Layout of Kaggle entries without their own.
    pub kaggle: Option<LayoutKind>,
}

impl LayoutDefaults {
    /// The layout `entry` is fetched with: its own, else (without `output`) its hub's default,
    /// else `folder`. The same rule as the batch runner's.
    pub fn layout_of(&self, entry: &Entry) -> LayoutKind {
        if let Some(l) = entry.layout {
            return l;
        }
        if entry.output.is_some() {
            return LayoutKind::Folder;
        }
        let default = match entry.id.source() {
            Hub::HuggingFace => self.hf,
            Hub::Kaggle => self.kaggle,
        };
        default.unwrap_or_default()
    }
}

/// Parses a manifest; `name` (a path or `-`) picks the format by extension (`.toml`), else by
/// content. All errors are returned together, one per line, as a usage error. Entries without a
/// layout are taken as plain folders (see [`parse_with`]).
pub fn parse(name: &str, text: &str) -> Result<Manifest> {
    parse_with(name, text, &LayoutDefaults::default())
}

/// [`parse`], with the layouts entries without their own get: two revisions of one dataset may
/// share a cache layout, never a plain folder.
pub fn parse_with(name: &str, text: &str, defaults: &LayoutDefaults) -> Result<Manifest> {
    // Editors on Windows start UTF-8 files with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_toml = name.ends_with(".toml") || looks_like_toml(text);
    let mut errors: Vec<(usize, String)> = Vec::new();
    let entries = if is_toml {
        parse_toml(text, &mut errors)
    } else {
        parse_text(text, &mut errors)
    };
    check_conflicts(&entries, defaults, &mut errors);
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

/// Deserializes one value of a `[[dataset]]` table as the type its key takes.
fn check_type(key: &str, value: &toml::Spanned<DeValue<'_>>) -> std::result::Result<(), String> {
    fn as_type<T: serde::de::DeserializeOwned>(
        v: &toml::Spanned<DeValue<'_>>,
    ) -> std::result::Result<(), String> {
        let mut v = v.clone();
        v.get_mut().make_owned();
        T::deserialize(toml::de::ValueDeserializer::from(v))
            .map(|_| ())
            .map_err(|e| e.message().to_string())
    }
    match key {
        "version" => as_type::<u32>(value),
        "include" | "exclude" | "files" => as_type::<Vec<String>>(value),
        "unzip" => as_type::<bool>(value),
        _ => as_type::<String>(value),
    }
}

fn parse_toml(text: &str, errors: &mut Vec<(usize, String)>) -> Vec<Entry> {
    let doc = match DeTable::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            errors.push((line, e.message().to_string()));
            return vec![];
        }
    };
    // Each [[dataset]] table is checked on its own, key by key, so that every unknown key and
    // every value of the wrong type is reported with its line, not only the first one.
    let mut tables: Vec<(usize, TomlEntry)> = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        let key_line = line_of(text, key.span().start);
        if key.get_ref() != "dataset" {
            errors.push((
                key_line,
                format!(
                    "unknown key `{}`; a TOML manifest holds [[dataset]] tables",
                    key.get_ref()
                ),
            ));
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            errors.push((key_line, "`dataset` must be [[dataset]] tables".into()));
            continue;
        };
        for item in items.iter() {
            let line = line_of(text, item.span().start);
            let DeValue::Table(table) = item.get_ref() else {
                errors.push((line, "`dataset` must be [[dataset]] tables".into()));
                continue;
            };
            let mut clean = true;
            for (k, v) in table.iter() {
                let at = line_of(text, k.span().start);
                let k = k.get_ref();
                if !ENTRY_KEYS.contains(&k.as_ref()) {
                    errors.push((
                        at,
                        format!(
                            "unknown key `{k}` (a [[dataset]] table takes {})",
                            ENTRY_KEYS.join(", ")
                        ),
                    ));
                    clean = false;
                } else if let Err(m) = check_type(k, v) {
                    errors.push((at, format!("`{k}`: {m}")));
                    clean = false;
                }
            }
            if !clean {
                continue;
            }
            let mut owned = item.clone();
            owned.get_mut().make_owned();
            match TomlEntry::deserialize(toml::de::ValueDeserializer::from(owned)) {
                Ok(e) => tables.push((line, e)),
                Err(e) => errors.push((line, e.message().to_string())),
            }
        }
    }
    let mut out = Vec::new();
    for (line, e) in tables {
        let mut bad = |m: String| errors.push((line, m));
        let source = match e.source.as_deref() {
            None => None,
            Some("kaggle") => Some(Hub::Kaggle),
            Some("hf") | Some("huggingface") => Some(Hub::HuggingFace),
            Some(other) => {
                bad(format!("source {other:?} is not \"kaggle\" or \"hf\""));
                continue;
            }
        };
        let parsed = match source {
            Some(Hub::Kaggle) => id::parse_kaggle(&e.id).map(DatasetId::Kaggle),
            Some(Hub::HuggingFace) => id::parse_hf(&e.id).map(DatasetId::Hf),
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
        let layout = match e.layout.as_deref().map(str::parse::<LayoutKind>) {
            None => None,
            Some(Ok(l)) => Some(l),
            Some(Err(err)) => {
                bad(err.to_string());
                None
            }
        };
        match (layout, did.source()) {
            (None | Some(LayoutKind::Folder), _)
            | (Some(LayoutKind::HfCache), Hub::HuggingFace)
            | (Some(LayoutKind::Kagglehub), Hub::Kaggle) => {}
            (Some(l), _) => bad(format!("layout \"{l}\" does not apply to this hub")),
        }
        if layout.is_some_and(|l| l != LayoutKind::Folder) && e.output.is_some() {
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
            layout,
        });
    }
    out
}

fn check_conflicts(
    entries: &[Entry],
    defaults: &LayoutDefaults,
    errors: &mut Vec<(usize, String)>,
) {
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
    // Two entries writing the same files: the same plain folder (same default folder name, or
    // the same output), or the same revision / version of one dataset in a cache. A cache holds
    // many revisions side by side, so different ones do not conflict there.
    let root = Path::new("<root>");
    let mut targets: BTreeMap<Target, (usize, String)> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if dup[i] {
            continue;
        }
        let target = match (defaults.layout_of(e), &e.id) {
            (LayoutKind::HfCache, DatasetId::Hf(h)) => Target::Cache(
                LayoutKind::HfCache,
                h.repo.clone(),
                h.revision.clone().unwrap_or_else(|| "main".into()),
            ),
            (LayoutKind::Kagglehub, DatasetId::Kaggle(k)) => Target::Cache(
                LayoutKind::Kagglehub,
                k.reference(),
                k.version
                    .map_or_else(|| "current".into(), |v| v.to_string()),
            ),
            _ => Target::Folder(e.folder(root)),
        };
        match targets.get(&target) {
            Some((line, label)) => errors.push((
                e.line,
                match &target {
                    Target::Folder(_) => format!(
                        "{} would write into the same folder as {label} (line {line}); give one of them `output = \"...\"`",
                        e.label()
                    ),
                    Target::Cache(layout, _, rev) => format!(
                        "{} would write the same {rev} files into the {layout} cache as {label} (line {line}); keep one entry (merge their include / exclude patterns)",
                        e.label()
                    ),
                },
            )),
            None => {
                targets.insert(target, (e.line, e.label()));
            }
        }
    }
}

/// Where an entry's files land, for conflict checks.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    /// A plain folder.
    Folder(PathBuf),
    /// A cache layout, the dataset and its revision / version.
    Cache(LayoutKind, String, String),
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
    fn revisions_share_a_cache_but_not_a_folder() {
        let cache = LayoutDefaults {
            hf: Some(LayoutKind::HfCache),
            kaggle: Some(LayoutKind::Kagglehub),
        };
        let two = "hf:a/b\nhf:a/b@v1\nkaggle:o/s/1\nkaggle:o/s/2\nkaggle:o/s\n";
        assert_eq!(parse_with("m.txt", two, &cache).unwrap().entries.len(), 5);
        let err = parse("m.txt", two).unwrap_err().to_string();
        assert!(
            err.contains("m.txt:2:") && err.contains("same folder"),
            "{err}"
        );
        // The same revision twice in one cache is a real conflict (no revision means main).
        let err = parse_with("m.txt", "hf:a/b\nhf:a/b@main\n", &cache)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("m.txt:2:") && err.contains("hf-cache cache"),
            "{err}"
        );
        // An entry's own layout wins over the default; `output` means a plain folder.
        let toml = "[[dataset]]\nid = \"hf:a/b\"\nlayout = \"hf-cache\"\n[[dataset]]\nid = \"hf:a/b@v2\"\nlayout = \"hf-cache\"\n[[dataset]]\nid = \"hf:a/b@v3\"\noutput = \"x\"\n";
        assert_eq!(parse("m.toml", toml).unwrap().entries.len(), 3);
        let toml =
            "[[dataset]]\nid = \"hf:a/b\"\nlayout = \"folder\"\n[[dataset]]\nid = \"hf:a/b@v2\"\n";
        assert!(parse_with("m.toml", toml, &cache).is_ok());
        let toml = "[[dataset]]\nid = \"hf:a/b\"\nlayout = \"folder\"\n[[dataset]]\nid = \"hf:a/b@v2\"\nlayout = \"folder\"\n";
        assert!(parse_with("m.toml", toml, &cache).is_err());
    }

    #[test]
    fn format_by_content_and_bom() {
        assert!(looks_like_toml("# x\n[[dataset]]\nid = \"hf:a/b\"\n"));
        assert!(looks_like_toml("[[ dataset ]] # first\nid=\"hf:a/b\"\n"));
        assert!(!looks_like_toml("# size = 3\nhf:a/b\n"));
        assert!(!looks_like_toml(
            "https://huggingface.co/datasets/a/b?x=1\n"
        ));
        // Both kinds of lines: not unambiguous, read as text (and its errors shown as such).
        assert!(!looks_like_toml("hf:a/b\nid = \"hf:c/d\"\n"));
        let m = parse(
            "list.txt",
            "[[dataset]]\nid = \"hf:a/b\"\ninclude = [\"x/\"]\n",
        )
        .unwrap();
        assert_eq!(m.entries[0].include, vec!["x/"]);
        let m = parse("m.txt", "\u{feff}hf:a/b\n").unwrap();
        assert_eq!(m.entries[0].line, 1);
        assert!(parse("m.toml", "\u{feff}[[dataset]]\nid = \"hf:a/b\"\n").is_ok());
    }

    #[test]
    fn every_type_error_and_unknown_key_at_once() {
        let err = parse(
            "m.toml",
            "top = 1\n[[dataset]]\nid = \"hf:a/b\"\ncolour = 1\ninclude = \"x\"\n[[dataset]]\nid = \"kaggle:o/s\"\nversion = -1\nfiles = [1]\n[[dataset]]\nsource = \"hf\"\n",
        )
        .unwrap_err()
        .to_string();
        for want in [
            "m.toml:1: unknown key `top`",
            "m.toml:4: unknown key `colour`",
            "m.toml:5: `include`",
            "m.toml:8: `version`",
            "m.toml:9: `files`",
            "m.toml:10: missing field `id`",
        ] {
            assert!(err.contains(want), "{want}: {err}");
        }
        assert!(err.starts_with("invalid manifest (6 problems):\n"), "{err}");
        assert_eq!(err.lines().count(), 7, "{err}");
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

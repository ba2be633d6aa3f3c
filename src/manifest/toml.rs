//! TOML manifests: `[[dataset]]` tables, checked key by key, then turned into entries.

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Entry;
use crate::error::Hub;
use crate::id::{self, DatasetId, HfId, KaggleId, KaggleModelId, RepoKind};
use crate::settings::LayoutKind;

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
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The keys of a `[[dataset]]` table.
const ENTRY_KEYS: &[&str] = &[
    "source", "id", "version", "revision", "include", "exclude", "files", "output", "unzip",
    "layout", "type",
];

/// Deserializes one value of a `[[dataset]]` table as the type its key takes.
fn check_type(key: &str, value: &Spanned<DeValue<'_>>) -> std::result::Result<(), String> {
    fn as_type<T: serde::de::DeserializeOwned>(
        v: &Spanned<DeValue<'_>>,
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

/// The entries of a TOML manifest; every problem goes to `errors` with its line.
pub(super) fn parse_toml(text: &str, errors: &mut Vec<(usize, String)>) -> Vec<Entry> {
    let doc = match DeTable::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            errors.push((line, e.message().to_string()));
            return vec![];
        }
    };
    let tables = read_tables(text, doc.get_ref(), errors);
    let mut out = Vec::new();
    for (line, table) in tables {
        let mut bad = |m: String| errors.push((line, m));
        if let Some(entry) = to_entry(line, table, &mut bad) {
            out.push(entry);
        }
    }
    out
}

/// The `[[dataset]]` tables of the document that deserialize, each with the line it starts on.
fn read_tables(
    text: &str,
    doc: &DeTable<'_>,
    errors: &mut Vec<(usize, String)>,
) -> Vec<(usize, TomlEntry)> {
    // Each [[dataset]] table is checked on its own, key by key, so that every unknown key and
    // every value of the wrong type is reported with its line, not only the first one.
    let mut tables: Vec<(usize, TomlEntry)> = Vec::new();
    for (key, value) in doc.iter() {
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
            if let Some(table) = read_table(text, line, item, errors) {
                tables.push((line, table));
            }
        }
    }
    tables
}

/// One `[[dataset]]` table (starting on `line`), or `None` once what is wrong with it is reported.
fn read_table(
    text: &str,
    line: usize,
    item: &Spanned<DeValue<'_>>,
    errors: &mut Vec<(usize, String)>,
) -> Option<TomlEntry> {
    let DeValue::Table(table) = item.get_ref() else {
        errors.push((line, "`dataset` must be [[dataset]] tables".into()));
        return None;
    };
    if !check_keys(text, table, errors) {
        return None;
    }
    let mut owned = item.clone();
    owned.get_mut().make_owned();
    match TomlEntry::deserialize(toml::de::ValueDeserializer::from(owned)) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.push((line, e.message().to_string()));
            None
        }
    }
}

/// Reports every unknown key and every value of the wrong type in a table; whether it has none.
fn check_keys(text: &str, table: &DeTable<'_>, errors: &mut Vec<(usize, String)>) -> bool {
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
    clean
}

/// The entry a table describes, with what does not fit reported through `bad`; `None` when the
/// table names no dataset that can be read.
fn to_entry(line: usize, e: TomlEntry, bad: &mut dyn FnMut(String)) -> Option<Entry> {
    let mut did = dataset_of(&e, bad)?;
    match &mut did {
        DatasetId::Kaggle(KaggleId { version, .. })
        | DatasetId::KaggleModel(KaggleModelId { version, .. }) => pin_version(&e, version, bad),
        DatasetId::Hf(HfId { revision, .. }) => pin_revision(&e, revision, bad),
        DatasetId::Competition(_) => unpinned(&e, bad),
    }
    check_files(&e, bad);
    let layout = layout_of(&e, did.source(), bad);
    Some(Entry {
        line,
        id: did,
        include: e.include,
        exclude: e.exclude,
        files: e.files,
        output: e.output,
        unzip: e.unzip.unwrap_or(true),
        layout,
    })
}

/// The dataset a table's `id` names, read as its `source` hub and `type` when it names them.
fn dataset_of(e: &TomlEntry, bad: &mut dyn FnMut(String)) -> Option<DatasetId> {
    let source = match e.source.as_deref() {
        None => None,
        Some("kaggle") => Some(Hub::Kaggle),
        Some("hf") | Some("huggingface") => Some(Hub::HuggingFace),
        Some(other) => {
            bad(format!("source {other:?} is not \"kaggle\" or \"hf\""));
            return None;
        }
    };
    let parsed = match (source, e.kind.as_deref()) {
        (_, Some(kind)) => typed(&e.id, source, kind),
        (Some(Hub::Kaggle), None) => id::parse_kaggle_ref(&e.id),
        (Some(Hub::HuggingFace), None) => id::parse_hf(&e.id).map(DatasetId::Hf),
        (None, None) => id::parse_any(&e.id),
    };
    match parsed {
        Ok(d) => Some(d),
        Err(err) => {
            bad(err.to_string());
            None
        }
    }
}

/// An id read as the kind a table's `type` names: `dataset`, `model` or `space` on the Hub,
/// `dataset`, `competition` or `model` on Kaggle (a bare id is that kind).
fn typed(raw: &str, source: Option<Hub>, kind: &str) -> crate::error::Result<DatasetId> {
    let hub = match source {
        Some(h) => h,
        None => id::parse_any(raw)?.source(),
    };
    let wrong = || {
        crate::error::Error::usage(format!(
            "type {kind:?} is not one of {}",
            match hub {
                Hub::HuggingFace => "\"dataset\", \"model\", \"space\"",
                Hub::Kaggle => "\"dataset\", \"competition\", \"model\"",
            }
        ))
    };
    match hub {
        Hub::HuggingFace => {
            let kind = RepoKind::parse(kind)
                .filter(|_| !kind.ends_with('s'))
                .ok_or_else(wrong)?;
            id::parse_hf_as(raw, kind).map(DatasetId::Hf)
        }
        Hub::Kaggle => {
            let bare = raw.strip_prefix("kaggle:").unwrap_or(raw);
            let prefixed = |p: &str| {
                if bare.starts_with(p) || bare.contains("://") {
                    raw.to_string()
                } else {
                    format!("{p}{bare}")
                }
            };
            let (input, want) = match kind {
                "dataset" => (raw.to_string(), "dataset"),
                "competition" => (prefixed("competitions/"), "competition"),
                "model" => (prefixed("models/"), "model"),
                _ => return Err(wrong()),
            };
            let got = id::parse_kaggle_ref(&input)?;
            if got.kind_word() != want {
                return Err(crate::error::Error::usage(format!(
                    "{:?} names a {} but `type = {kind:?}`",
                    crate::sanitize::for_terminal(raw),
                    got.kind_word()
                )));
            }
            Ok(got)
        }
    }
}

/// A competition has no versions: `version` and `revision` do not apply.
fn unpinned(e: &TomlEntry, bad: &mut dyn FnMut(String)) {
    if e.version.is_some() || e.revision.is_some() {
        bad("a Kaggle competition has no versions: drop `version`/`revision`".into());
    }
}

/// A Kaggle table's `version` onto the id's (they must agree); `revision` does not apply.
fn pin_version(e: &TomlEntry, version: &mut Option<u32>, bad: &mut dyn FnMut(String)) {
    if e.revision.is_some() {
        bad("`revision` applies to Hugging Face datasets; Kaggle uses `version`".into());
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

/// A Hugging Face table's `revision` onto the id's (they must agree); the Kaggle keys do not
/// apply.
fn pin_revision(e: &TomlEntry, revision: &mut Option<String>, bad: &mut dyn FnMut(String)) {
    if e.version.is_some() {
        bad("`version` applies to Kaggle datasets; Hugging Face uses `revision`".into());
    }
    if !e.files.is_empty() {
        bad("`files` applies to Kaggle datasets; use `include` for Hugging Face".into());
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

/// `files`: relative paths, and not together with `include` / `exclude`.
fn check_files(e: &TomlEntry, bad: &mut dyn FnMut(String)) {
    if !e.files.is_empty() && (!e.include.is_empty() || !e.exclude.is_empty()) {
        bad("`files` cannot be combined with `include`/`exclude`".into());
    }
    for f in &e.files {
        if let Err(r) = crate::paths::check_relative(f) {
            bad(format!("file {f:?}: {r}"));
        }
    }
}

/// The table's `layout`, if it names one that exists; it must suit the dataset's hub and, when
/// a cache, go without `output`.
fn layout_of(e: &TomlEntry, hub: Hub, bad: &mut dyn FnMut(String)) -> Option<LayoutKind> {
    let layout = match e.layout.as_deref().map(str::parse::<LayoutKind>) {
        None => None,
        Some(Ok(l)) => Some(l),
        Some(Err(err)) => {
            bad(err.to_string());
            None
        }
    };
    match (layout, hub) {
        (None | Some(LayoutKind::Folder), _)
        | (Some(LayoutKind::HfCache), Hub::HuggingFace)
        | (Some(LayoutKind::Kagglehub), Hub::Kaggle) => {}
        (Some(l), _) => bad(format!("layout \"{l}\" does not apply to this hub")),
    }
    if layout.is_some_and(|l| l != LayoutKind::Folder) && e.output.is_some() {
        bad("`output` cannot be combined with a cache layout".into());
    }
    layout
}

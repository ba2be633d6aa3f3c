//! `ListDatasets`: the selection group, the filters (search words, user, file type, license,
//! tags, size), the sort, and paging.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::access::KCaller;
use super::errors::kaggle_error;
use super::params::{Body, get_int, get_str, page_of, paging};
use super::state::{DsState, KaggleState};
use crate::Ctx;
use crate::http::Response;
use crate::util::contains_ci;

pub(super) fn license_group(name: &str) -> &'static str {
    let l = name.to_ascii_uppercase();
    if l.starts_with("CC") {
        "CC"
    } else if l.contains("GPL") {
        "GPL"
    } else if l.contains("ODBL") || l.contains("ODC") || l.contains("PDDL") || l.starts_with("ODB")
    {
        "ODB"
    } else {
        "OTHER"
    }
}

fn file_type_groups(ds: &DsState) -> BTreeSet<String> {
    if let Some(t) = &ds.meta.file_types {
        return t.iter().map(|s| normalize_enum_name(s)).collect();
    }
    ds.current()
        .files
        .keys()
        .filter_map(|p| {
            let ext = p.rsplit('.').next()?.to_ascii_lowercase();
            Some(
                match ext.as_str() {
                    "csv" => "CSV",
                    "sqlite" | "sqlite3" | "db" => "SQLITE",
                    "json" | "jsonl" => "JSON",
                    "parquet" => "PARQUET",
                    _ => return None,
                }
                .to_string(),
            )
        })
        .collect()
}

/// `bigQuery` → `BIG_QUERY`, `votes` → `VOTES`, `DATASET_SORT_BY_VOTES` unchanged.
fn normalize_enum_name(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_uppercase());
    }
    out.replace('-', "_")
}

/// Parses an enum given by full name, suffix, any case, or number. Absent → 0 (the default).
pub(super) fn parse_enum(
    v: Option<&Value>,
    prefix: &str,
    names: &[&str],
    field: &str,
) -> Result<usize, Response> {
    let bad = || kaggle_error(400, &format!("Invalid value for {field}"));
    match v {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|n| n as usize)
            .filter(|n| *n < names.len())
            .ok_or_else(bad),
        Some(Value::String(s)) if s.is_empty() => Ok(0),
        Some(Value::String(s)) => {
            let up = normalize_enum_name(s);
            let short = up.strip_prefix(prefix).unwrap_or(&up);
            names.iter().position(|n| *n == short).ok_or_else(bad)
        }
        Some(_) => Err(bad()),
    }
}

pub(super) const SORTS: &[&str] = &[
    "HOTTEST",
    "VOTES",
    "UPDATED",
    "ACTIVE",
    "PUBLISHED",
    "RELEVANCE",
    "LAST_VIEWED",
    "USABILITY",
    "DOWNLOAD_COUNT",
    "NOTEBOOK_COUNT",
];
pub(super) const FILE_TYPES: &[&str] = &["ALL", "CSV", "SQLITE", "JSON", "BIG_QUERY", "PARQUET"];
const LICENSES: &[&str] = &["ALL", "CC", "GPL", "ODB", "OTHER"];
const GROUPS: &[&str] = &[
    "PUBLIC",
    "MY",
    "USER",
    "USER_SHARED_WITH_ME",
    "UPVOTED",
    "MY_PRIVATE",
    "MY_PUBLIC",
    "ORGANIZATION",
    "BOOKMARKED",
    "COLLABORATION",
    "SHARED_WITH_USER",
    "FEATURED",
    "ALL",
    "UNFEATURED",
];

/// A `ListDatasets` request's group, filters and sort, read from its body.
struct ListFilter<'b> {
    group: &'static str,
    sort: &'static str,
    file_type: &'static str,
    license: &'static str,
    user: &'b str,
    /// Words that must all appear in the title or the ref.
    terms: Vec<&'b str>,
    /// Tags (by name or slug) that must all be on the dataset.
    tag_ids: Vec<&'b str>,
    min_size: u64,
    /// No maximum when 0.
    max_size: u64,
}

impl<'b> ListFilter<'b> {
    /// Reads the fields in order; `Err` is the 400 for the first bad one.
    fn parse(b: &'b Body) -> Result<ListFilter<'b>, Response> {
        let group =
            GROUPS[parse_enum(b.get("group"), "DATASET_SELECTION_GROUP_", GROUPS, "group")?];
        let sort = SORTS[parse_enum(b.get("sortBy"), "DATASET_SORT_BY_", SORTS, "sortBy")?];
        let file_type = FILE_TYPES[parse_enum(
            b.get("fileType"),
            "DATASET_FILE_TYPE_GROUP_",
            FILE_TYPES,
            "fileType",
        )?];
        let license = LICENSES[parse_enum(
            b.get("license"),
            "DATASET_LICENSE_GROUP_",
            LICENSES,
            "license",
        )?];
        let search = get_str(b, "search")?.unwrap_or("");
        let user = get_str(b, "user")?.unwrap_or("");
        let tag_ids: Vec<&str> = get_str(b, "tagIds")?
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        let min_size = get_int(b, "minSize")?.unwrap_or(0).max(0) as u64;
        let max_size = get_int(b, "maxSize")?.unwrap_or(0).max(0) as u64;
        Ok(ListFilter {
            group,
            sort,
            file_type,
            license,
            user,
            terms: search.split_whitespace().collect(),
            tag_ids,
            min_size,
            max_size,
        })
    }

    /// Whether `d` is in the group, as seen by the user `me`.
    fn in_group(&self, d: &DsState, me: Option<&str>) -> bool {
        let mine = me == Some(d.owner_user());
        match self.group {
            "MY" => mine,
            "MY_PRIVATE" => mine && d.meta.private,
            "MY_PUBLIC" => mine && !d.meta.private,
            "USER" => (!d.meta.private || mine) && d.owner.eq_ignore_ascii_case(self.user),
            "PUBLIC" | "ALL" => !d.meta.private,
            "FEATURED" => !d.meta.private && d.meta.featured,
            "UNFEATURED" => !d.meta.private && !d.meta.featured,
            _ => false,
        }
    }

    /// Whether `d` is in the group and passes every filter.
    fn matches(&self, d: &DsState, me: Option<&str>) -> bool {
        let title = d.meta.title.as_deref().unwrap_or(&d.slug);
        let total = d.current().total_bytes();
        self.in_group(d, me)
            && (self.user.is_empty() || d.owner.eq_ignore_ascii_case(self.user))
            && self
                .terms
                .iter()
                .all(|t| contains_ci(title, t) || contains_ci(&d.meta.reference, t))
            && (self.file_type == "ALL" || file_type_groups(d).contains(self.file_type))
            && (self.license == "ALL" || license_group(&d.meta.license) == self.license)
            && self.tag_ids.iter().all(|t| {
                d.meta.tags.iter().any(|dt| {
                    dt.eq_ignore_ascii_case(t)
                        || dt.to_ascii_lowercase().replace(' ', "-") == t.to_ascii_lowercase()
                })
            })
            && total >= self.min_size
            && (self.max_size == 0 || total <= self.max_size)
    }
}

/// What `sort` orders by, larger first.
fn sort_key(d: &DsState, sort: &str) -> f64 {
    match sort {
        "VOTES" => d.meta.votes as f64,
        "UPDATED" | "ACTIVE" | "LAST_VIEWED" => d.last_updated_ms as f64,
        "PUBLISHED" => d.versions[0].created_ms as f64,
        "USABILITY" => d.meta.usability,
        "DOWNLOAD_COUNT" => d.meta.downloads as f64,
        "NOTEBOOK_COUNT" => d.meta.kernels as f64,
        // HOTTEST / RELEVANCE: a simple popularity score.
        _ => (d.meta.votes * 10 + d.meta.downloads) as f64,
    }
}

impl KaggleState {
    /// `ListDatasets`.
    pub(super) fn list_datasets(
        &self,
        ctx: &Ctx,
        caller: &KCaller,
        b: &Body,
    ) -> Result<Value, Response> {
        let filter = ListFilter::parse(b)?;
        let (offset, size) = paging(
            b,
            ctx.opts.kaggle_page_size_default,
            ctx.opts.kaggle_page_size_max,
            true,
        )?;
        let me = match caller {
            KCaller::User(u) => Some(u.as_str()),
            _ => None,
        };
        if matches!(filter.group, "MY" | "MY_PRIVATE" | "MY_PUBLIC") && me.is_none() {
            return Err(kaggle_error(401, "Unauthenticated"));
        }
        if filter.group == "USER" && filter.user.is_empty() {
            return Err(kaggle_error(
                400,
                "user is required for DATASET_SELECTION_GROUP_USER",
            ));
        }
        let mut list: Vec<&DsState> = self
            .order
            .iter()
            .filter_map(|k| self.datasets.get(k))
            .filter(|d| filter.matches(d, me))
            .collect();
        list.sort_by(|a, b| {
            sort_key(b, filter.sort)
                .total_cmp(&sort_key(a, filter.sort))
                .then_with(|| a.meta.reference.cmp(&b.meta.reference))
        });
        let (page, next) = page_of(&list, offset, size);
        let page: Vec<Value> = page.iter().map(|d| self.api_dataset(d, false)).collect();
        Ok(json!({"datasets": page, "nextPageToken": next}))
    }
}

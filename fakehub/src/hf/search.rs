//! `GET /api/datasets`, `/api/models`, `/api/spaces`: search with `search` / `author` / `filter`
//! / `gated` (and `pipeline_tag` for models), `sort` and `direction`, `expand` or `full`, and
//! cursor paging.

use std::sync::Arc;

use super::access::Caller;
use super::errors::{bad_request, invalid_credentials};
use super::kind::HfRepoType;
use super::query::{cursor_offset, is_true, paged, qall};
use super::state::{Commit, HfState, RepoState};
use crate::Ctx;
use crate::http::{Request, Response};
use crate::util::{contains_ci, parse_query};

/// The `sort` values the Hub accepts; any other is a 400.
const SORTS: &[&str] = &[
    "downloads",
    "likes",
    "likes30d",
    "lastModified",
    "last_modified",
    "createdAt",
    "created_at",
    "trendingScore",
    "trending_score",
    "id",
    "mainSize",
];

/// A search's parameters, read from the query.
struct Search<'q> {
    /// The fields each item has.
    props: Vec<&'q str>,
    limit: Option<usize>,
    offset: usize,
    /// Words that must all appear in the repo id.
    searches: Vec<&'q str>,
    /// Namespaces, one of which must own the repo (any when empty).
    authors: Vec<&'q str>,
    /// Tags that must all be on the repo.
    filters: Vec<&'q str>,
    gated: Option<bool>,
    /// Models only: the `pipeline_tag` the repo must have.
    pipeline_tag: Option<&'q str>,
    /// The sort key, and whether ascending.
    sort: Option<(&'q str, bool)>,
}

impl<'q> Search<'q> {
    /// Reads the query; `Err` is the 400 for a bad `expand`, `limit`, `cursor` or `sort`, checked
    /// in that order.
    fn parse(kind: HfRepoType, q: &'q [(String, String)]) -> Result<Search<'q>, Response> {
        let all = |k: &'static str| qall(q, k).filter(|s| !s.is_empty()).collect::<Vec<_>>();
        let one = |k: &'static str| qall(q, k).last();
        let expand = HfState::expand_props(kind, q)?;
        let full = is_true(one("full"));
        let limit = match one("limit") {
            None | Some("") => None,
            Some(l) => match l.parse::<usize>() {
                Ok(n) => Some(n),
                Err(_) => return Err(bad_request("\"limit\" must be a number")),
            },
        };
        let offset = cursor_offset(one("cursor"))?;
        let sort = match one("sort").filter(|s| !s.is_empty()) {
            None => None,
            Some(s) if !SORTS.contains(&s) => {
                return Err(bad_request(&format!("Invalid sort parameter: {s}")));
            }
            // `direction=-1` (or none) sorts descending; any other value ascending.
            Some(s) => Some((s, one("direction").is_some_and(|d| d != "-1"))),
        };
        Ok(Search {
            props: list_props(kind, expand, full),
            limit,
            offset,
            searches: all("search"),
            authors: all("author"),
            filters: all("filter"),
            gated: one("gated").map(|g| is_true(Some(g))),
            pipeline_tag: one("pipeline_tag")
                .filter(|p| !p.is_empty() && kind == HfRepoType::Model),
            sort,
        })
    }

    /// Whether `r` passes the search words and the `author`, `filter` and `gated` filters.
    fn matches(&self, r: &RepoState) -> bool {
        self.searches.iter().all(|s| contains_ci(&r.id, s))
            && (self.authors.is_empty()
                || self.authors.iter().any(|a| {
                    r.namespace
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(a))
                }))
            && self.filters.iter().all(|f| {
                r.tags.iter().any(|t| t.eq_ignore_ascii_case(f))
                    || [&r.meta.library_name, &r.meta.pipeline_tag]
                        .iter()
                        .any(|v| v.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(f)))
            })
            && self.gated.is_none_or(|g| g == r.gated.is_some())
            && self
                .pipeline_tag
                .is_none_or(|p| r.meta.pipeline_tag.as_deref() == Some(p))
    }
}

/// The fields of each item: those expanded, else the list defaults (plus `cardData` and
/// `siblings` with `full`).
fn list_props(kind: HfRepoType, expand: Vec<&'static str>, full: bool) -> Vec<&'static str> {
    if !expand.is_empty() {
        expand
    } else if full {
        let mut p = kind.list_default().to_vec();
        p.extend(["cardData", "siblings"]);
        p
    } else {
        kind.list_default().to_vec()
    }
}

/// A repo with the commit its `main` points at.
type Item<'a> = (&'a RepoState, &'a Arc<Commit>);

/// The value a numeric `sort` key gives `r`.
fn sort_key(r: &RepoState, sort: &str) -> f64 {
    match sort {
        "downloads" => r.downloads as f64,
        "likes" | "likes30d" => r.likes as f64,
        "lastModified" | "last_modified" => r.last_modified_ms as f64,
        "createdAt" | "created_at" => r.created_ms as f64,
        "trendingScore" | "trending_score" => r.trending_score,
        _ => 0.0,
    }
}

/// Sorts by `sort`, descending unless `asc` (stable, so ties keep insertion order).
fn sort_items(items: &mut [Item], sort: &str, asc: bool) {
    items.sort_by(|a, b| {
        let o = match sort {
            "id" => b.0.id.cmp(&a.0.id),
            "mainSize" => a.1.size().cmp(&b.1.size()),
            _ => sort_key(a.0, sort).total_cmp(&sort_key(b.0, sort)),
        };
        if asc { o } else { o.reverse() }
    });
}

impl HfState {
    /// `GET /api/datasets`, `/api/models` or `/api/spaces`.
    pub(super) fn search(
        &self,
        ctx: &Ctx,
        req: &Request,
        kind: HfRepoType,
        base: &str,
    ) -> Response {
        let caller = self.caller(req);
        if let Caller::Invalid = caller {
            return invalid_credentials();
        }
        let Some(q) = parse_query(req.query()) else {
            return bad_request("Invalid query string");
        };
        let search = match Search::parse(kind, &q) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let mut items: Vec<Item> = self
            .order
            .iter()
            .filter(|k| k.0 == kind)
            .filter_map(|k| self.repos.get(k))
            .filter(|r| r.visible_to(&caller) && search.matches(r))
            .filter_map(|r| r.main_commit().map(|c| (r, c)))
            .collect();
        if let Some((sort, asc)) = search.sort {
            sort_items(&mut items, sort, asc);
        }
        let page = search
            .limit
            .unwrap_or(ctx.opts.hf_page_size)
            .min(ctx.opts.hf_page_size)
            .max(1);
        paged(req, base, &items, search.offset, page, |(r, c)| {
            self.item(r, c, &search.props, false)
        })
    }
}

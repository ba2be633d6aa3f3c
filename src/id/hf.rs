//! Hugging Face ids: `OWNER/NAME[@REV]`, `NAME`, `models/…` and `spaces/…`, `hf://…` URIs and
//! the web URLs of datasets, models and spaces.

use super::{
    HF_HOSTS, HfId, Hint, KAGGLE_HOSTS, RepoKind, bad, bad_hint, check_common, check_segment,
    decode, url_segments, with_suggestions,
};
use crate::error::{Error, Hub, Result};

/// Parses a Hugging Face id: `OWNER/NAME`, `NAME`, `OWNER/NAME@REV` (a dataset), the same after
/// `datasets/`, `models/` or `spaces/`, the web URLs of each kind
/// (`huggingface.co/datasets/…`, `huggingface.co/OWNER/NAME` for a model,
/// `huggingface.co/spaces/…`) and `hf://` URIs (`hf://datasets/…`, `hf://OWNER/NAME` for a model,
/// `hf://spaces/…`). A `hf:` prefix is accepted too. URLs copied from a browser are taken as they
/// are: pages of the repo (`/viewer/…`, `/discussions`), a revision and path (`/tree/REV/PATH`,
/// `/blob/…`, `/resolve/…`), a query (`?row=3`) or a fragment.
pub fn parse_hf(input: &str) -> Result<HfId> {
    with_suggestions(input, |i, h| parse_hf_with(i, h).map(|(id, _)| id))
}

/// Parses an id asked for as `kind` (`--type model`): an id that names no kind (`OWNER/NAME`)
/// is that kind; one that names another kind is a usage error.
pub fn parse_hf_as(input: &str, kind: RepoKind) -> Result<HfId> {
    let (mut id, explicit) = parse_hf_with(input, Hint(None)).or_else(|_| {
        // Parse again with suggestions for the message.
        parse_hf(input).map(|id| (id, true))
    })?;
    if explicit && id.kind != kind {
        return Err(Error::usage(format!(
            "{:?} names a {} but the type asked for is {}; give only one",
            crate::sanitize::for_terminal(input),
            id.kind.singular(),
            kind.singular()
        )));
    }
    id.kind = kind;
    Ok(id)
}

type HfParts = (String, Option<String>, Option<String>);

/// The id, and whether its form named the kind.
fn parse_hf_with(input: &str, hint: Hint<'_>) -> Result<(HfId, bool)> {
    let src = Hub::HuggingFace;
    check_common(input, src, hint)?;
    let raw = input
        .strip_prefix("hf:")
        .filter(|r| !r.starts_with("//"))
        .unwrap_or(input);

    // Split into kind, repo part, revision and optional in-repo path depending on the form.
    let (kind, explicit, (repo, revision, path)) = if let Some(rest) = raw.strip_prefix("hf://") {
        let (kind, rest) = scheme_kind(rest);
        (kind, true, hf_scheme(rest))
    } else if let Some(segs) = url_segments(raw, HF_HOSTS) {
        let (kind, segs) = url_kind(&segs);
        (kind, true, hf_url(input, kind, segs, hint)?)
    } else if raw.contains("://") || url_segments(raw, KAGGLE_HOSTS).is_some() {
        return Err(bad(input, src, "not a Hugging Face URL"));
    } else {
        // `models/OWNER/NAME`: the kind first. A trailing slash changes nothing.
        let (kind, explicit, raw) = match raw.split_once('/') {
            Some((k, rest)) if rest.contains('/') || rest.contains('@') || !rest.is_empty() => {
                match RepoKind::parse(k).filter(|_| k.ends_with('s')) {
                    Some(kind) => (kind, true, rest),
                    None => (RepoKind::Dataset, false, raw),
                }
            }
            _ => (RepoKind::Dataset, false, raw),
        };
        let raw = raw.strip_suffix('/').unwrap_or(raw);
        let parts = match raw.split_once('@') {
            Some((repo, rev)) => (repo.to_string(), Some(rev.to_string()), None),
            None => (raw.to_string(), None, None),
        };
        (kind, explicit, parts)
    };
    // A suggestion keeps the prefix form the input used (`hf:models/…`).
    let prefix_form = !raw.contains("://") && url_segments(raw, HF_HOSTS).is_none();
    let form = |r: String| -> String {
        if !prefix_form {
            return r;
        }
        let hub = if input.starts_with("hf:") { "hf:" } else { "" };
        match explicit {
            true => format!("{hub}{}/{r}", kind.plural()),
            false => format!("{hub}{r}"),
        }
    };

    let segs: Vec<&str> = repo.split('/').collect();
    if segs.len() > 2 {
        let nonempty: Vec<&str> = segs.iter().copied().filter(|s| !s.is_empty()).collect();
        let candidate = if nonempty.len() == 2 {
            nonempty.join("/")
        } else {
            segs[..2].join("/")
        };
        return Err(bad_hint(
            input,
            src,
            "too many '/' in the repo id (expected OWNER/NAME; a folder inside the repo goes in --include)",
            hint.check(input, form(candidate)),
        ));
    }
    if kind == RepoKind::Space && segs.len() < 2 {
        return Err(bad(input, src, "a space is OWNER/NAME"));
    }
    for s in &segs {
        check_segment(s).map_err(|r| {
            let joined: Vec<&str> = segs.iter().copied().filter(|s| !s.is_empty()).collect();
            bad_hint(input, src, r, hint.check(input, form(joined.join("/"))))
        })?;
    }
    if let Some(rev) = &revision {
        check_revision(rev)
            .map_err(|r| bad_hint(input, src, r, hint.check(input, form(repo.clone()))))?;
    }
    if let Some(p) = &path {
        crate::paths::check_relative(p)
            .map_err(|r| bad_hint(input, src, &r, hint.check(input, web_url(kind, &repo))))?;
    }
    Ok((
        HfId {
            kind,
            repo,
            revision,
            path,
        },
        explicit,
    ))
}

/// The kind an `hf://` URI names: `datasets/`, `spaces/`, else a model (as in huggingface_hub's
/// file system); `models/` is accepted too.
fn scheme_kind(rest: &str) -> (RepoKind, &str) {
    for kind in [RepoKind::Dataset, RepoKind::Space, RepoKind::Model] {
        if let Some(r) = rest
            .strip_prefix(kind.plural())
            .and_then(|r| r.strip_prefix('/'))
        {
            return (kind, r);
        }
    }
    (RepoKind::Model, rest)
}

/// The kind a web URL names: `/datasets/…`, `/spaces/…`, else a model (`/OWNER/NAME`).
fn url_kind<'a, 'b>(segs: &'b [&'a str]) -> (RepoKind, &'b [&'a str]) {
    match segs.split_first() {
        Some((&"datasets", rest)) => (RepoKind::Dataset, rest),
        Some((&"spaces", rest)) => (RepoKind::Space, rest),
        Some((&"models", rest)) => (RepoKind::Model, rest),
        _ => (RepoKind::Model, segs),
    }
}

/// `hf://[KIND/]OWNER/NAME[@REV][/path]` after the kind; the `@REV` sits on the NAME segment.
fn hf_scheme(rest: &str) -> HfParts {
    let segs: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let (name_idx, owner) = if segs.len() >= 2 && !segs[0].contains('@') {
        (1, Some(segs[0]))
    } else {
        (0, None)
    };
    let (name, mut rev) = match segs[name_idx].split_once('@') {
        Some((n, r)) => (n, Some(decode(r))),
        None => (segs[name_idx], None),
    };
    let repo = match owner {
        Some(o) => format!("{o}/{name}"),
        None => name.to_string(),
    };
    let mut rest = &segs[name_idx + 1..];
    // Special refs span three segments, as huggingface_hub's `parse_hf_uri` reads them
    // (`utils/_hf_uris.py` line 63: `refs/convert/<name>`, `refs/pr/<N>`).
    if rev.as_deref() == Some("refs")
        && let [kind, name, tail @ ..] = rest
        && ((*kind == "convert" && !name.is_empty())
            || (*kind == "pr" && !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())))
    {
        rev = Some(format!("refs/{kind}/{}", decode(name)));
        rest = tail;
    }
    let path = rest.join("/");
    (repo, rev, (!path.is_empty()).then_some(path))
}

/// Pages of a Hugging Face dataset that name no revision (`…/NAME/viewer/default/train`).
const HF_PAGES: &[&str] = &[
    "viewer",
    "discussions",
    "settings",
    "sql-console",
    "community",
    "files",
];

/// Pages of a Hugging Face dataset followed by a revision and maybe a path in the repo.
const HF_REV_PAGES: &[&str] = &["tree", "blob", "resolve", "raw", "edit", "blame"];

/// Hub pages that are not repos (`huggingface.co/docs/…`).
const NOT_REPOS: &[&str] = &[
    "docs",
    "blog",
    "papers",
    "collections",
    "organizations",
    "settings",
    "login",
    "join",
    "pricing",
    "learn",
    "tasks",
    "api",
    "new",
    "enterprise",
    "posts",
];

/// `https://huggingface.co/[KIND/]OWNER/NAME[/PAGE…]` after the kind, query and fragment already
/// removed.
fn hf_url(input: &str, kind: RepoKind, rest: &[&str], hint: Hint<'_>) -> Result<HfParts> {
    let src = Hub::HuggingFace;
    let what = kind.singular();
    if kind == RepoKind::Model && rest.first().is_some_and(|s| NOT_REPOS.contains(s)) {
        return Err(bad(input, src, "the URL names no repository"));
    }
    let (repo, tail) = match rest {
        [] => return Err(bad(input, src, &format!("the URL names no {what}"))),
        [name] => return Ok((name.to_string(), None, None)),
        // A legacy repo without owner followed by a revision page (`/gpt2/tree/main`), when
        // reading `gpt2/tree` as OWNER/NAME would leave no page after it.
        [name, page, next, ..]
            if kind != RepoKind::Space
                && (HF_REV_PAGES.contains(page) || matches!(*page, "commits" | "commit"))
                && !HF_REV_PAGES.contains(next)
                && !HF_PAGES.contains(next)
                && !matches!(*next, "commits" | "commit") =>
        {
            (name.to_string(), &rest[1..])
        }
        [owner, name, tail @ ..] => (format!("{owner}/{name}"), tail),
    };
    let Some((page, after)) = tail.split_first() else {
        return Ok((repo, None, None));
    };
    if HF_PAGES.contains(page) {
        return Ok((repo, None, None));
    }
    let with_path = HF_REV_PAGES.contains(page);
    if !with_path && !matches!(*page, "commits" | "commit") {
        return Err(bad_hint(
            input,
            src,
            &format!("unsupported {what} page {:?} in the URL", decode(page)),
            hint.check(input, web_url(kind, &repo)),
        ));
    }
    if after.is_empty() {
        return Ok((repo, None, None));
    }
    // Special refs (`refs/convert/parquet`, `refs/pr/3`) span three segments.
    let take = if after[0] == "refs" && after.len() >= 3 {
        3
    } else {
        1
    };
    let revision = Some(decode(&after[..take].join("/")));
    let p = after[take..].join("/");
    let path = (with_path && !p.is_empty()).then(|| decode(&p));
    Ok((repo, revision, path))
}

/// The repo's web page.
fn web_url(kind: RepoKind, repo: &str) -> String {
    match kind {
        RepoKind::Model => format!("https://huggingface.co/{repo}"),
        k => format!("https://huggingface.co/{}/{repo}", k.plural()),
    }
}

/// Checks a revision: any git ref name or commit, but no whitespace, control characters or `..`.
fn check_revision(rev: &str) -> std::result::Result<(), &'static str> {
    if rev.is_empty() {
        return Err("empty revision");
    }
    if rev.len() > 255 {
        return Err("revision longer than 255 characters");
    }
    if rev.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("whitespace or control character in revision");
    }
    if rev
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err("empty, '.' or '..' component in revision");
    }
    Ok(())
}

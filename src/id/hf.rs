//! Hugging Face ids: `OWNER/NAME[@REV]`, `NAME`, `hf://datasets/…` and the dataset's web URLs.

use super::{
    HF_HOSTS, HfId, Hint, KAGGLE_HOSTS, bad, bad_hint, check_common, check_segment, decode,
    url_segments, with_suggestions,
};
use crate::error::{Hub, Result};

/// Parses a Hugging Face id: `OWNER/NAME`, `NAME`, `OWNER/NAME@REV`, the dataset URL forms and
/// `hf://datasets/...`. A `hf:` prefix is accepted too. URLs copied from a browser are taken
/// as they are: pages of the dataset (`/viewer/…`, `/discussions`), a revision and path
/// (`/tree/REV/PATH`, `/blob/…`, `/resolve/…`), a query (`?row=3`) or a fragment.
pub fn parse_hf(input: &str) -> Result<HfId> {
    with_suggestions(input, parse_hf_with)
}

type HfParts = (String, Option<String>, Option<String>);

fn parse_hf_with(input: &str, hint: Hint<'_>) -> Result<HfId> {
    let src = Hub::HuggingFace;
    check_common(input, src, hint)?;
    let raw = input
        .strip_prefix("hf:")
        .filter(|r| !r.starts_with("//"))
        .unwrap_or(input);

    // Split into repo part, revision and optional in-repo path depending on the form.
    let (repo, revision, path) = if let Some(rest) = raw.strip_prefix("hf://") {
        hf_scheme(input, rest, hint)?
    } else if let Some(segs) = url_segments(raw, HF_HOSTS) {
        hf_url(input, &segs, hint)?
    } else if raw.contains("://") || url_segments(raw, KAGGLE_HOSTS).is_some() {
        return Err(bad(input, src, "not a Hugging Face URL"));
    } else {
        // A trailing slash (from tab completion or a copied path) changes nothing.
        let raw = raw.strip_suffix('/').unwrap_or(raw);
        match raw.split_once('@') {
            Some((repo, rev)) => (repo.to_string(), Some(rev.to_string()), None),
            None => (raw.to_string(), None, None),
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
            hint.check(input, candidate),
        ));
    }
    for s in &segs {
        check_segment(s).map_err(|r| {
            let joined: Vec<&str> = segs.iter().copied().filter(|s| !s.is_empty()).collect();
            bad_hint(input, src, r, hint.check(input, joined.join("/")))
        })?;
    }
    if let Some(rev) = &revision {
        check_revision(rev)
            .map_err(|r| bad_hint(input, src, r, hint.check(input, repo.clone())))?;
    }
    if let Some(p) = &path {
        crate::paths::check_relative(p).map_err(|r| {
            bad_hint(
                input,
                src,
                &r,
                hint.check(input, format!("https://huggingface.co/datasets/{repo}")),
            )
        })?;
    }
    Ok(HfId {
        repo,
        revision,
        path,
    })
}

/// `hf://datasets/OWNER/NAME[@REV][/path]`; the `@REV` sits on the NAME segment.
fn hf_scheme(input: &str, rest: &str, hint: Hint<'_>) -> Result<HfParts> {
    let src = Hub::HuggingFace;
    let Some(rest) = rest.strip_prefix("datasets/") else {
        // hf://OWNER/NAME is a model in huggingface_hub's file system.
        let candidate = rest
            .strip_prefix("models/")
            .or_else(|| rest.strip_prefix("spaces/"))
            .unwrap_or(rest);
        return Err(bad_hint(
            input,
            src,
            "hf:// ids must start with hf://datasets/ (only datasets are supported)",
            hint.check(input, format!("hf://datasets/{candidate}")),
        ));
    };
    let segs: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let (name_idx, owner) = if segs.len() >= 2 && !segs[0].contains('@') {
        (1, Some(segs[0]))
    } else {
        (0, None)
    };
    let (name, rev) = match segs[name_idx].split_once('@') {
        Some((n, r)) => (n, Some(decode(r))),
        None => (segs[name_idx], None),
    };
    let repo = match owner {
        Some(o) => format!("{o}/{name}"),
        None => name.to_string(),
    };
    let path = segs[name_idx + 1..].join("/");
    Ok((repo, rev, (!path.is_empty()).then_some(path)))
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

/// `https://huggingface.co/datasets/OWNER/NAME[/PAGE…]`, query and fragment already removed.
fn hf_url(input: &str, segs: &[&str], hint: Hint<'_>) -> Result<HfParts> {
    let src = Hub::HuggingFace;
    let rest = match segs.split_first() {
        Some((&"datasets", rest)) => rest,
        _ => {
            // A model (`huggingface.co/OWNER/NAME`) or a space: name the dataset URL it may be.
            let named = match segs.first() {
                Some(&"spaces") | Some(&"models") => &segs[1..],
                _ => segs,
            };
            let candidate = match named {
                [o, n, ..] => format!("https://huggingface.co/datasets/{o}/{n}"),
                _ => String::new(),
            };
            return Err(bad_hint(
                input,
                src,
                "only dataset URLs (https://huggingface.co/datasets/...) are supported",
                hint.check(input, candidate),
            ));
        }
    };
    let (repo, tail) = match rest {
        [] => return Err(bad(input, src, "the URL names no dataset")),
        [name] => return Ok((name.to_string(), None, None)),
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
            &format!("unsupported dataset page {:?} in the URL", decode(page)),
            hint.check(input, format!("https://huggingface.co/datasets/{repo}")),
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

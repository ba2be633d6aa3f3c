//! Dataset identifiers: parsing and validation of every form in DESIGN.md section 1.
//!
//! Ids are validated before any request is made: no `..`, no empty segment, no whitespace or
//! control characters. Anything that fits no accepted form is a usage error that lists the forms.

use crate::error::{Error, Hub, Result};

/// A Hugging Face dataset repository, optionally at a revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HfId {
    /// `owner/name`, or a canonical `name` without owner.
    pub repo: String,
    /// Branch, tag, commit or special ref, when one was given in the id.
    pub revision: Option<String>,
    /// A folder or file inside the repo named by a URL (`/tree/main/data`, `hf://…/data`).
    pub path: Option<String>,
}

impl HfId {
    /// The owner part, if the repo has one.
    pub fn owner(&self) -> Option<&str> {
        self.repo.split_once('/').map(|(o, _)| o)
    }

    /// The name part.
    pub fn name(&self) -> &str {
        self.repo.rsplit('/').next().unwrap_or(&self.repo)
    }

    /// The default folder name under the download root: `OWNER_NAME`, or `NAME`.
    pub fn folder_name(&self) -> String {
        self.repo.replace('/', "_")
    }
}

impl std::fmt::Display for HfId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.revision {
            Some(rev) => write!(f, "{}@{}", self.repo, rev),
            None => f.write_str(&self.repo),
        }
    }
}

/// A Kaggle dataset, optionally at a version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KaggleId {
    /// The owner (user or organisation) slug.
    pub owner: String,
    /// The dataset slug.
    pub slug: String,
    /// A pinned version number; `None` means the current version.
    pub version: Option<u32>,
}

impl KaggleId {
    /// `owner/slug`.
    pub fn reference(&self) -> String {
        format!("{}/{}", self.owner, self.slug)
    }
}

impl std::fmt::Display for KaggleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.version {
            Some(v) => write!(f, "{}/{}/versions/{}", self.owner, self.slug, v),
            None => write!(f, "{}/{}", self.owner, self.slug),
        }
    }
}

/// A dataset on either hub.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DatasetId {
    /// A Kaggle dataset.
    Kaggle(KaggleId),
    /// A Hugging Face dataset repo.
    Hf(HfId),
}

impl DatasetId {
    /// Which hub.
    pub fn source(&self) -> Hub {
        match self {
            DatasetId::Kaggle(_) => Hub::Kaggle,
            DatasetId::Hf(_) => Hub::HuggingFace,
        }
    }
}

impl std::fmt::Display for DatasetId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatasetId::Kaggle(k) => write!(f, "kaggle:{k}"),
            DatasetId::Hf(h) => write!(f, "hf:{h}"),
        }
    }
}

const HF_FORMS: &str = "OWNER/NAME, NAME, OWNER/NAME@REV, https://huggingface.co/datasets/OWNER/NAME[/tree/REV], hf://datasets/OWNER/NAME[@REV]";
const KAGGLE_FORMS: &str = "OWNER/SLUG, OWNER/SLUG/versions/N, OWNER/SLUG/N, https://www.kaggle.com/datasets/OWNER/SLUG[/versions/N]";

const HF_HOSTS: &[&str] = &["huggingface.co/", "www.huggingface.co/", "hf.co/"];
const KAGGLE_HOSTS: &[&str] = &["www.kaggle.com/", "kaggle.com/"];

/// Tabs of a Kaggle dataset page (`…/SLUG/data`, `…/SLUG/discussion/123`): the dataset itself.
const KAGGLE_TABS: &[&str] = &[
    "data",
    "code",
    "discussion",
    "discussions",
    "suggestions",
    "settings",
    "activity",
    "tasks",
    "metadata",
    "kernels",
    "notebooks",
];

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

fn bad(input: &str, source: Hub, reason: &str) -> Error {
    bad_hint(input, source, reason, None)
}

/// A refused id: the reason, the closest accepted form when there is one, and every form.
fn bad_hint(input: &str, source: Hub, reason: &str, hint: Option<String>) -> Error {
    let forms = match source {
        Hub::Kaggle => KAGGLE_FORMS,
        Hub::HuggingFace => HF_FORMS,
    };
    let clean = crate::sanitize::for_terminal;
    match hint {
        Some(h) => Error::usage(format!(
            "invalid {source} dataset id {:?}: {reason}; did you mean {}? (accepted forms: {forms})",
            clean(input),
            clean(&h)
        )),
        None => Error::usage(format!(
            "invalid {source} dataset id {:?}: {reason}; accepted forms: {forms}",
            clean(input)
        )),
    }
}

/// Checks one path segment of an id (owner, name, slug).
fn check_segment(seg: &str) -> std::result::Result<(), &'static str> {
    if seg.is_empty() {
        return Err("empty segment");
    }
    if seg == "." || seg == ".." {
        return Err("'.' and '..' are not allowed");
    }
    if seg.len() > 96 {
        return Err("segment longer than 96 characters");
    }
    if !seg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("only letters, digits, '-', '_' and '.' are allowed in owner and name");
    }
    Ok(())
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

fn check_common(input: &str, source: Hub, hint: Hint<'_>) -> Result<()> {
    if input.is_empty() {
        return Err(bad(input, source, "empty id"));
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        // Blanks around a pasted id are the usual cause.
        let trimmed = input.trim().to_string();
        return Err(bad_hint(
            input,
            source,
            "whitespace or control character",
            hint.check(input, trimmed),
        ));
    }
    Ok(())
}

/// Whether suggestions are computed, and how a suggestion is checked (it must be accepted).
#[derive(Clone, Copy)]
struct Hint<'a>(Option<&'a dyn Fn(&str) -> bool>);

impl Hint<'_> {
    /// `candidate`, when suggestions are on, it differs from `input` and it is accepted.
    fn check(&self, input: &str, candidate: String) -> Option<String> {
        let accepts = self.0?;
        (candidate != input && !candidate.is_empty() && accepts(&candidate)).then_some(candidate)
    }
}

/// The path segments of a URL on one of `hosts` (the scheme may be left out, as when copied
/// from some address bars), without query, fragment and trailing slashes.
fn url_segments<'a>(input: &'a str, hosts: &[&str]) -> Option<Vec<&'a str>> {
    let rest = input
        .strip_prefix("https://")
        .or_else(|| input.strip_prefix("http://"))
        .unwrap_or(input);
    let path = hosts.iter().find_map(|h| rest.strip_prefix(h))?;
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path.trim_end_matches('/');
    Some(if path.is_empty() {
        Vec::new()
    } else {
        path.split('/').collect()
    })
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Parses a Hugging Face id: `OWNER/NAME`, `NAME`, `OWNER/NAME@REV`, the dataset URL forms and
/// `hf://datasets/...`. A `hf:` prefix is accepted too. URLs copied from a browser are taken
/// as they are: pages of the dataset (`/viewer/…`, `/discussions`), a revision and path
/// (`/tree/REV/PATH`, `/blob/…`, `/resolve/…`), a query (`?row=3`) or a fragment.
pub fn parse_hf(input: &str) -> Result<HfId> {
    let accepts = |c: &str| parse_hf_with(c, Hint(None)).is_ok();
    parse_hf_with(input, Hint(Some(&accepts)))
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

/// Parses a Kaggle id: `OWNER/SLUG`, `OWNER/SLUG/versions/N`, `OWNER/SLUG/N`, or a dataset URL
/// (also a tab of the dataset's page, `…/SLUG/data`, `…/SLUG/discussion/123`, with any query
/// or fragment). A `kaggle:` prefix is accepted too.
pub fn parse_kaggle(input: &str) -> Result<KaggleId> {
    let accepts = |c: &str| parse_kaggle_with(c, Hint(None)).is_ok();
    parse_kaggle_with(input, Hint(Some(&accepts)))
}

fn parse_kaggle_with(input: &str, hint: Hint<'_>) -> Result<KaggleId> {
    let src = Hub::Kaggle;
    check_common(input, src, hint)?;
    let raw = input.strip_prefix("kaggle:").unwrap_or(input);
    // Plain ids with an empty segment (`a//b`): the same without it.
    let mut collapsed = String::new();
    let (owner, slug, version) = if let Some(segs) = url_segments(raw, KAGGLE_HOSTS) {
        kaggle_url(input, &segs, hint)?
    } else if raw.contains("://") || url_segments(raw, HF_HOSTS).is_some() {
        return Err(bad(input, src, "not a Kaggle URL"));
    } else {
        let body = raw.strip_suffix('/').unwrap_or(raw);
        let segs: Vec<&str> = body.split('/').collect();
        let nonempty: Vec<&str> = segs.iter().copied().filter(|s| !s.is_empty()).collect();
        collapsed = nonempty.join("/");
        let dataset = |n: &[&str]| match n {
            [o, s, ..] => format!("{o}/{s}"),
            _ => String::new(),
        };
        match segs.as_slice() {
            [o, s] => (*o, *s, None),
            [o, s, v] => (*o, *s, Some(*v)),
            [o, s, "versions", v] => (*o, *s, Some(*v)),
            _ => {
                // `a//b` is `a/b`; `a/b/data/x` is most likely the dataset `a/b`.
                let candidate = if nonempty.len() < segs.len() {
                    nonempty.join("/")
                } else {
                    dataset(&nonempty)
                };
                return Err(bad_hint(
                    input,
                    src,
                    "expected OWNER/SLUG with an optional version",
                    hint.check(input, candidate),
                ));
            }
        }
    };
    for s in [owner, slug] {
        check_segment(s)
            .map_err(|r| bad_hint(input, src, r, hint.check(input, collapsed.clone())))?;
    }
    let version = match version {
        None => None,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return Err(bad_hint(
                    input,
                    src,
                    "the version must be a positive whole number",
                    hint.check(input, format!("{owner}/{slug}")),
                ));
            }
        },
    };
    Ok(KaggleId {
        owner: owner.to_string(),
        slug: slug.to_string(),
        version,
    })
}

/// `https://www.kaggle.com/datasets/OWNER/SLUG[/versions/N][/TAB…]` (or the API's download
/// URL), query and fragment already removed: owner, slug and the version text, if any.
fn kaggle_url<'a>(
    input: &str,
    segs: &[&'a str],
    hint: Hint<'_>,
) -> Result<(&'a str, &'a str, Option<&'a str>)> {
    let src = Hub::Kaggle;
    let body = match segs {
        ["datasets", rest @ ..] | ["api", "v1", "datasets", "download", rest @ ..] => rest,
        [kind, ..]
            if matches!(
                *kind,
                "competitions" | "c" | "code" | "models" | "m" | "discussions" | "learn"
            ) =>
        {
            return Err(bad(
                input,
                src,
                "only dataset URLs (https://www.kaggle.com/datasets/...) are supported",
            ));
        }
        [owner, slug, ..] => {
            // An old-style dataset URL (kaggle.com/OWNER/SLUG).
            return Err(bad_hint(
                input,
                src,
                "only dataset URLs (https://www.kaggle.com/datasets/...) are supported",
                hint.check(
                    input,
                    format!("https://www.kaggle.com/datasets/{owner}/{slug}"),
                ),
            ));
        }
        _ => {
            return Err(bad(
                input,
                src,
                "only dataset URLs (https://www.kaggle.com/datasets/...) are supported",
            ));
        }
    };
    let [owner, slug, tail @ ..] = body else {
        return Err(bad(input, src, "the URL names no OWNER/SLUG"));
    };
    let page = format!("https://www.kaggle.com/datasets/{owner}/{slug}");
    let (version, tab) = match tail {
        ["versions", v, rest @ ..] => (Some(*v), rest),
        rest => (None, rest),
    };
    match tab.first() {
        None => {}
        Some(t) if KAGGLE_TABS.contains(t) => {}
        Some(t) => {
            return Err(bad_hint(
                input,
                src,
                &format!("unsupported dataset page {:?} in the URL", decode(t)),
                hint.check(input, page),
            ));
        }
    }
    Ok((owner, slug, version))
}

/// Parses an id for either hub: `kaggle:ID`, `hf:ID`, or a Kaggle / Hugging Face URL.
pub fn parse_any(input: &str) -> Result<DatasetId> {
    if input.starts_with("kaggle:") || url_segments(input, KAGGLE_HOSTS).is_some() {
        return parse_kaggle(input).map(DatasetId::Kaggle);
    }
    if input.starts_with("hf:")
        || input.starts_with("hf://")
        || url_segments(input, HF_HOSTS).is_some()
    {
        return parse_hf(input).map(DatasetId::Hf);
    }
    // Either hub could be meant: show both prefixed forms when the id fits them.
    let trimmed = input.trim().trim_end_matches('/');
    let both: Vec<String> = [format!("hf:{trimmed}"), format!("kaggle:{trimmed}")]
        .into_iter()
        .filter(|c| parse_any(c).is_ok())
        .collect();
    let hint = if both.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", both.join(" or "))
    };
    Err(Error::usage_with(
        format!(
            "cannot tell which hub {:?} is on: prefix it with kaggle: or hf: (e.g. kaggle:OWNER/SLUG, hf:OWNER/NAME@REV), or pass a kaggle.com / huggingface.co URL{}",
            crate::sanitize::for_terminal(input),
            crate::sanitize::for_terminal(&hint)
        ),
        crate::error::Hint::NameTheHub,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hf(repo: &str, rev: Option<&str>) -> HfId {
        HfId {
            repo: repo.into(),
            revision: rev.map(Into::into),
            path: None,
        }
    }

    #[test]
    fn hf_forms() {
        assert_eq!(parse_hf("acme/corpus").unwrap(), hf("acme/corpus", None));
        assert_eq!(parse_hf("squad").unwrap(), hf("squad", None));
        assert_eq!(
            parse_hf("acme/corpus@v1.0").unwrap(),
            hf("acme/corpus", Some("v1.0"))
        );
        assert_eq!(
            parse_hf("acme/corpus@refs/convert/parquet").unwrap(),
            hf("acme/corpus", Some("refs/convert/parquet"))
        );
        assert_eq!(parse_hf("hf:acme/corpus").unwrap(), hf("acme/corpus", None));
        assert_eq!(
            parse_hf("https://huggingface.co/datasets/acme/corpus").unwrap(),
            hf("acme/corpus", None)
        );
        assert_eq!(
            parse_hf("https://huggingface.co/datasets/acme/corpus/tree/dev").unwrap(),
            hf("acme/corpus", Some("dev"))
        );
        assert_eq!(
            parse_hf("https://huggingface.co/datasets/acme/corpus/tree/refs%2Fconvert%2Fparquet")
                .unwrap(),
            hf("acme/corpus", Some("refs/convert/parquet"))
        );
        let with_path =
            parse_hf("https://huggingface.co/datasets/acme/corpus/tree/main/data").unwrap();
        assert_eq!(with_path.path.as_deref(), Some("data"));
        assert_eq!(
            parse_hf("hf://datasets/acme/corpus@dev").unwrap(),
            hf("acme/corpus", Some("dev"))
        );
        assert_eq!(
            parse_hf("hf://datasets/acme/corpus").unwrap(),
            hf("acme/corpus", None)
        );
    }

    #[test]
    fn hf_rejects() {
        for bad in [
            "",
            "a/b/c",
            "../x",
            "a/..",
            "a//b",
            "a b",
            "a/b@",
            "a/b@x/../y",
            "a/b\u{1b}[31m",
            "ftp://x",
            "https://huggingface.co/acme/model",
            "hf://models/a/b",
        ] {
            let err = parse_hf(bad).unwrap_err();
            assert_eq!(err.kind().exit_code(), 2, "{bad:?}");
            assert!(err.to_string().contains("accepted forms"), "{err}");
        }
    }

    #[test]
    fn kaggle_forms() {
        let k = |v| KaggleId {
            owner: "alice".into(),
            slug: "titanic".into(),
            version: v,
        };
        assert_eq!(parse_kaggle("alice/titanic").unwrap(), k(None));
        assert_eq!(
            parse_kaggle("alice/titanic/versions/3").unwrap(),
            k(Some(3))
        );
        assert_eq!(parse_kaggle("alice/titanic/3").unwrap(), k(Some(3)));
        assert_eq!(parse_kaggle("kaggle:alice/titanic/3").unwrap(), k(Some(3)));
        assert_eq!(
            parse_kaggle("https://www.kaggle.com/datasets/alice/titanic/versions/3").unwrap(),
            k(Some(3))
        );
        assert_eq!(
            parse_kaggle("https://www.kaggle.com/datasets/alice/titanic/").unwrap(),
            k(None)
        );
        for bad in [
            "alice",
            "alice/titanic/0",
            "alice/titanic/x",
            "alice/../x",
            "a/b/c/d/e",
            "alice/ti tanic",
        ] {
            assert!(parse_kaggle(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn browser_urls_and_trailing_slashes() {
        let k = |v| KaggleId {
            owner: "alice".into(),
            slug: "titanic".into(),
            version: v,
        };
        for ok in [
            "alice/titanic/",
            "kaggle:alice/titanic/",
            "https://www.kaggle.com/datasets/alice/titanic/data",
            "https://www.kaggle.com/datasets/alice/titanic/data?select=train.csv",
            "https://www.kaggle.com/datasets/alice/titanic/code",
            "https://www.kaggle.com/datasets/alice/titanic/discussion/123456",
            "https://www.kaggle.com/datasets/alice/titanic/suggestions",
            "https://www.kaggle.com/datasets/alice/titanic/settings",
            "https://www.kaggle.com/datasets/alice/titanic#summary",
            "https://kaggle.com/datasets/alice/titanic?resource=download",
            "www.kaggle.com/datasets/alice/titanic",
            "https://www.kaggle.com/api/v1/datasets/download/alice/titanic",
        ] {
            assert_eq!(parse_kaggle(ok).unwrap(), k(None), "{ok}");
        }
        for ok in [
            "alice/titanic/3/",
            "https://www.kaggle.com/datasets/alice/titanic/versions/3/data",
            "https://www.kaggle.com/datasets/alice/titanic/versions/3?resource=download",
        ] {
            assert_eq!(parse_kaggle(ok).unwrap(), k(Some(3)), "{ok}");
        }
        let h = |rev: Option<&str>, path: Option<&str>| HfId {
            repo: "acme/corpus".into(),
            revision: rev.map(Into::into),
            path: path.map(Into::into),
        };
        for (ok, want) in [
            ("acme/corpus/", h(None, None)),
            ("hf:acme/corpus/", h(None, None)),
            ("acme/corpus@v1/", h(Some("v1"), None)),
            (
                "https://huggingface.co/datasets/acme/corpus/viewer/default/train?row=3",
                h(None, None),
            ),
            (
                "https://huggingface.co/datasets/acme/corpus/viewer",
                h(None, None),
            ),
            (
                "https://huggingface.co/datasets/acme/corpus#citation",
                h(None, None),
            ),
            (
                "https://huggingface.co/datasets/acme/corpus/discussions/4",
                h(None, None),
            ),
            (
                "https://huggingface.co/datasets/acme/corpus/blob/v2/data/train.csv",
                h(Some("v2"), Some("data/train.csv")),
            ),
            (
                "https://huggingface.co/datasets/acme/corpus/resolve/main/data/train.csv?download=true",
                h(Some("main"), Some("data/train.csv")),
            ),
            (
                "https://huggingface.co/datasets/acme/corpus/tree/refs%2Fconvert%2Fparquet/default",
                h(Some("refs/convert/parquet"), Some("default")),
            ),
            (
                "https://huggingface.co/datasets/acme/corpus/commit/0123abc",
                h(Some("0123abc"), None),
            ),
            ("huggingface.co/datasets/acme/corpus", h(None, None)),
        ] {
            assert_eq!(parse_hf(ok).unwrap(), want, "{ok}");
        }
        assert_eq!(
            parse_hf("https://huggingface.co/datasets/squad").unwrap(),
            hf("squad", None)
        );
    }

    #[test]
    fn refusals_show_the_closest_accepted_form() {
        for (bad, hint) in [
            ("alice/titanic/data", "did you mean alice/titanic?"),
            ("alice/titanic/0", "did you mean alice/titanic?"),
            ("alice//titanic", "did you mean alice/titanic?"),
            ("alice/titanic/data/x", "did you mean alice/titanic?"),
            (" alice/titanic", "did you mean alice/titanic?"),
            (
                "https://www.kaggle.com/alice/titanic",
                "did you mean https://www.kaggle.com/datasets/alice/titanic?",
            ),
            (
                "https://www.kaggle.com/datasets/alice/titanic/nonsense",
                "did you mean https://www.kaggle.com/datasets/alice/titanic?",
            ),
        ] {
            let e = parse_kaggle(bad).unwrap_err().to_string();
            assert!(
                e.contains(hint) && e.contains("accepted forms"),
                "{bad:?}: {e}"
            );
        }
        for (bad, hint) in [
            ("acme/corpus/data", "did you mean acme/corpus?"),
            ("acme//corpus", "did you mean acme/corpus?"),
            ("acme/corpus@", "did you mean acme/corpus?"),
            (
                "https://huggingface.co/acme/model",
                "did you mean https://huggingface.co/datasets/acme/model?",
            ),
            (
                "hf://acme/corpus",
                "did you mean hf://datasets/acme/corpus?",
            ),
            (
                "https://huggingface.co/datasets/acme/corpus/nonsense",
                "did you mean https://huggingface.co/datasets/acme/corpus?",
            ),
        ] {
            let e = parse_hf(bad).unwrap_err().to_string();
            assert!(
                e.contains(hint) && e.contains("accepted forms"),
                "{bad:?}: {e}"
            );
        }
        let e = parse_any("acme/corpus").unwrap_err().to_string();
        assert!(
            e.contains("did you mean hf:acme/corpus or kaggle:acme/corpus?"),
            "{e}"
        );
        // No made-up suggestion when nothing close is accepted.
        for bad in ["ftp://x", "huggingface.co/datasets/a/b"] {
            let e = parse_kaggle(bad).unwrap_err().to_string();
            assert!(!e.contains("did you mean"), "{e}");
        }
        let e = parse_hf("www.kaggle.com/datasets/a/b")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("did you mean"), "{e}");
    }

    #[test]
    fn generic_dispatch() {
        assert!(matches!(
            parse_any("kaggle:a/b").unwrap(),
            DatasetId::Kaggle(_)
        ));
        assert!(matches!(
            parse_any("hf:a/b@main").unwrap(),
            DatasetId::Hf(_)
        ));
        assert!(matches!(
            parse_any("https://www.kaggle.com/datasets/a/b").unwrap(),
            DatasetId::Kaggle(_)
        ));
        assert!(matches!(
            parse_any("https://huggingface.co/datasets/a/b").unwrap(),
            DatasetId::Hf(_)
        ));
        assert!(matches!(
            parse_any("hf://datasets/a/b").unwrap(),
            DatasetId::Hf(_)
        ));
        assert_eq!(parse_any("a/b").unwrap_err().kind().exit_code(), 2);
    }
}

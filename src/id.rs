//! Dataset identifiers: parsing and validation of every form in DESIGN.md section 1.
//!
//! Ids are validated before any request is made: no `..`, no empty segment, no whitespace or
//! control characters. Anything that fits no accepted form is a usage error that lists the forms.

use crate::error::{Error, Result, Source};

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
    pub fn source(&self) -> Source {
        match self {
            DatasetId::Kaggle(_) => Source::Kaggle,
            DatasetId::Hf(_) => Source::HuggingFace,
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

fn bad(input: &str, source: Source, reason: &str) -> Error {
    let forms = match source {
        Source::Kaggle => KAGGLE_FORMS,
        Source::HuggingFace => HF_FORMS,
    };
    Error::usage(format!(
        "invalid {source} dataset id {:?}: {reason}; accepted forms: {forms}",
        crate::sanitize::for_terminal(input)
    ))
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

fn check_common(input: &str, source: Source) -> Result<()> {
    if input.is_empty() {
        return Err(bad(input, source, "empty id"));
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(input, source, "whitespace or control character"));
    }
    Ok(())
}

fn strip_url_prefix<'a>(input: &'a str, hosts: &[&str]) -> Option<&'a str> {
    let rest = input
        .strip_prefix("https://")
        .or_else(|| input.strip_prefix("http://"))?;
    hosts.iter().find_map(|h| rest.strip_prefix(h))
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Parses a Hugging Face id: `OWNER/NAME`, `NAME`, `OWNER/NAME@REV`, the dataset URL forms and
/// `hf://datasets/...`. A `hf:` prefix is accepted too.
pub fn parse_hf(input: &str) -> Result<HfId> {
    let src = Source::HuggingFace;
    check_common(input, src)?;
    let raw = input
        .strip_prefix("hf:")
        .filter(|r| !r.starts_with("//"))
        .unwrap_or(input);

    // Split into repo part, revision and optional in-repo path depending on the form.
    let (repo, revision, path) = if let Some(rest) = raw.strip_prefix("hf://") {
        let rest = rest
            .strip_prefix("datasets/")
            .ok_or_else(|| bad(input, src, "hf:// ids must start with hf://datasets/"))?;
        let segs: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        // hf://datasets/OWNER/NAME[@REV][/path]; the @REV sits on the NAME segment.
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
        (repo, rev, (!path.is_empty()).then_some(path))
    } else if let Some(rest) =
        strip_url_prefix(raw, &["huggingface.co/", "www.huggingface.co/", "hf.co/"])
    {
        let rest = rest.split(['?', '#']).next().unwrap_or("");
        let rest = rest.strip_prefix("datasets/").ok_or_else(|| {
            bad(
                input,
                src,
                "only dataset URLs (https://huggingface.co/datasets/...) are supported",
            )
        })?;
        let segs: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        if segs.len() < 2 {
            return Err(bad(input, src, "the URL names no OWNER/NAME"));
        }
        let repo = format!("{}/{}", segs[0], segs[1]);
        let mut revision = None;
        let mut path = None;
        if segs.len() > 2 {
            if !matches!(segs[2], "tree" | "blob" | "resolve") || segs.len() < 4 {
                return Err(bad(input, src, "unsupported URL form"));
            }
            let tail = &segs[3..];
            // Special refs (`refs/convert/parquet`, `refs/pr/3`) span three segments.
            let take = if tail[0] == "refs" && tail.len() >= 3 {
                3
            } else {
                1
            };
            revision = Some(decode(&tail[..take.min(tail.len())].join("/")));
            let p = tail[take.min(tail.len())..].join("/");
            if !p.is_empty() {
                path = Some(decode(&p));
            }
        }
        (repo, revision, path)
    } else if raw.contains("://") {
        return Err(bad(input, src, "not a Hugging Face URL"));
    } else {
        match raw.split_once('@') {
            Some((repo, rev)) => (repo.to_string(), Some(rev.to_string()), None),
            None => (raw.to_string(), None, None),
        }
    };

    let segs: Vec<&str> = repo.split('/').collect();
    if segs.len() > 2 {
        return Err(bad(
            input,
            src,
            "too many '/' in the repo id (expected OWNER/NAME)",
        ));
    }
    for s in &segs {
        check_segment(s).map_err(|r| bad(input, src, r))?;
    }
    if let Some(rev) = &revision {
        check_revision(rev).map_err(|r| bad(input, src, r))?;
    }
    if let Some(p) = &path {
        crate::paths::check_relative(p).map_err(|r| bad(input, src, &r))?;
    }
    Ok(HfId {
        repo,
        revision,
        path,
    })
}

/// Parses a Kaggle id: `OWNER/SLUG`, `OWNER/SLUG/versions/N`, `OWNER/SLUG/N`, or a dataset URL.
/// A `kaggle:` prefix is accepted too.
pub fn parse_kaggle(input: &str) -> Result<KaggleId> {
    let src = Source::Kaggle;
    check_common(input, src)?;
    let raw = input.strip_prefix("kaggle:").unwrap_or(input);
    let body = if let Some(rest) = strip_url_prefix(raw, &["www.kaggle.com/", "kaggle.com/"]) {
        let rest = rest.split(['?', '#']).next().unwrap_or("");
        rest.strip_prefix("datasets/")
            .ok_or_else(|| {
                bad(
                    input,
                    src,
                    "only dataset URLs (https://www.kaggle.com/datasets/...) are supported",
                )
            })?
            .trim_end_matches('/')
            .to_string()
    } else if raw.contains("://") {
        return Err(bad(input, src, "not a Kaggle URL"));
    } else {
        raw.to_string()
    };
    let segs: Vec<&str> = body.split('/').collect();
    let version = match segs.len() {
        2 => None,
        3 => Some(segs[2]),
        4 if segs[2] == "versions" => Some(segs[3]),
        _ => {
            return Err(bad(
                input,
                src,
                "expected OWNER/SLUG with an optional version",
            ));
        }
    };
    for s in &segs[..2] {
        check_segment(s).map_err(|r| bad(input, src, r))?;
    }
    let version = match version {
        None => None,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return Err(bad(
                    input,
                    src,
                    "the version must be a positive whole number",
                ));
            }
        },
    };
    Ok(KaggleId {
        owner: segs[0].to_string(),
        slug: segs[1].to_string(),
        version,
    })
}

/// Parses an id for either hub: `kaggle:ID`, `hf:ID`, or a Kaggle / Hugging Face URL.
pub fn parse_any(input: &str) -> Result<DatasetId> {
    if input.starts_with("kaggle:")
        || strip_url_prefix(input, &["www.kaggle.com/", "kaggle.com/"]).is_some()
    {
        return parse_kaggle(input).map(DatasetId::Kaggle);
    }
    if input.starts_with("hf:")
        || input.starts_with("hf://")
        || strip_url_prefix(input, &["huggingface.co/", "www.huggingface.co/", "hf.co/"]).is_some()
    {
        return parse_hf(input).map(DatasetId::Hf);
    }
    Err(Error::usage(format!(
        "cannot tell which hub {:?} is on: prefix it with kaggle: or hf: (e.g. kaggle:OWNER/SLUG, hf:OWNER/NAME@REV), or pass a kaggle.com / huggingface.co URL, or use `dsfetch download kaggle|hf ID`",
        crate::sanitize::for_terminal(input)
    )))
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

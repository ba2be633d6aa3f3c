//! Kaggle ids: `OWNER/SLUG[/versions/N]`, `OWNER/SLUG/N` and the dataset's web URLs.

use super::{
    HF_HOSTS, Hint, KAGGLE_HOSTS, KaggleId, bad, bad_hint, check_common, check_segment, decode,
    url_segments, with_suggestions,
};
use crate::error::{Hub, Result};

/// Parses a Kaggle id: `OWNER/SLUG`, `OWNER/SLUG/versions/N`, `OWNER/SLUG/N`, or a dataset URL
/// (also a tab of the dataset's page, `…/SLUG/data`, `…/SLUG/discussion/123`, with any query
/// or fragment). A `kaggle:` prefix is accepted too.
pub fn parse_kaggle(input: &str) -> Result<KaggleId> {
    with_suggestions(input, parse_kaggle_with)
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

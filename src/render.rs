//! The `search` and `auth` commands and their output (tables for people, TSV for pipes, JSON).

use std::io::IsTerminal;

use dsfetch::credentials::{self, Resolved};
use dsfetch::download::{self, human_bytes};
use dsfetch::error::{Error, Source};
use dsfetch::hf::HfClient;
use dsfetch::kaggle::KaggleClient;
use dsfetch::progress::{Event, Reporter};
use dsfetch::sanitize::for_terminal;
use dsfetch::search::{self, Hit, Query, SortBy};
use serde_json::json;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::cli::{AuthArgs, SearchArgs, SortArg, SourceArg};
use crate::commands::{Ctx, Outcome};

/// `dsfetch search`.
pub async fn search(ctx: &Ctx, a: &SearchArgs) -> Outcome {
    let sources = match a.source {
        SourceArg::All => vec![Source::Kaggle, Source::HuggingFace],
        SourceArg::Kaggle => vec![Source::Kaggle],
        SourceArg::Hf => vec![Source::HuggingFace],
    };
    let q = Query {
        text: a.query.clone(),
        sources: sources.clone(),
        limit: usize::from(a.limit),
        sort: match a.sort {
            SortArg::Downloads => SortBy::Downloads,
            SortArg::Likes => SortBy::Likes,
            SortArg::Updated => SortBy::Updated,
        },
        author: a.author.clone(),
        tags: a.tag.clone(),
        file_type: a.file_type.clone(),
        license: a.license.clone(),
        min_size: a.min_size,
        max_size: a.max_size,
    };
    if let Err(e) = search::validate_query(&q) {
        return Outcome::failed(e);
    }
    let reporter = ctx.ui.as_ref() as &dyn Reporter;
    let hf = async {
        if !sources.contains(&Source::HuggingFace) {
            return None;
        }
        let r = async {
            let auth = credentials::resolve_hf(None, &ctx.env)?;
            let client = HfClient {
                http: &ctx.http,
                endpoint: download::hf_endpoint(&ctx.env)?,
                auth: &auth,
                reporter,
            };
            search::search_hf(&client, &q).await
        }
        .await;
        Some(r)
    };
    let kaggle = async {
        if !sources.contains(&Source::Kaggle) {
            return None;
        }
        let r = async {
            let auth = credentials::resolve_kaggle(&ctx.env)?;
            for w in &auth.warnings {
                reporter.on_event(&Event::Warn(w));
            }
            let client = KaggleClient {
                http: &ctx.http,
                endpoint: download::kaggle_endpoint(&ctx.env)?,
                auth: &auth,
                reporter,
            };
            search::search_kaggle(&client, &q).await
        }
        .await;
        Some(r)
    };
    let (k, h) = tokio::join!(kaggle, hf);
    let mut hits = Vec::new();
    let mut failures = Vec::new();
    for (src, r) in [(Source::Kaggle, k), (Source::HuggingFace, h)] {
        match r {
            Some(Ok(v)) => hits.extend(v),
            Some(Err(e)) => failures.push((src, e)),
            None => {}
        }
    }
    let answered = sources.len() - failures.len();
    if answered == 0 {
        // Every source failed: report each, exit with the first one's code.
        let mut it = failures.into_iter();
        let (_, first) = it.next().expect("at least one source");
        for (src, e) in it {
            ctx.ui
                .on_event(&Event::Warn(&format!("{src} search failed too: {e}")));
        }
        return Outcome::failed(first);
    }
    for (src, e) in &failures {
        ctx.ui.on_event(&Event::Warn(&format!(
            "{src} search failed, showing the other hub's results only: {e}"
        )));
    }
    let hits = search::merge(hits, q.sort, q.limit);
    if ctx.json {
        return Outcome {
            json: Some(serde_json::to_value(&hits).unwrap_or_else(|_| json!([]))),
            text: None,
            error: None,
            exit: None,
        };
    }
    if hits.is_empty() {
        ctx.ui
            .info(&format!("No datasets match {:?}.", for_terminal(&a.query)));
    }
    let text = if std::io::stdout().is_terminal() {
        let width = console::Term::stdout()
            .size_checked()
            .map(|(_, w)| w as usize)
            .unwrap_or(100);
        table(&hits, width)
    } else {
        tsv(&hits)
    };
    Outcome {
        json: None,
        text: (!text.is_empty()).then(|| text.trim_end().to_string()),
        error: None,
        exit: None,
    }
}

/// A count in at most five characters: `999`, `1.0k`, `999.9k`, `1.0M`, ... The unit is chosen
/// after rounding to one decimal, so 999,999 is `1.0M`, never `1000.0k`.
fn compact(n: Option<u64>) -> String {
    let Some(n) = n else {
        return "-".into();
    };
    if n < 1000 {
        return n.to_string();
    }
    let units = [(1_000u128, "k"), (1_000_000, "M"), (1_000_000_000, "B")];
    let last = (1_000_000_000_000u128, "T");
    for (div, unit) in units.into_iter().chain([last]) {
        // Tenths of the unit, rounded half up, in integers (no float rounding surprises).
        let tenths = (u128::from(n) * 10 + div / 2) / div;
        if tenths < 10_000 || unit == last.1 {
            return format!("{}.{}{unit}", tenths / 10, tenths % 10);
        }
    }
    unreachable!("the last unit always returns")
}

/// Cuts `s` to at most `w` terminal columns, ending in `…` when cut.
pub fn fit(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

fn pad(s: &str, w: usize) -> String {
    let cur = s.width();
    format!("{s}{}", " ".repeat(w.saturating_sub(cur)))
}

/// A table that fits `width` columns: long ids and titles are cut, never wrapped.
pub fn table(hits: &[Hit], width: usize) -> String {
    let rows: Vec<[String; 7]> = hits
        .iter()
        .map(|h| {
            [
                match h.source {
                    Source::Kaggle => "kaggle".into(),
                    Source::HuggingFace => "hf".into(),
                },
                h.id.clone(),
                h.title.clone(),
                compact(h.downloads),
                compact(h.likes),
                h.size_bytes.map(human_bytes).unwrap_or_else(|| "-".into()),
                h.updated
                    .as_deref()
                    .map(|u| u.chars().take(10).collect())
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let header = [
        "SOURCE",
        "ID",
        "TITLE",
        "DOWNLOADS",
        "LIKES",
        "SIZE",
        "UPDATED",
    ];
    let mut w: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.width());
        }
    }
    // Fixed columns keep their width; ID and TITLE share what is left (two spaces between).
    let fixed: usize = w[0] + w[3] + w[4] + w[5] + w[6] + 2 * 6;
    let room = width.saturating_sub(fixed).max(20);
    let id_w = w[1].min((room * 45 / 100).max(12));
    let title_w = w[2].min(room.saturating_sub(id_w)).max(5);
    w[1] = id_w;
    w[2] = title_w;
    let mut out = String::new();
    let line = |cells: [&str; 7]| -> String {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            let cell = fit(c, w[i]);
            if (3..=5).contains(&i) {
                l.push_str(&format!(
                    "{}{}",
                    " ".repeat(w[i].saturating_sub(cell.width())),
                    cell
                ));
            } else {
                l.push_str(&pad(&cell, w[i]));
            }
            if i < 6 {
                l.push_str("  ");
            }
        }
        l.trim_end().to_string()
    };
    out.push_str(&line(header));
    out.push('\n');
    for r in &rows {
        let cells: [&str; 7] = std::array::from_fn(|i| r[i].as_str());
        out.push_str(&line(cells));
        out.push('\n');
    }
    out
}

/// One tab-separated line per hit (for pipes): ref, downloads, likes, size, updated, title.
pub fn tsv(hits: &[Hit]) -> String {
    let clean = |s: &str| for_terminal(s).replace('\t', " ");
    hits.iter()
        .map(|h| {
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                h.reference,
                h.downloads.map(|d| d.to_string()).unwrap_or_default(),
                h.likes.map(|d| d.to_string()).unwrap_or_default(),
                h.size_bytes.map(|d| d.to_string()).unwrap_or_default(),
                h.updated.as_deref().unwrap_or(""),
                clean(&h.title)
            )
        })
        .collect()
}

fn describe(r: &Resolved) -> serde_json::Value {
    json!({
        "configured": r.credential.is_some(),
        "credential": r.credential.as_ref().map(|c| c.describe()),
        "from": r.origin,
        "also_found": r.shadowed,
        "looked_at": r.looked,
        "warnings": r.warnings,
    })
}

/// `dsfetch auth`.
pub async fn auth(ctx: &Ctx, a: &AuthArgs) -> Outcome {
    let reporter = ctx.ui.as_ref() as &dyn Reporter;
    let mut doc = serde_json::Map::new();
    let mut lines: Vec<String> = Vec::new();
    let mut worst: Option<Error> = None;
    for src in [Source::HuggingFace, Source::Kaggle] {
        let key = match src {
            Source::HuggingFace => "huggingface",
            Source::Kaggle => "kaggle",
        };
        let resolved = match src {
            Source::HuggingFace => credentials::resolve_hf(None, &ctx.env),
            Source::Kaggle => credentials::resolve_kaggle(&ctx.env),
        };
        let r = match resolved {
            Ok(r) => r,
            Err(e) => {
                lines.push(format!("{src}: error: {e}"));
                doc.insert(
                    key.into(),
                    json!({"configured": false, "error": e.to_string()}),
                );
                worst.get_or_insert(e);
                continue;
            }
        };
        let mut v = describe(&r);
        match (&r.credential, &r.origin) {
            (Some(c), Some(o)) => lines.push(format!("{src}: {} (from {o})", c.describe())),
            _ => {
                lines.push(format!(
                    "{src}: anonymous: no credential found (looked at {})",
                    r.looked_list()
                ));
                lines.push(format!("  to set one: {}", r.how_to_set()));
            }
        }
        for s in &r.shadowed {
            lines.push(format!("  also found, not used: {s}"));
        }
        for w in &r.warnings {
            lines.push(format!("  warning: {w}"));
        }
        if a.check && r.credential.is_some() {
            let checked = match src {
                Source::HuggingFace => match download::hf_endpoint(&ctx.env) {
                    Ok(endpoint) => {
                        HfClient {
                            http: &ctx.http,
                            endpoint,
                            auth: &r,
                            reporter,
                        }
                        .whoami()
                        .await
                    }
                    Err(e) => Err(e),
                },
                Source::Kaggle => match download::kaggle_endpoint(&ctx.env) {
                    Ok(endpoint) => {
                        KaggleClient {
                            http: &ctx.http,
                            endpoint,
                            auth: &r,
                            reporter,
                        }
                        .hello()
                        .await
                    }
                    Err(e) => Err(e),
                },
            };
            match checked {
                Ok(user) => {
                    lines.push(format!("  check: valid (account {user})"));
                    v["check"] = json!({"valid": true, "account": user});
                }
                Err(e) => {
                    let rejected = e.kind() == dsfetch::ErrorKind::Auth;
                    lines.push(format!(
                        "  check: {}: {e}",
                        if rejected { "rejected" } else { "failed" }
                    ));
                    v["check"] = json!({"valid": false, "error": e.to_string()});
                    if rejected || worst.is_none() {
                        worst = Some(e);
                    }
                }
            }
        }
        doc.insert(key.into(), v);
    }
    let text = lines
        .iter()
        .map(|l| for_terminal(l))
        .collect::<Vec<_>>()
        .join("\n");
    doc.insert("success".into(), json!(worst.is_none()));
    if let Some(e) = &worst {
        doc.insert(
            "error".into(),
            crate::commands::error_json(e)["error"].take(),
        );
    }
    Outcome {
        json: ctx.json.then_some(serde_json::Value::Object(doc)),
        text: Some(text),
        error: worst,
        exit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_counts_change_unit_after_rounding() {
        for (n, want) in [
            (0, "0"),
            (999, "999"),
            (1000, "1.0k"),
            (1049, "1.0k"),
            (1050, "1.1k"),
            (12_345, "12.3k"),
            (999_949, "999.9k"),
            (999_950, "1.0M"),
            (999_999, "1.0M"),
            (1_000_000, "1.0M"),
            (1_050_000, "1.1M"),
            (999_949_999, "999.9M"),
            (999_950_000, "1.0B"),
            (999_999_999, "1.0B"),
            (999_949_999_999, "999.9B"),
            (999_950_000_000, "1.0T"),
            (u64::MAX, "18446744.1T"),
        ] {
            assert_eq!(compact(Some(n)), want, "{n}");
        }
        assert_eq!(compact(None), "-");
    }

    #[test]
    fn fit_cuts_by_columns() {
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("abcdefghij", 5), "abcd…");
        assert_eq!(fit("数据数据数据", 5), "数据…");
    }
}

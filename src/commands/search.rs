//! `dsfetch search`: both hubs at once; a table on a terminal, TSV when piped, JSON with `--json`.

use std::io::IsTerminal;

use dsfetch::Hub;
use dsfetch::progress::{Event, Reporter};
use dsfetch::sanitize::for_terminal;
use dsfetch::search::{self, Query, SearchKind, SortBy};
use serde_json::json;

use super::{Ctx, Outcome};
use crate::cli::{SearchArgs, SearchTypeArg, SortArg, SourceArg};
use crate::ui::table::{table, tsv};

/// `dsfetch search`.
pub(super) async fn search(ctx: &Ctx, a: &SearchArgs) -> Outcome {
    let q = Query {
        text: a.query.clone(),
        kind: match a.kind {
            SearchTypeArg::Dataset => SearchKind::Dataset,
            SearchTypeArg::Model => SearchKind::Model,
            SearchTypeArg::Space => SearchKind::Space,
            SearchTypeArg::Competition => SearchKind::Competition,
        },
        sources: match a.source {
            SourceArg::All => vec![Hub::Kaggle, Hub::HuggingFace],
            SourceArg::Kaggle => vec![Hub::Kaggle],
            SourceArg::Hf => vec![Hub::HuggingFace],
        },
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
    let results = match search::search(&ctx.hubs(), &q).await {
        Ok(r) => r,
        Err(e) => return Outcome::failed(e),
    };
    for (hub, e) in &results.failures {
        ctx.ui.on_event(&Event::Warn(&format!(
            "{hub} search failed, showing the other hub's results only: {}",
            crate::ui::hints::message(e)
        )));
    }
    let hits = results.hits;
    if ctx.json {
        return Outcome {
            json: Some(serde_json::to_value(&hits).unwrap_or_else(|_| json!([]))),
            text: None,
            error: None,
            exit: None,
        };
    }
    if hits.is_empty() {
        ctx.ui.info(&format!(
            "No {} match {:?}.",
            q.kind.plural(),
            for_terminal(&a.query)
        ));
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

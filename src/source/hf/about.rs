//! `dsfetch info` on the Hub: the repo's info at a revision (`/api/{kind}s/{repo}/revision/{rev}`:
//! commit, last update, private, gated, card data), its refs (`/refs`: branches, tags,
//! conversions) and its tree at that commit (every page).

use serde::Deserialize;
use serde_json::Value;

use super::HfClient;
use crate::error::{Hub, Result};
use crate::http::{endpoint_join, quote};
use crate::id::{HfId, RepoKind};
use crate::source::about::{About, Version, clean};

/// The fields of the repo info `info` shows.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RepoCard {
    sha: Option<String>,
    last_modified: Option<String>,
    private: Option<bool>,
    /// `false`, `"auto"` or `"manual"`.
    gated: Option<Value>,
    card_data: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Refs {
    branches: Vec<RefEntry>,
    tags: Vec<RefEntry>,
    converts: Vec<RefEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RefEntry {
    name: String,
    #[serde(rename = "ref")]
    full: Option<String>,
    target_commit: Option<String>,
}

/// The licence a card names: `license` as a string or the first of a list.
fn license(card: Option<&Value>) -> Option<String> {
    let l = card?.get("license")?;
    let s = match l {
        Value::String(s) => s.as_str(),
        Value::Array(a) => a.first()?.as_str()?,
        _ => return None,
    };
    clean(Some(s))
}

fn gated(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Bool(b) => Some(b.to_string()),
        Value::String(s) => clean(Some(s)),
        _ => None,
    }
}

/// Describes the repo `id` at its revision (else `main`).
pub(crate) async fn about(client: &HfClient<'_>, id: &HfId) -> Result<About> {
    let (kind, repo) = (id.kind, id.repo.as_str());
    let revision = id.revision.as_deref().unwrap_or("main");
    let errors = client.errors(kind, repo, revision);
    let base = format!("/api/{}/{repo}", kind.plural());
    let url = endpoint_join(
        &client.endpoint,
        &format!("{base}/revision/{}", quote(revision, false)),
    )?;
    let (card, _, _): (RepoCard, _, _) = client
        .get_json(url, &format!("revision {revision} of {repo}"), &errors)
        .await?;
    let commit = match card.sha.as_deref() {
        Some(s) if crate::verify::is_hex(s, 40) => s.to_ascii_lowercase(),
        _ => revision.to_string(),
    };
    let refs_url = endpoint_join(&client.endpoint, &format!("{base}/refs"))?;
    let (refs, _, _): (Refs, _, _) = client
        .get_json(refs_url, &format!("refs of {repo}"), &errors)
        .await?;
    let (entries, _) = client.list_tree(kind, repo, &commit, revision).await?;
    let page = match kind {
        RepoKind::Model => String::new(),
        k => format!("/{}", k.plural()),
    };
    let shown_id = match kind {
        RepoKind::Dataset => repo.to_string(),
        k => format!("{}/{repo}", k.plural()),
    };
    let mut a = About::new(
        Hub::HuggingFace,
        kind.singular(),
        shown_id.clone(),
        format!("https://huggingface.co{page}/{repo}"),
    );
    a.reference = format!("hf:{shown_id}@{revision}");
    let card_data = card.card_data.as_ref();
    a.title = card_data
        .and_then(|c| c.get("pretty_name").or_else(|| c.get("title")))
        .and_then(Value::as_str)
        .and_then(|t| clean(Some(t)));
    a.license = license(card_data);
    a.updated = clean(card.last_modified.as_deref());
    a.private = card.private;
    a.gated = gated(card.gated.as_ref());
    a.revision = Some(crate::sanitize::for_terminal(revision));
    a.commit = Some(commit);
    let refs_of = |list: &[RefEntry]| -> Vec<Version> {
        list.iter()
            .map(|r| Version {
                name: crate::sanitize::for_terminal(
                    r.full
                        .as_deref()
                        .filter(|f| f.starts_with("refs/convert/"))
                        .unwrap_or(&r.name),
                ),
                created: None,
                commit: clean(r.target_commit.as_deref()),
            })
            .collect()
    };
    a.branches = refs_of(&refs.branches);
    a.tags = refs_of(&refs.tags);
    a.tags.extend(refs_of(&refs.converts));
    a.set_files(
        entries
            .into_iter()
            .filter(|e| e.kind == "file")
            .map(|e| (e.path, e.lfs.map(|l| l.size).or(e.size))),
    );
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_and_gating_in_their_shapes() {
        let card = serde_json::json!({"license": ["mit"], "pretty_name": "X"});
        assert_eq!(license(Some(&card)).as_deref(), Some("mit"));
        let card = serde_json::json!({"license": "apache-2.0"});
        assert_eq!(license(Some(&card)).as_deref(), Some("apache-2.0"));
        assert_eq!(license(Some(&serde_json::json!({}))), None);
        assert_eq!(gated(Some(&Value::Bool(false))).as_deref(), Some("false"));
        assert_eq!(
            gated(Some(&Value::from("manual"))).as_deref(),
            Some("manual")
        );
    }
}

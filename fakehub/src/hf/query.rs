//! Query strings and cursor paging.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::errors::bad_request;
use crate::http::{Request, Response};
use crate::util::enc_component;

/// All values of a query key, in order.
pub(super) fn qall<'a>(
    q: &'a [(String, String)],
    k: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    q.iter()
        .filter(move |(a, _)| a == k)
        .map(|(_, v)| v.as_str())
}

pub(super) fn is_true(v: Option<&str>) -> bool {
    matches!(
        v.map(str::to_ascii_lowercase).as_deref(),
        Some("true" | "1" | "yes")
    )
}

pub(super) fn encode_cursor(offset: usize) -> String {
    STANDARD.encode(format!("fakehub:{offset}"))
}

pub(super) fn decode_cursor(c: &str) -> Option<usize> {
    let raw = STANDARD.decode(c).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("fakehub:")?
        .parse()
        .ok()
}

/// The raw query with any `cursor` removed, plus the new cursor.
pub(super) fn next_link(base: &str, path: &str, raw_query: &str, offset: usize) -> String {
    let mut parts: Vec<&str> = raw_query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor=") && *p != "cursor")
        .collect();
    let c = format!("cursor={}", enc_component(&encode_cursor(offset)));
    parts.push(&c);
    format!("<{base}{path}?{}>; rel=\"next\"", parts.join("&"))
}

/// The offset a `cursor` value stands for (0 without one); `Err` is the 400 for a bad one.
pub(super) fn cursor_offset(cursor: Option<&str>) -> Result<usize, Response> {
    match cursor {
        None => Ok(0),
        Some(c) => decode_cursor(c).ok_or_else(|| bad_request("Invalid cursor")),
    }
}

/// A 200 with the JSON array of `items[offset..]` (at most `page` of them, each rendered by
/// `render`) and, when more follow, a `Link` to the next page.
pub(super) fn paged<T>(
    req: &Request,
    base: &str,
    items: &[T],
    offset: usize,
    page: usize,
    render: impl FnMut(&T) -> Value,
) -> Response {
    let end = offset.saturating_add(page).min(items.len());
    let body: Vec<Value> = items
        .get(offset..end)
        .unwrap_or(&[])
        .iter()
        .map(render)
        .collect();
    let mut resp = Response::json(200, &Value::Array(body));
    if end < items.len() {
        resp = resp.header("Link", next_link(base, req.path(), req.query(), end));
    }
    resp
}

//! Request fields (JSON values, or decimal strings), and page tokens.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::errors::kaggle_error;
use crate::http::Response;

/// A request's fields: an RPC's JSON body, or a classic route's query.
pub(super) type Body = Map<String, Value>;

pub(super) fn get_str<'a>(b: &'a Body, k: &str) -> Result<Option<&'a str>, Response> {
    match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(kaggle_error(400, &format!("Invalid value for {k}"))),
    }
}

/// Integers arrive as JSON numbers, or (proto3 JSON for int64, and classic query strings) as
/// decimal strings.
pub(super) fn get_int(b: &Body, k: &str) -> Result<Option<i64>, Response> {
    let bad = || kaggle_error(400, &format!("Invalid value for {k}"));
    match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

fn encode_token(offset: usize) -> String {
    STANDARD.encode(format!("fakehub-kaggle:{offset}"))
}

fn decode_token(t: &str) -> Option<usize> {
    String::from_utf8(STANDARD.decode(t).ok()?)
        .ok()?
        .strip_prefix("fakehub-kaggle:")?
        .parse()
        .ok()
}

/// Resolves paging fields to (offset, page size).
pub(super) fn paging(
    b: &Body,
    default: usize,
    max: usize,
    allow_page: bool,
) -> Result<(usize, usize), Response> {
    let size = match get_int(b, "pageSize")? {
        None | Some(0) => default,
        Some(n) if n < 0 => return Err(kaggle_error(400, "Invalid value for pageSize")),
        Some(n) => (n as usize).min(max),
    }
    .max(1);
    if let Some(t) = get_str(b, "pageToken")?.filter(|t| !t.is_empty()) {
        let off = decode_token(t).ok_or_else(|| kaggle_error(400, "Invalid page token"))?;
        return Ok((off, size));
    }
    if allow_page {
        let page = match get_int(b, "page")? {
            None | Some(0) => 1,
            Some(n) if n < 0 => return Err(kaggle_error(400, "Invalid value for page")),
            Some(n) => n as usize,
        };
        return Ok(((page - 1).saturating_mul(size), size));
    }
    Ok((0, size))
}

/// The page of `items` at `offset` (at most `size` of them), and the next page's token (empty
/// on the last page).
pub(super) fn page_of<T>(items: &[T], offset: usize, size: usize) -> (&[T], String) {
    let end = offset.saturating_add(size).min(items.len());
    let page = items.get(offset.min(items.len())..end).unwrap_or(&[]);
    let next = if end < items.len() {
        encode_token(end)
    } else {
        String::new()
    };
    (page, next)
}

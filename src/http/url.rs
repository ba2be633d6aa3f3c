//! URLs: API endpoints from the environment, percent-encoding, origins (which bound where
//! credentials may go) and the form of a URL that is safe to show.

use reqwest::Url;

use crate::error::{Error, Result};

/// The scheme, host and port of a URL: credentials only travel to the origin they belong to.
pub fn origin_of(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// A URL safe to show: the query (which carries signatures on CDN URLs) and any user info are
/// removed.
pub fn display_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// Reads a base URL from `var` (else `default`; a trailing `/` stripped): an http(s) URL.
pub(crate) fn endpoint(env: &crate::env::Env, var: &str, default: &str) -> Result<Url> {
    let raw = env.get(var).unwrap_or(default).trim_end_matches('/');
    let url = Url::parse(raw).map_err(|e| {
        Error::usage(format!(
            "{var}={raw:?} is not a valid URL ({e}); unset it or fix it"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::usage(format!(
            "{var}={raw:?} must be an http(s) URL"
        )));
    }
    Ok(url)
}

/// Joins `path` (already percent-encoded) onto an endpoint, keeping any base path of a mirror.
pub(crate) fn endpoint_join(base: &Url, path: &str) -> Result<Url> {
    let s = format!("{}{}", base.as_str().trim_end_matches('/'), path);
    Url::parse(&s).map_err(|e| Error::usage(format!("cannot build a URL from {}: {e}", base)))
}

/// Percent-encodes like Python's `urllib.parse.quote(s, safe=…)`: letters, digits and `_.-~`
/// stay, plus `/` when `keep_slash`.
pub(crate) fn quote(s: &str, keep_slash: bool) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const BASE: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'_')
        .remove(b'.')
        .remove(b'-')
        .remove(b'~');
    const KEEP_SLASH: &AsciiSet = &BASE.remove(b'/');
    utf8_percent_encode(s, if keep_slash { KEEP_SLASH } else { BASE }).to_string()
}

//! Talking to the CAS (hub-docs `docs/xet/auth.md`, `api.md`): the read token from the Hub
//! (`GET {hub}/api/{type}s/{repo}/xet-read-token/{commit}`, with the Hub credential), refreshed
//! before it expires and on a 401; reconstructions from `{casUrl}/v2/reconstructions/{file id}`
//! with `Range`, falling back to `/v1/` on 404 or 501 (as hf_xet does). The Hub credential
//! never goes to the CAS: CAS requests carry only the Xet token, bound to the CAS origin.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderValue, RANGE};

use super::recon::{self, Recon};
use crate::credentials::{Credential, Secret};
use crate::error::{Error, Hub, Result};
use crate::http::{ErrorMap, HttpFailure, Request, display_url, origin_of};
use crate::transfer::spec::Run;

/// A token is refreshed this long before it expires (hf_xet: 30 s, `auth.md`).
const REFRESH_MARGIN: u64 = 30;
/// Largest token answer read.
const TOKEN_LIMIT: usize = 256 << 10;
/// Largest reconstruction answer read.
const RECON_LIMIT: usize = 256 << 20;

/// A Xet access token and the CAS it is for. Its `Debug` never shows the token.
pub(crate) struct XetToken {
    secret: Secret,
    /// Unix seconds after which it is no longer valid.
    exp: u64,
    /// The CAS base URL.
    cas: Url,
}

impl std::fmt::Debug for XetToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XetToken")
            .field("exp", &self.exp)
            .field("cas", &display_url(&self.cas))
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[derive(serde::Deserialize)]
struct TokenJson {
    #[serde(rename = "accessToken")]
    access_token: String,
    exp: u64,
    #[serde(rename = "casUrl")]
    cas_url: String,
}

/// Reads a token answer: the JSON body, else the `X-Xet-*` headers (older Hub versions).
fn parse_token(body: &[u8], headers: &HeaderMap) -> std::result::Result<XetToken, String> {
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let t = match serde_json::from_slice::<TokenJson>(body) {
        Ok(t) => t,
        Err(_) => TokenJson {
            access_token: h("x-xet-access-token").ok_or("no access token in the answer")?,
            exp: h("x-xet-token-expiration")
                .and_then(|v| v.parse().ok())
                .ok_or("no token expiration in the answer")?,
            cas_url: h("x-xet-cas-url").ok_or("no CAS URL in the answer")?,
        },
    };
    let token_ok = !t.access_token.is_empty()
        && t.access_token.len() <= 64_000
        && t.access_token.bytes().all(|b| b.is_ascii_graphic());
    if !token_ok {
        return Err("the access token is empty, too long or not printable".into());
    }
    let cas = Url::parse(t.cas_url.trim_end_matches('/'))
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && t.cas_url.len() <= 64_000)
        .ok_or("the CAS URL is not an http(s) URL")?;
    Ok(XetToken {
        secret: Secret::new(t.access_token),
        exp: t.exp,
        cas,
    })
}

struct Slot {
    current: Option<Arc<XetToken>>,
    generation: u64,
}

/// The read token of one repo at one commit, shared by every file of it in a run.
pub(crate) struct TokenSource {
    /// The token route, with the Hub credential.
    request: Request,
    slot: tokio::sync::Mutex<Slot>,
    /// The reconstruction API version the CAS answered (0 unknown, 1, 2).
    version: AtomicU8,
}

impl TokenSource {
    /// Tokens from the Hub route `request`.
    pub fn new(request: Request) -> TokenSource {
        TokenSource {
            request,
            slot: tokio::sync::Mutex::new(Slot {
                current: None,
                generation: 0,
            }),
            version: AtomicU8::new(0),
        }
    }

    /// A token valid for at least [`REFRESH_MARGIN`] more seconds, and its generation.
    async fn get(&self, run: Run<'_>, errors: &dyn ErrorMap) -> Result<(Arc<XetToken>, u64)> {
        let mut s = self.slot.lock().await;
        if let Some(t) = &s.current
            && t.exp > now() + REFRESH_MARGIN
        {
            return Ok((t.clone(), s.generation));
        }
        let reply = run
            .http
            .call(&self.request, run.reporter, TOKEN_LIMIT, true)
            .await?;
        if !reply.status.is_success() {
            let f = HttpFailure::from_reply(&reply, &origin_of(&self.request.url), "Xet token");
            return Err(errors.map(&f));
        }
        let t = parse_token(&reply.body, &reply.headers).map_err(|m| Error::Protocol {
            url: display_url(&reply.url),
            message: m,
        })?;
        let t = Arc::new(t);
        s.current = Some(t.clone());
        s.generation += 1;
        Ok((t, s.generation))
    }

    /// Forgets the token of `generation` (the CAS refused it).
    async fn invalidate(&self, generation: u64) {
        let mut s = self.slot.lock().await;
        if s.generation == generation {
            s.current = None;
        }
    }

    /// The reconstruction of bytes `[first, last]` of the file `file_id` (hex).
    pub async fn reconstruction(
        &self,
        run: Run<'_>,
        errors: &dyn ErrorMap,
        file_id: &str,
        (first, last): (u64, u64),
    ) -> Result<Recon> {
        let mut refreshed = 0;
        loop {
            let (token, generation) = self.get(run, errors).await?;
            let version = match self.version.load(Ordering::Relaxed) {
                1 => 1,
                _ => 2,
            };
            let url = Url::parse(&format!(
                "{}/v{version}/reconstructions/{file_id}",
                token.cas.as_str().trim_end_matches('/')
            ))
            .map_err(|e| Error::Protocol {
                url: display_url(&token.cas),
                message: format!("cannot build the reconstruction URL: {e}"),
            })?;
            let mut req = Request::get(url, "Xet reconstruction")
                .auth(Some(&Credential::Bearer(token.secret.clone())));
            req.headers.insert(
                RANGE,
                HeaderValue::from_str(&format!("bytes={first}-{last}")).expect("ascii"),
            );
            let reply = run.http.call(&req, run.reporter, RECON_LIMIT, true).await?;
            match reply.status.as_u16() {
                200 => {
                    self.version.store(version, Ordering::Relaxed);
                    return recon::parse(&reply.body).map_err(|m| Error::Protocol {
                        url: display_url(&reply.url),
                        message: format!("the reconstruction is not valid: {m}"),
                    });
                }
                401 if refreshed < 2 => {
                    refreshed += 1;
                    self.invalidate(generation).await;
                    run.reporter.on_event(&crate::progress::Event::Debug(
                        "the CAS refused the Xet token (401); asking the Hub for a new one",
                    ));
                }
                404 | 501 if version == 2 => self.version.store(1, Ordering::Relaxed),
                _ => {
                    let f = HttpFailure::from_reply(&reply, &origin_of(&req.url), "reconstruction");
                    return Err(f.generic_error(Hub::HuggingFace));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_from_json_or_headers_and_never_shown() {
        let t = parse_token(
            br#"{"accessToken":"xet_secret_value","exp":1848535668,"casUrl":"https://cas.example/"}"#,
            &HeaderMap::new(),
        )
        .unwrap();
        assert_eq!(t.cas.as_str(), "https://cas.example/");
        assert!(!format!("{t:?}").contains("xet_secret"));
        let mut h = HeaderMap::new();
        h.insert("x-xet-access-token", HeaderValue::from_static("tok"));
        h.insert("x-xet-token-expiration", HeaderValue::from_static("12"));
        h.insert(
            "x-xet-cas-url",
            HeaderValue::from_static("http://127.0.0.1:1"),
        );
        assert_eq!(parse_token(b"", &h).unwrap().exp, 12);
        assert!(parse_token(br#"{"accessToken":"a b","exp":1,"casUrl":"https://c"}"#, &h).is_err());
        assert!(parse_token(br#"{"accessToken":"a","exp":1,"casUrl":"file:///x"}"#, &h).is_err());
    }
}

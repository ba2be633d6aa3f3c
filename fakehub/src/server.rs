//! Accept loops and per-connection request handling: recording, fault selection, routing,
//! writing.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::faults::{FaultKind, Origin, Recorded};
use crate::http::{ReadOutcome, Response, SendPlan, read_request, write_response};
use crate::{Shared, hf, is_kaggle_path, kaggle, lock};

/// How long an idle keep-alive connection is kept open.
const IDLE: Duration = Duration::from_secs(120);

/// Accepts connections forever (until the runtime shuts down).
pub(crate) async fn run_listener(l: TcpListener, origin: Origin, shared: Arc<Shared>) {
    loop {
        match l.accept().await {
            Ok((s, _)) => {
                tokio::spawn(handle_conn(s, origin, shared.clone()));
            }
            // Out of descriptors and similar: back off instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// The error response for an injected status, in the origin's format.
fn status_fault(
    origin: Origin,
    path: &str,
    code: u16,
    retry_after: Option<&str>,
    reset: Option<u64>,
) -> Response {
    let mut r = match origin {
        Origin::Api if is_kaggle_path(path) => kaggle::injected_error(code),
        Origin::Api | Origin::Any => hf::injected_error(code, path),
        Origin::Cdn => hf::cdn_error(code),
        Origin::Storage => kaggle::storage_error(code),
        Origin::Cas => hf::injected_error(code, path),
    };
    if let Some(ra) = retry_after {
        r = r.header("Retry-After", ra);
    }
    if let Some(t) = reset {
        let b = hf::ratelimit_bucket(path);
        r = r.header("RateLimit", format!("\"{b}\";r=0;t={t}")).header(
            "RateLimit-Policy",
            format!("\"fixed window\";\"{b}\";q=1000;w=300"),
        );
    }
    r
}

/// What an expired signed URL gets on each origin.
fn expired(origin: Origin, path: &str) -> Response {
    match origin {
        Origin::Storage => kaggle::expired_error(),
        Origin::Cdn => hf::cdn_error(403),
        _ if is_kaggle_path(path) => kaggle::kaggle_error(403, "Permission denied"),
        _ => hf::injected_error(403, path),
    }
}

async fn handle_conn(mut s: TcpStream, origin: Origin, shared: Arc<Shared>) {
    let _ = s.set_nodelay(true);
    let mut buf = Vec::new();
    loop {
        let outcome = match tokio::time::timeout(IDLE, read_request(&mut s, &mut buf)).await {
            Ok(Ok(o)) => o,
            _ => return,
        };
        let mut req = match outcome {
            ReadOutcome::Closed => return,
            ReadOutcome::Bad(code, msg) => {
                let resp = Response::new(code).bytes("text/plain; charset=utf-8", msg);
                let _ = write_response(&mut s, &resp, false, false, &SendPlan::default()).await;
                let _ = s.shutdown().await;
                return;
            }
            ReadOutcome::Request(r) => r,
        };
        let id = lock(&shared.log).push(Recorded {
            origin,
            method: req.method.clone(),
            target: req.target.clone(),
            headers: req.headers.clone(),
            body: req.body.clone(),
            status: 0,
            body_bytes_sent: 0,
            range: req.header("range").map(str::to_string),
        });
        let fault = lock(&shared.faults).pick(origin, &req.method, &req.target);
        if origin == Origin::Api && !shared.opts.api_latency.is_zero() {
            tokio::time::sleep(shared.opts.api_latency).await;
        }
        let mut plan = SendPlan {
            rate: match origin {
                Origin::Cdn | Origin::Storage => shared.opts.cdn_rate,
                _ => None,
            },
            ..SendPlan::default()
        };
        let path = req.path().to_string();
        let resp = match fault {
            Some(FaultKind::ResetBeforeHeaders) => {
                // SO_LINGER 0: closing sends RST instead of FIN.
                let _ = s.set_zero_linger();
                drop(s);
                return;
            }
            Some(FaultKind::Status {
                code,
                retry_after,
                ratelimit_reset,
            }) => status_fault(origin, &path, code, retry_after.as_deref(), ratelimit_reset),
            Some(FaultKind::ExpiredUrl) => expired(origin, &path),
            Some(FaultKind::Replace {
                code,
                content_type,
                body,
            }) => Response::new(code).bytes(&content_type, body),
            Some(FaultKind::RedirectLoop) => Response::new(302)
                .header("Location", req.target.clone())
                .bytes(
                    "text/plain; charset=utf-8",
                    format!("Found. Redirecting to {}", req.target),
                ),
            Some(kind) => {
                match kind {
                    FaultKind::Latency(d) => tokio::time::sleep(d).await,
                    FaultKind::IgnoreRange => {
                        req.headers.retain(|(k, _)| k != "range" && k != "if-range")
                    }
                    FaultKind::DropAfter(k) => plan.drop_after = Some(k),
                    FaultKind::Stall { after, duration } => plan.stall = Some((after, duration)),
                    FaultKind::WrongLength(d) => plan.length_delta = d,
                    FaultKind::Corrupt { offset } => plan.corrupt = Some(offset),
                    _ => {}
                }
                shared.route(origin, &req)
            }
            None => shared.route(origin, &req),
        };
        let keep = req.keep_alive() && !plan.breaks_framing();
        let (sent, r) = write_response(&mut s, &resp, req.is_head(), keep, &plan).await;
        lock(&shared.log).update(id, resp.status, sent);
        if r.is_err() || !keep {
            let _ = s.shutdown().await;
            return;
        }
    }
}

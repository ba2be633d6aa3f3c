//! Fault injection rules and the request log.

use std::collections::HashMap;
use std::time::Duration;

use crate::util::{fnv1a, splitmix64};

/// Which listener a request arrived on (or, in a [`Fault`], which ones a rule applies to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The API origin: Hugging Face API and resolve routes, Kaggle RPC routes.
    Api,
    /// The Hugging Face CDN origin (LFS blobs behind signed URLs).
    Cdn,
    /// The Kaggle storage origin (GCS-like signed URLs).
    Storage,
    /// The Xet CAS origin (reconstructions; xorbs are on the CDN origin).
    Cas,
    /// Any origin (only meaningful in fault rules).
    Any,
}

impl Origin {
    fn covers(self, other: Origin) -> bool {
        self == Origin::Any || self == other
    }
}

/// What goes wrong with a matching request.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Answer with this status instead of the real response. The body is in the origin's error
    /// format (HF: `X-Error-Message` + `{"error":…}`; Kaggle API: `{"code":N,"message":…}`;
    /// CDN and storage: an XML `<Error>` document). `retry_after` becomes a `Retry-After` header;
    /// `ratelimit_reset = Some(t)` adds HF's `RateLimit: "<bucket>";r=0;t=<t>` and
    /// `RateLimit-Policy` headers (bucket `resolvers` for `/resolve/` paths, else `api`).
    Status {
        /// The status code to send.
        code: u16,
        /// Value of a `Retry-After` header, if any.
        retry_after: Option<String>,
        /// Seconds until the HF rate-limit window resets, if any.
        ratelimit_reset: Option<u64>,
    },
    /// Read the request, then close the connection abruptly (SO_LINGER 0, so the peer gets RST).
    ResetBeforeHeaders,
    /// Send the head with the correct `Content-Length`, then this many body bytes, then close.
    DropAfter(u64),
    /// Send `after` body bytes, pause for `duration`, then continue normally.
    Stall {
        /// Body bytes sent before the pause.
        after: u64,
        /// Length of the pause.
        duration: Duration,
    },
    /// Declare `Content-Length` = real length + delta and send exactly that many bytes
    /// (the body truncated, or padded with `#`), then close the connection.
    WrongLength(i64),
    /// Flip (xor 0xff) the byte at this offset of the body as sent (of the ranged body on 206).
    Corrupt {
        /// Offset within the body being sent.
        offset: u64,
    },
    /// Ignore any `Range` header: answer 200 with the full body.
    IgnoreRange,
    /// Answer 302 with `Location` pointing at the request's own target.
    RedirectLoop,
    /// Answer 403 as an expired signed URL would on that origin.
    ExpiredUrl,
    /// Wait this long before answering normally.
    Latency(Duration),
    /// Answer with this status, `Content-Type` and body instead of the real response, ignoring
    /// the request entirely: what a captive portal or a misconfigured proxy sends (e.g. `200`
    /// with a small HTML page in place of a file).
    Replace {
        /// The status code to send.
        code: u16,
        /// The `Content-Type` header.
        content_type: String,
        /// The body.
        body: Vec<u8>,
    },
}

/// A fault rule, built with [`Fault::new`] and refined with the builder methods.
///
/// Rules are checked in the order they were queued. A request matches a rule when the origin,
/// the `path_contains` substring (of the raw target, query included) and the method agree. A
/// matching rule that still has `skip` left lets the request through (counting it) and the next
/// rules are checked; otherwise the first matching rule applies, uses one of its `times`, and no
/// further rule is consulted. Exhausted rules are dropped.
#[derive(Clone, Debug)]
pub struct Fault {
    pub(crate) origin: Origin,
    pub(crate) kind: FaultKind,
    pub(crate) path_contains: Option<String>,
    pub(crate) method: Option<String>,
    pub(crate) times: usize,
    pub(crate) skip: usize,
}

impl Fault {
    /// A rule for every request on `origin`, applied once.
    pub fn new(origin: Origin, kind: FaultKind) -> Fault {
        Fault {
            origin,
            kind,
            path_contains: None,
            method: None,
            times: 1,
            skip: 0,
        }
    }

    /// Only requests whose raw target (path and query) contains `s`.
    pub fn path_contains(mut self, s: &str) -> Fault {
        self.path_contains = Some(s.to_string());
        self
    }

    /// Only requests with this method (case-insensitive).
    pub fn method(mut self, m: &str) -> Fault {
        self.method = Some(m.to_ascii_uppercase());
        self
    }

    /// How many requests the rule applies to (default 1; `usize::MAX` = forever).
    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }

    /// Let the first `n` matching requests through unharmed.
    pub fn skip(mut self, n: usize) -> Fault {
        self.skip = n;
        self
    }

    fn matches(&self, origin: Origin, method: &str, target: &str) -> bool {
        self.origin.covers(origin)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| target.contains(p))
    }
}

struct RandomFaults {
    seed: u64,
    probability: f64,
    kinds: Vec<FaultKind>,
    origin: Origin,
    counters: HashMap<String, u64>,
}

/// The queued rules and the optional random fault generator.
#[derive(Default)]
pub(crate) struct FaultState {
    rules: Vec<Fault>,
    random: Option<RandomFaults>,
}

impl FaultState {
    pub(crate) fn push(&mut self, f: Fault) {
        if f.times > 0 {
            self.rules.push(f);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
        self.random = None;
    }

    pub(crate) fn set_random(
        &mut self,
        seed: u64,
        probability: f64,
        kinds: Vec<FaultKind>,
        origin: Origin,
    ) {
        self.random = Some(RandomFaults {
            seed,
            probability,
            kinds,
            origin,
            counters: HashMap::new(),
        });
    }

    /// The fault to apply to this request, if any.
    pub(crate) fn pick(&mut self, origin: Origin, method: &str, target: &str) -> Option<FaultKind> {
        let mut hit = None;
        for (i, rule) in self.rules.iter_mut().enumerate() {
            if !rule.matches(origin, method, target) {
                continue;
            }
            if rule.skip > 0 {
                rule.skip -= 1;
                continue;
            }
            rule.times = rule.times.saturating_sub(1);
            hit = Some((i, rule.kind.clone()));
            break;
        }
        if let Some((i, kind)) = hit {
            if self.rules[i].times == 0 {
                self.rules.remove(i);
            }
            return Some(kind);
        }
        let r = self.random.as_mut()?;
        if !r.origin.covers(origin) || r.kinds.is_empty() {
            return None;
        }
        let path = target.split('?').next().unwrap_or("");
        let n = r.counters.entry(path.to_string()).or_insert(0);
        let h = splitmix64(r.seed ^ fnv1a(path.as_bytes()) ^ splitmix64(*n));
        *n += 1;
        let unit = (h >> 11) as f64 / (1u64 << 53) as f64;
        if unit < r.probability {
            let k = (splitmix64(h) % r.kinds.len() as u64) as usize;
            Some(r.kinds[k].clone())
        } else {
            None
        }
    }
}

/// One request as the fake saw it, with what was answered.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The listener it arrived on.
    pub origin: Origin,
    /// Request method.
    pub method: String,
    /// Raw path and query, as received.
    pub target: String,
    /// Request headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Vec<u8>,
    /// Status sent (0 when the connection was reset before any answer, or while in flight).
    pub status: u16,
    /// Body bytes actually written (padding included).
    pub body_bytes_sent: u64,
    /// The `Range` header, if any.
    pub range: Option<String>,
}

impl Recorded {
    /// First value of a request header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The target without its query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The raw query (without `?`), or "".
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }
}

/// Every request seen, each with an id so that in-flight entries can be updated.
#[derive(Default)]
pub(crate) struct RequestLog {
    next: u64,
    entries: Vec<(u64, Recorded)>,
}

impl RequestLog {
    pub(crate) fn push(&mut self, r: Recorded) -> u64 {
        let id = self.next;
        self.next += 1;
        self.entries.push((id, r));
        id
    }

    pub(crate) fn update(&mut self, id: u64, status: u16, sent: u64) {
        if let Some((_, r)) = self.entries.iter_mut().rev().find(|(i, _)| *i == id) {
            r.status = status;
            r.body_bytes_sent = sent;
        }
    }

    pub(crate) fn all(&self) -> Vec<Recorded> {
        self.entries.iter().map(|(_, r)| r.clone()).collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(code: u16) -> FaultKind {
        FaultKind::Status {
            code,
            retry_after: None,
            ratelimit_reset: None,
        }
    }

    #[test]
    fn rules_apply_in_order_with_skip_and_times() {
        let mut f = FaultState::default();
        f.push(
            Fault::new(Origin::Cdn, st(503))
                .path_contains("/a")
                .times(2),
        );
        f.push(Fault::new(Origin::Any, st(500)).skip(1).method("get"));
        assert_eq!(f.pick(Origin::Api, "GET", "/x"), None); // skipped by rule 2
        assert_eq!(f.pick(Origin::Cdn, "GET", "/a?q"), Some(st(503)));
        assert_eq!(f.pick(Origin::Cdn, "GET", "/a"), Some(st(503)));
        assert_eq!(f.pick(Origin::Cdn, "HEAD", "/a"), None);
        assert_eq!(f.pick(Origin::Storage, "GET", "/a"), Some(st(500)));
        assert_eq!(f.pick(Origin::Storage, "GET", "/a"), None);
    }

    #[test]
    fn random_faults_are_deterministic() {
        let run = || {
            let mut f = FaultState::default();
            f.set_random(42, 0.5, vec![st(503), FaultKind::DropAfter(3)], Origin::Any);
            (0..200)
                .map(|i| f.pick(Origin::Cdn, "GET", &format!("/p{}?sig={i}", i % 3)))
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let hits = a.iter().filter(|x| x.is_some()).count();
        assert!((60..140).contains(&hits), "{hits}");
    }
}

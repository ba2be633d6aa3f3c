//! Signed URLs for the CDN (CloudFront-like) and storage (GCS V4-like) origins.
//!
//! Signatures are stateless: each carries an issue number and a MAC over the path and expiry
//! parameters, so any edit of the URL is detected, and [`Signer::expire_all`] invalidates every
//! URL issued before the call.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::util::{enc_component, goog_date, now_ms, parse_query};

/// Validity of issued storage URLs (`X-Goog-Expires`), as in real Kaggle URLs.
const GCS_EXPIRES: u64 = 259_200;
/// Validity of issued CDN URLs.
const CDN_EXPIRES: u64 = 3_600;

/// Why a signed URL was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SigError {
    /// No signature parameters at all.
    Missing,
    /// The signature does not match the URL.
    Invalid,
    /// Past its expiry (or expired by [`Signer::expire_all`]).
    Expired,
}

pub(crate) struct Signer {
    secret: [u8; 16],
    seq: AtomicU64,
    expired_before: AtomicU64,
    tokens_before: AtomicU64,
}

impl Signer {
    pub(crate) fn new() -> Signer {
        let mut h = Sha256::new();
        h.update(now_ms().to_le_bytes());
        h.update(std::process::id().to_le_bytes());
        let x = 0u8;
        h.update(format!("{:p}", &x).as_bytes());
        let d: [u8; 32] = h.finalize().into();
        let mut secret = [0u8; 16];
        secret.copy_from_slice(&d[..16]);
        Signer {
            secret,
            seq: AtomicU64::new(1),
            expired_before: AtomicU64::new(0),
            tokens_before: AtomicU64::new(0),
        }
    }

    /// Every URL issued so far is expired from now on.
    pub(crate) fn expire_all(&self) {
        let next = self.seq.load(Ordering::SeqCst);
        self.expired_before.store(next, Ordering::SeqCst);
    }

    fn mac(&self, seq: u64, parts: &[&str]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(seq.to_be_bytes());
        for p in parts {
            h.update((p.len() as u64).to_be_bytes());
            h.update(p.as_bytes());
        }
        h.finalize().into()
    }

    fn check_seq(&self, seq: u64, expires_at_secs: u64) -> Result<(), SigError> {
        if seq < self.expired_before.load(Ordering::SeqCst) {
            return Err(SigError::Expired);
        }
        if (now_ms() / 1000) as u64 > expires_at_secs {
            return Err(SigError::Expired);
        }
        Ok(())
    }

    /// A GCS V4 signed URL for the percent-encoded `path` (which starts with `/`) on `base`.
    pub(crate) fn gcs_url(&self, base: &str, path: &str) -> String {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst);
        let date = goog_date(now_ms());
        let expires = GCS_EXPIRES.to_string();
        let decoded = crate::util::pct_decode(path).unwrap_or_else(|| path.to_string());
        let mac = self.mac(seq, &[&decoded, &date, &expires]);
        let sig = format!("{}{}", hex::encode(seq.to_be_bytes()), hex::encode(mac));
        let cred = format!(
            "gcp-kaggle-com@kaggle-161607.iam.gserviceaccount.com/{}/auto/storage/goog4_request",
            &date[..8]
        );
        format!(
            "{base}{path}?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential={}&X-Goog-Date={date}&X-Goog-Expires={expires}&X-Goog-SignedHeaders=host&X-Goog-Signature={sig}",
            enc_component(&cred)
        )
    }

    /// Checks a GCS-style signed request: `path` is the decoded path, `query` the raw query.
    pub(crate) fn check_gcs(&self, path: &str, query: &str) -> Result<(), SigError> {
        let q = parse_query(query).ok_or(SigError::Invalid)?;
        let get = |k: &str| q.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        let Some(sig) = get("X-Goog-Signature") else {
            return Err(SigError::Missing);
        };
        let (Some(date), Some(expires)) = (get("X-Goog-Date"), get("X-Goog-Expires")) else {
            return Err(SigError::Invalid);
        };
        if sig.len() != 80 || !sig.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(SigError::Invalid);
        }
        let seq = u64::from_str_radix(&sig[..16], 16).map_err(|_| SigError::Invalid)?;
        let want = hex::encode(self.mac(seq, &[path, date, expires]));
        if want != sig[16..].to_ascii_lowercase() {
            return Err(SigError::Invalid);
        }
        let issued = parse_goog_date(date).ok_or(SigError::Invalid)?;
        let exp: u64 = expires.parse().map_err(|_| SigError::Invalid)?;
        self.check_seq(seq, issued.saturating_add(exp))
    }

    /// A CloudFront-style signed URL for `path` on `base`, naming `filename` in the
    /// `response-content-disposition` parameter as the Hub does.
    pub(crate) fn cdn_url(&self, base: &str, path: &str, filename: &str) -> String {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst);
        let expires = ((now_ms() / 1000) as u64 + CDN_EXPIRES).to_string();
        let mac = self.mac(seq, &[path, &expires]);
        let mut raw = seq.to_be_bytes().to_vec();
        raw.extend_from_slice(&mac);
        let sig = URL_SAFE_NO_PAD.encode(raw);
        let policy = STANDARD.encode(format!(
            "{{\"Statement\":[{{\"Resource\":\"{base}{path}*\",\"Condition\":{{\"DateLessThan\":{{\"AWS:EpochTime\":{expires}}}}}}}]}}"
        ));
        // CloudFront's URL-safe base64 variant.
        let policy: String = policy
            .chars()
            .map(|c| match c {
                '+' => '-',
                '=' => '_',
                '/' => '~',
                c => c,
            })
            .collect();
        let disposition = format!(
            "inline; filename*=UTF-8''{}; filename=\"{}\";",
            enc_component(filename),
            filename.replace(['"', '\\'], "_")
        );
        format!(
            "{base}{path}?response-content-disposition={}&Expires={expires}&Policy={policy}&Signature={sig}&Key-Pair-Id=K3RPWS32NSSJCE",
            enc_component(&disposition)
        )
    }

    /// Checks a CDN signed request: `path` is the decoded path, `query` the raw query.
    pub(crate) fn check_cdn(&self, path: &str, query: &str) -> Result<(), SigError> {
        let q = parse_query(query).ok_or(SigError::Invalid)?;
        let get = |k: &str| q.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        let Some(sig) = get("Signature") else {
            return Err(SigError::Missing);
        };
        let Some(expires) = get("Expires") else {
            return Err(SigError::Invalid);
        };
        let raw = URL_SAFE_NO_PAD.decode(sig).map_err(|_| SigError::Invalid)?;
        if raw.len() != 40 {
            return Err(SigError::Invalid);
        }
        let mut seqb = [0u8; 8];
        seqb.copy_from_slice(&raw[..8]);
        let seq = u64::from_be_bytes(seqb);
        if self.mac(seq, &[path, expires])[..] != raw[8..] {
            return Err(SigError::Invalid);
        }
        let exp: u64 = expires.parse().map_err(|_| SigError::Invalid)?;
        self.check_seq(seq, exp)
    }
}

impl Signer {
    /// A signed xorb URL on `base` for `path`, authorizing exactly the byte ranges `range`
    /// (`bytes=a-b[,c-d]`), as the Xet transfer service signs them (`X-Xet-Signed-Range` plus
    /// CloudFront parameters).
    pub(crate) fn xorb_url(&self, base: &str, path: &str, range: &str) -> String {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst);
        let expires = ((now_ms() / 1000) as u64 + CDN_EXPIRES).to_string();
        let mac = self.mac(seq, &[path, range, &expires]);
        let mut raw = seq.to_be_bytes().to_vec();
        raw.extend_from_slice(&mac);
        let sig = URL_SAFE_NO_PAD.encode(raw);
        let policy = URL_SAFE_NO_PAD.encode(format!(
            "{{\"Statement\":[{{\"Resource\":\"{base}{path}*\",\"Condition\":{{\"DateLessThan\":{{\"AWS:EpochTime\":{expires}}}}}}}]}}"
        ));
        format!(
            "{base}{path}?X-Xet-Signed-Range={}&Expires={expires}&Policy={policy}&Signature={sig}&Key-Pair-Id=K2FAKEHUBXETKEY",
            enc_component(range)
        )
    }

    /// Checks a signed xorb request; returns the signed range.
    pub(crate) fn check_xorb(&self, path: &str, query: &str) -> Result<String, SigError> {
        let q = parse_query(query).ok_or(SigError::Invalid)?;
        let get = |k: &str| q.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        let (Some(sig), Some(range), Some(expires)) =
            (get("Signature"), get("X-Xet-Signed-Range"), get("Expires"))
        else {
            return Err(SigError::Missing);
        };
        let raw = URL_SAFE_NO_PAD.decode(sig).map_err(|_| SigError::Invalid)?;
        if raw.len() != 40 {
            return Err(SigError::Invalid);
        }
        let seq = u64::from_be_bytes(raw[..8].try_into().map_err(|_| SigError::Invalid)?);
        if self.mac(seq, &[path, range, expires])[..] != raw[8..] {
            return Err(SigError::Invalid);
        }
        let exp: u64 = expires.parse().map_err(|_| SigError::Invalid)?;
        self.check_seq(seq, exp)?;
        Ok(range.to_string())
    }

    /// A fresh Xet access token valid until `exp` (Unix seconds).
    pub(crate) fn token(&self, exp: u64) -> String {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst);
        let mac = self.mac(seq, &["xet-token", &exp.to_string()]);
        let raw = [seq.to_be_bytes().as_slice(), &exp.to_be_bytes(), &mac[..16]].concat();
        format!("xet_{}", URL_SAFE_NO_PAD.encode(raw))
    }

    /// Whether `token` was issued by [`Signer::token`], has not expired, and was not revoked by
    /// [`Signer::expire_tokens`].
    pub(crate) fn check_token(&self, token: &str) -> bool {
        let Some(raw) = token
            .strip_prefix("xet_")
            .and_then(|t| URL_SAFE_NO_PAD.decode(t).ok())
            .filter(|r| r.len() == 32)
        else {
            return false;
        };
        let seq = u64::from_be_bytes(raw[..8].try_into().expect("8 bytes"));
        let exp = u64::from_be_bytes(raw[8..16].try_into().expect("8 bytes"));
        self.mac(seq, &["xet-token", &exp.to_string()])[..16] == raw[16..]
            && seq >= self.tokens_before.load(Ordering::SeqCst)
            && exp >= (now_ms() / 1000) as u64
    }

    /// Every Xet token issued so far is refused from now on (the CAS answers 401).
    pub(crate) fn expire_tokens(&self) {
        let next = self.seq.load(Ordering::SeqCst);
        self.tokens_before.store(next, Ordering::SeqCst);
    }
}

/// `YYYYMMDDTHHMMSSZ` → Unix seconds.
fn parse_goog_date(s: &str) -> Option<u64> {
    if s.len() != 16 || !s.is_ascii() {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    crate::util::parse_iso8601(&iso).map(|ms| (ms / 1000).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(url: &str) -> (String, String) {
        let rest = url.strip_prefix("http://h").unwrap();
        let (p, q) = rest.split_once('?').unwrap();
        (p.to_string(), q.to_string())
    }

    #[test]
    fn gcs_roundtrip_and_expiry() {
        let s = Signer::new();
        let (p, q) = split(&s.gcs_url("http://h", "/kaggle-data-sets/1/2/bundle/archive.zip"));
        assert!(q.contains("X-Goog-Expires=259200"));
        assert_eq!(s.check_gcs(&p, &q), Ok(()));
        assert_eq!(s.check_gcs("/other", &q), Err(SigError::Invalid));
        assert_eq!(s.check_gcs(&p, ""), Err(SigError::Missing));
        let later = s.gcs_url("http://h", "/x");
        s.expire_all();
        assert_eq!(s.check_gcs(&p, &q), Err(SigError::Expired));
        let (p2, q2) = split(&later);
        assert_eq!(s.check_gcs(&p2, &q2), Err(SigError::Expired));
        let (p3, q3) = split(&s.gcs_url("http://h", "/y"));
        assert_eq!(s.check_gcs(&p3, &q3), Ok(()));
    }

    #[test]
    fn cdn_roundtrip() {
        let s = Signer::new();
        let (p, q) = split(&s.cdn_url("http://h", "/repos/ab/cd/x/abc", "a b.parquet"));
        assert!(q.starts_with("response-content-disposition="));
        assert_eq!(s.check_cdn(&p, &q), Ok(()));
        assert_eq!(
            s.check_cdn("/repos/ab/cd/x/abd", &q),
            Err(SigError::Invalid)
        );
        s.expire_all();
        assert_eq!(s.check_cdn(&p, &q), Err(SigError::Expired));
    }
}

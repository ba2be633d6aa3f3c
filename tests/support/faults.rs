//! Short builders for the fake hub's fault rules.

use std::time::Duration;

use fakehub::{Fault, FaultKind, Origin};

/// A fault applied to every matching request, for good.
pub fn always(origin: Origin, kind: FaultKind) -> Fault {
    Fault::new(origin, kind).times(usize::MAX)
}

/// An error status, without `Retry-After` or rate-limit headers.
pub fn status(code: u16) -> FaultKind {
    FaultKind::Status {
        code,
        retry_after: None,
        ratelimit_reset: None,
    }
}

/// A 429 answer with this `Retry-After` value.
pub fn retry_after_429(retry_after: &str) -> FaultKind {
    FaultKind::Status {
        code: 429,
        retry_after: Some(retry_after.into()),
        ratelimit_reset: None,
    }
}

/// A pause of `duration` after `after` body bytes.
pub fn stall(after: u64, duration: Duration) -> FaultKind {
    FaultKind::Stall { after, duration }
}

/// A 200 answer of this content type and body in place of the real one (a proxy's page).
pub fn replace_200(content_type: &str, body: &[u8]) -> FaultKind {
    FaultKind::Replace {
        code: 200,
        content_type: content_type.into(),
        body: body.to_vec(),
    }
}

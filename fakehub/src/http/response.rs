//! Responses as handlers build them, and reason phrases.

use crate::store::Blob;

/// A response body.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    Empty,
    Bytes(Vec<u8>),
    /// `len` bytes of `blob` starting at `start`.
    Blob {
        blob: Blob,
        start: u64,
        len: u64,
    },
}

impl Body {
    pub(crate) fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::Blob { len, .. } => *len,
        }
    }
}

/// A response to write.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Response {
    pub(crate) fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, k: &str, v: impl Into<String>) -> Response {
        self.headers.push((k.to_string(), v.into()));
        self
    }

    /// Sets a byte body.
    pub(crate) fn bytes(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        self.headers
            .push(("Content-Type".into(), content_type.to_string()));
        self.body = Body::Bytes(body.into());
        self
    }

    /// A JSON body (`application/json; charset=utf-8`).
    pub(crate) fn json(status: u16, v: &serde_json::Value) -> Response {
        Response::new(status).bytes("application/json; charset=utf-8", v.to_string())
    }
}

/// Reason phrase for a status code.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

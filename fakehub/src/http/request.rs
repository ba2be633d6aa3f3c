//! Request parsing: the request head, `Expect: 100-continue`, and `Content-Length` bodies.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest accepted request head (request line + headers).
const MAX_HEAD: usize = 64 * 1024;
/// Largest accepted request body.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// One parsed request.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub method: String,
    /// The raw request target (path and query) exactly as received.
    pub target: String,
    pub http10: bool,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// First value of a header (name is case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The target without its query.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The raw query (without `?`), possibly empty.
    pub(crate) fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }

    /// Whether the connection may be reused after this request.
    pub(crate) fn keep_alive(&self) -> bool {
        let conn = self.header("connection").unwrap_or("").to_ascii_lowercase();
        if self.http10 {
            conn.split(',').any(|t| t.trim() == "keep-alive")
        } else {
            !conn.split(',').any(|t| t.trim() == "close")
        }
    }

    /// Whether this is a HEAD request.
    pub(crate) fn is_head(&self) -> bool {
        self.method == "HEAD"
    }

    /// `http://<Host>` as the client addressed us, or `fallback`.
    pub(crate) fn base_url(&self, fallback: &str) -> String {
        match self.header("host") {
            Some(h) if !h.is_empty() && !h.contains(['/', ' ', '@']) => format!("http://{h}"),
            _ => fallback.to_string(),
        }
    }
}

/// Result of reading one request from a connection.
pub(crate) enum ReadOutcome {
    Request(Request),
    /// The peer closed the connection cleanly between requests.
    Closed,
    /// The request is malformed: answer with this status and close.
    Bad(u16, &'static str),
}

/// Reads one request. `buf` carries bytes already received beyond the previous request.
pub(crate) async fn read_request<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut S,
    buf: &mut Vec<u8>,
) -> io::Result<ReadOutcome> {
    let mut scanned = 0;
    let head_end = loop {
        if let Some(i) = find_head_end(buf, scanned) {
            break i;
        }
        scanned = buf.len().saturating_sub(3);
        if buf.len() > MAX_HEAD {
            return Ok(ReadOutcome::Bad(431, "Request Header Fields Too Large"));
        }
        let mut tmp = [0u8; 8192];
        let n = r.read(&mut tmp).await?;
        if n == 0 {
            return if buf.iter().all(|b| b.is_ascii_whitespace()) {
                Ok(ReadOutcome::Closed)
            } else {
                Ok(ReadOutcome::Bad(400, "Bad Request"))
            };
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = match std::str::from_utf8(&buf[..head_end]) {
        Ok(h) => h.to_string(),
        Err(_) => return Ok(ReadOutcome::Bad(400, "Bad Request")),
    };
    buf.drain(..head_end + 4);
    let mut req = match parse_head(&head) {
        Some(r) => r,
        None => return Ok(ReadOutcome::Bad(400, "Bad Request")),
    };
    if req.header("transfer-encoding").is_some() {
        return Ok(ReadOutcome::Bad(501, "Not Implemented"));
    }
    let len = match req.header("content-length") {
        None => 0,
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) => n,
            Err(_) => return Ok(ReadOutcome::Bad(400, "Bad Request")),
        },
    };
    if len > MAX_BODY {
        return Ok(ReadOutcome::Bad(413, "Payload Too Large"));
    }
    if buf.len() < len
        && !req.http10
        && req
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        // curl waits for this before sending bodies over 1 KiB.
        r.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
        r.flush().await?;
    }
    while buf.len() < len {
        let mut tmp = vec![0u8; (len - buf.len()).min(64 * 1024)];
        let n = r.read(&mut tmp).await?;
        if n == 0 {
            return Ok(ReadOutcome::Bad(400, "Bad Request"));
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    req.body = buf.drain(..len).collect();
    Ok(ReadOutcome::Request(req))
}

fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + from)
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

fn parse_head(head: &str) -> Option<Request> {
    let mut lines = head.split("\r\n");
    let line = lines.next()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    if parts.next().is_some() || !is_token(method) || target.is_empty() {
        return None;
    }
    if target.bytes().any(|c| c <= b' ' || c == 0x7f) {
        return None;
    }
    // absolute-form (`GET http://host/path HTTP/1.1`), as sent to proxies: keep the path.
    let target: String = match target.strip_prefix("http://") {
        Some(rest) => match rest.find(['/', '?']) {
            Some(i) if rest.as_bytes()[i] == b'/' => rest[i..].to_string(),
            Some(i) => format!("/{}", &rest[i..]),
            None => "/".to_string(),
        },
        None => target.to_string(),
    };
    if !target.starts_with('/') {
        return None;
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return None,
    };
    let mut headers = Vec::new();
    for l in lines {
        if l.starts_with([' ', '\t']) {
            return None; // obsolete line folding
        }
        let (k, v) = l.split_once(':')?;
        if !is_token(k) {
            return None;
        }
        headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
    }
    Some(Request {
        method: method.to_string(),
        target,
        http10,
        headers,
        body: Vec::new(),
    })
}

//! A small hand-written HTTP/1.1 layer: request parsing, response writing with byte-level
//! fault control and rate limiting, and `Range` / `If-Range` handling.

use std::io;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::store::{Blob, BlobReader, CHUNK};

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

/// What a `Range` header asks of a representation of `size` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RangeAsk {
    /// No usable range: send everything with 200.
    Full,
    /// Inclusive byte range, already clamped to the size.
    Part(u64, u64),
    /// 416.
    Unsatisfiable,
}

/// Interprets a `Range` header (RFC 9110 §14): single `bytes=` ranges only; a syntactically
/// invalid or multi-range header is ignored (full 200), an end past EOF is clamped.
pub(crate) fn parse_range(header: Option<&str>, size: u64) -> RangeAsk {
    let Some(h) = header else {
        return RangeAsk::Full;
    };
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return RangeAsk::Full;
    };
    if spec.contains(',') {
        return RangeAsk::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeAsk::Full;
    };
    let num = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    if a.trim().is_empty() {
        // suffix range
        let Some(n) = num(b) else {
            return RangeAsk::Full;
        };
        if n == 0 || size == 0 {
            return RangeAsk::Unsatisfiable;
        }
        return RangeAsk::Part(size.saturating_sub(n), size - 1);
    }
    let Some(start) = num(a) else {
        return RangeAsk::Full;
    };
    let end = if b.trim().is_empty() {
        u64::MAX
    } else {
        match num(b) {
            Some(e) if e >= start => e,
            _ => return RangeAsk::Full,
        }
    };
    if start >= size {
        return RangeAsk::Unsatisfiable;
    }
    RangeAsk::Part(start, end.min(size - 1))
}

/// `If-Range` evaluation: true when the validator matches the current representation (so the
/// `Range` applies). Weak entity tags never match.
pub(crate) fn if_range_matches(
    value: &str,
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> bool {
    let v = value.trim();
    if v.starts_with("W/") {
        return false;
    }
    if v.starts_with('"') {
        return etag.is_some_and(|e| e == v);
    }
    match (last_modified, httpdate::parse_http_date(v)) {
        (Some(lm), Ok(d)) => httpdate::parse_http_date(lm).is_ok_and(|l| l == d),
        _ => false,
    }
}

/// Builds a 200/206/416 response serving `blob`, honouring `Range` and (when given validators)
/// `If-Range`. `headers` are added to every answer; `on_416` builds the error body.
pub(crate) fn serve_blob(
    req: &Request,
    blob: &Blob,
    headers: Vec<(String, String)>,
    etag: Option<&str>,
    last_modified: Option<&str>,
    on_416: impl FnOnce() -> Response,
) -> Response {
    let size = blob.len();
    let mut ask = parse_range(req.header("range"), size);
    if ask != RangeAsk::Full
        && let Some(ir) = req.header("if-range")
        && !if_range_matches(ir, etag, last_modified)
    {
        ask = RangeAsk::Full;
    }
    let mut resp = match ask {
        RangeAsk::Full => {
            let mut r = Response::new(200);
            r.body = Body::Blob {
                blob: blob.clone(),
                start: 0,
                len: size,
            };
            r
        }
        RangeAsk::Part(a, b) => {
            let mut r = Response::new(206).header("Content-Range", format!("bytes {a}-{b}/{size}"));
            r.body = Body::Blob {
                blob: blob.clone(),
                start: a,
                len: b - a + 1,
            };
            r
        }
        RangeAsk::Unsatisfiable => {
            let r = on_416();
            return r.header("Content-Range", format!("bytes */{size}"));
        }
    };
    resp.headers.extend(headers);
    resp
}

/// Byte-level alterations of how a body is sent (fault injection and pacing).
#[derive(Clone, Debug, Default)]
pub(crate) struct SendPlan {
    /// Close after this many body bytes (the declared length is unchanged).
    pub drop_after: Option<u64>,
    /// Pause once after this many body bytes.
    pub stall: Option<(u64, Duration)>,
    /// Declared `Content-Length` = real length + delta; exactly that many bytes are sent.
    pub length_delta: i64,
    /// Flip the byte at this body offset.
    pub corrupt: Option<u64>,
    /// Bytes per second cap for this response.
    pub rate: Option<u64>,
}

impl SendPlan {
    /// Whether the connection must be closed after the response.
    pub(crate) fn breaks_framing(&self) -> bool {
        self.drop_after.is_some() || self.length_delta != 0
    }
}

/// Token bucket pacing writes to `rate` bytes per second.
struct Bucket {
    rate: f64,
    cap: f64,
    tokens: f64,
    last: Instant,
    slice: usize,
}

impl Bucket {
    fn new(rate: u64) -> Bucket {
        let rate = rate.max(1) as f64;
        let slice = (rate / 50.0).clamp(512.0, 64.0 * 1024.0) as usize;
        Bucket {
            rate,
            cap: (slice as f64).max(rate * 0.05),
            tokens: 0.0,
            last: Instant::now(),
            slice,
        }
    }

    async fn take(&mut self, n: usize) {
        loop {
            let now = Instant::now();
            self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate)
                .min(self.cap.max(n as f64));
            self.last = now;
            if self.tokens >= n as f64 {
                self.tokens -= n as f64;
                return;
            }
            let wait = (n as f64 - self.tokens) / self.rate;
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }
}

struct Sender<'a, W> {
    w: &'a mut W,
    bucket: Option<Bucket>,
    sent: u64,
}

impl<W: AsyncWrite + Unpin> Sender<'_, W> {
    async fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        match &mut self.bucket {
            None => {
                self.w.write_all(data).await?;
                self.sent += data.len() as u64;
            }
            Some(b) => {
                while !data.is_empty() {
                    let n = data.len().min(b.slice);
                    b.take(n).await;
                    self.w.write_all(&data[..n]).await?;
                    self.sent += n as u64;
                    data = &data[n..];
                }
            }
        }
        Ok(())
    }
}

/// Writes `resp` (head, then body unless `head_only`) according to `plan`.
///
/// Returns the number of body bytes written and the I/O result.
pub(crate) async fn write_response<W: AsyncWrite + Unpin>(
    w: &mut W,
    resp: &Response,
    head_only: bool,
    keep_alive: bool,
    plan: &SendPlan,
) -> (u64, io::Result<()>) {
    let real_len = resp.body.len();
    let declared = if plan.length_delta >= 0 {
        real_len.saturating_add(plan.length_delta as u64)
    } else {
        real_len.saturating_sub(plan.length_delta.unsigned_abs())
    };
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        head.push_str(k);
        head.push_str(": ");
        // Values may echo client input (revisions, paths): never let them split the head.
        if v.contains(['\r', '\n']) {
            head.push_str(&v.replace(['\r', '\n'], " "));
        } else {
            head.push_str(v);
        }
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {declared}\r\n"));
    head.push_str(&format!(
        "Date: {}\r\n",
        httpdate::fmt_http_date(std::time::SystemTime::now())
    ));
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    let mut out = head.into_bytes();
    let mut s = Sender {
        w,
        bucket: None,
        sent: 0,
    };
    if head_only {
        let r = async {
            s.w.write_all(&out).await?;
            s.w.flush().await
        }
        .await;
        return (0, r);
    }
    // Small plain bodies go out in the same write as the head.
    let plain = plan.drop_after.is_none()
        && plan.stall.is_none()
        && plan.corrupt.is_none()
        && plan.length_delta == 0
        && plan.rate.is_none();
    if plain && let Body::Bytes(b) = &resp.body {
        out.extend_from_slice(b);
        let r = async {
            s.w.write_all(&out).await?;
            s.w.flush().await
        }
        .await;
        return (if r.is_ok() { real_len } else { 0 }, r);
    }
    if let Err(e) = s.w.write_all(&out).await {
        return (0, Err(e));
    }
    s.bucket = plan.rate.map(Bucket::new);
    let r = send_body(&mut s, resp, real_len, declared, plan).await;
    let r = match r {
        Ok(()) => s.w.flush().await,
        Err(e) => Err(e),
    };
    (s.sent, r)
}

async fn send_body<W: AsyncWrite + Unpin>(
    s: &mut Sender<'_, W>,
    resp: &Response,
    real_len: u64,
    declared: u64,
    plan: &SendPlan,
) -> io::Result<()> {
    // Bytes taken from the body, then junk padding up to the declared length.
    let mut from_body = real_len.min(declared);
    let mut pad = declared.saturating_sub(real_len);
    if let Some(k) = plan.drop_after {
        if k < from_body {
            from_body = k;
            pad = 0;
        } else {
            pad = pad.min(k - from_body);
        }
    }
    let mut stall = plan.stall;
    let mut pos = 0u64;
    let mut scratch = Vec::new();
    match &resp.body {
        Body::Empty => {}
        Body::Bytes(b) => {
            while pos < from_body {
                let end = (pos + CHUNK as u64).min(from_body);
                let chunk = &b[pos as usize..end as usize];
                emit(s, chunk, pos, &mut stall, plan.corrupt, &mut scratch).await?;
                pos = end;
            }
        }
        Body::Blob { blob, start, .. } => {
            if let Some(m) = blob.as_mem() {
                while pos < from_body {
                    let end = (pos + CHUNK as u64).min(from_body);
                    let chunk = &m[(start + pos) as usize..(start + end) as usize];
                    emit(s, chunk, pos, &mut stall, plan.corrupt, &mut scratch).await?;
                    pos = end;
                }
            } else {
                let mut rx = spawn_file_reader(blob.reader()?, *start, from_body);
                while let Some((res, free)) = rx.recv().await {
                    let mut data = res?;
                    if let Some(off) = plan.corrupt
                        && off >= pos
                        && off < pos + data.len() as u64
                    {
                        data[(off - pos) as usize] ^= 0xff;
                    }
                    let n = data.len() as u64;
                    emit(s, &data, pos, &mut stall, None, &mut scratch).await?;
                    pos += n;
                    // Hand the buffer back for reuse; the reader may already be gone.
                    let _ = free.send(data);
                }
                if pos < from_body {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
        }
    }
    if let Some((at, d)) = stall
        && at <= pos
    {
        tokio::time::sleep(d).await;
    }
    let junk = vec![b'#'; CHUNK.min(pad as usize)];
    while pad > 0 {
        let n = pad.min(junk.len() as u64) as usize;
        s.write(&junk[..n]).await?;
        pad -= n as u64;
    }
    Ok(())
}

/// Writes one chunk that starts at body offset `pos`, applying a pending stall and corruption.
async fn emit<W: AsyncWrite + Unpin>(
    s: &mut Sender<'_, W>,
    chunk: &[u8],
    pos: u64,
    stall: &mut Option<(u64, Duration)>,
    corrupt: Option<u64>,
    scratch: &mut Vec<u8>,
) -> io::Result<()> {
    let end = pos + chunk.len() as u64;
    let data: &[u8] = match corrupt {
        Some(off) if off >= pos && off < end => {
            scratch.clear();
            scratch.extend_from_slice(chunk);
            scratch[(off - pos) as usize] ^= 0xff;
            scratch
        }
        _ => chunk,
    };
    if let Some((at, d)) = *stall
        && at < end
    {
        let split = at.saturating_sub(pos) as usize;
        s.write(&data[..split]).await?;
        s.w.flush().await?;
        tokio::time::sleep(d).await;
        *stall = None;
        return s.write(&data[split..]).await;
    }
    s.write(data).await
}

type Filled = (io::Result<Vec<u8>>, std::sync::mpsc::Sender<Vec<u8>>);

/// Reads `len` bytes from `start` on a blocking thread, handing buffers over a channel.
/// Three buffers circulate, so reading overlaps writing and nothing is allocated per chunk.
fn spawn_file_reader(
    reader: BlobReader,
    start: u64,
    len: u64,
) -> tokio::sync::mpsc::Receiver<Filled> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Filled>(2);
    tokio::task::spawn_blocking(move || {
        let (free_tx, free_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        for _ in 0..3 {
            let _ = free_tx.send(vec![0u8; CHUNK]);
        }
        let mut pos = 0u64;
        while pos < len {
            // The writer hands buffers back; if it went away (connection closed or task
            // cancelled) stop instead of waiting forever.
            let mut buf = loop {
                match free_rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(b) => break b,
                    Err(_) if tx.is_closed() => return,
                    Err(_) => {}
                }
            };
            let n = (len - pos).min(CHUNK as u64) as usize;
            buf.resize(n, 0);
            let res = reader.read_exact_at(&mut buf, start + pos).map(|()| buf);
            let failed = res.is_err();
            if tx.blocking_send((res, free_tx.clone())).is_err() || failed {
                return;
            }
            pos += n as u64;
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use RangeAsk::*;
        assert_eq!(parse_range(None, 10), Full);
        assert_eq!(parse_range(Some("bytes=0-0"), 10), Part(0, 0));
        assert_eq!(parse_range(Some("bytes=2-5"), 10), Part(2, 5));
        assert_eq!(parse_range(Some("bytes=2-"), 10), Part(2, 9));
        assert_eq!(parse_range(Some("bytes=5-100"), 10), Part(5, 9));
        assert_eq!(parse_range(Some("bytes=0-10"), 10), Part(0, 9));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Part(7, 9));
        assert_eq!(parse_range(Some("bytes=-30"), 10), Part(0, 9));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Full);
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), Full);
        assert_eq!(parse_range(Some("items=0-1"), 10), Full);
        assert_eq!(parse_range(Some("bytes=x-1"), 10), Full);
    }

    #[test]
    fn if_range() {
        let lm = "Thu, 01 Jan 1970 00:00:00 GMT";
        assert!(if_range_matches("\"abc\"", Some("\"abc\""), None));
        assert!(!if_range_matches("\"abd\"", Some("\"abc\""), None));
        assert!(!if_range_matches("W/\"abc\"", Some("\"abc\""), None));
        assert!(if_range_matches(lm, None, Some(lm)));
        assert!(!if_range_matches(
            "Fri, 02 Jan 1970 00:00:00 GMT",
            None,
            Some(lm)
        ));
    }

    #[tokio::test]
    async fn parses_pipelined_requests() {
        let raw = b"GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET";
        let mut r = tokio::io::join(&raw[..], tokio::io::sink());
        let mut buf = Vec::new();
        let ReadOutcome::Request(a) = read_request(&mut r, &mut buf).await.unwrap() else {
            panic!()
        };
        assert_eq!(a.path(), "/a");
        assert_eq!(a.query(), "x=1");
        assert_eq!(a.header("x-a"), Some("1"));
        let ReadOutcome::Request(b) = read_request(&mut r, &mut buf).await.unwrap() else {
            panic!()
        };
        assert_eq!(b.body, b"abc");
        assert!(matches!(
            read_request(&mut r, &mut buf).await.unwrap(),
            ReadOutcome::Bad(400, _)
        ));
        let mut r = tokio::io::join(&b"garbage\r\n\r\n"[..], tokio::io::sink());
        assert!(matches!(
            read_request(&mut r, &mut Vec::new()).await.unwrap(),
            ReadOutcome::Bad(400, _)
        ));
        let mut r = tokio::io::join(&b""[..], tokio::io::sink());
        assert!(matches!(
            read_request(&mut r, &mut Vec::new()).await.unwrap(),
            ReadOutcome::Closed
        ));
        let raw = b"GET http://example.com/x?y HTTP/1.1\r\n\r\n";
        let mut r = tokio::io::join(&raw[..], tokio::io::sink());
        let ReadOutcome::Request(a) = read_request(&mut r, &mut Vec::new()).await.unwrap() else {
            panic!()
        };
        assert_eq!(a.target, "/x?y");
    }

    #[tokio::test]
    async fn expect_continue_is_answered() {
        let (mut client, mut server) = tokio::io::duplex(4096);
        let task = tokio::spawn(async move {
            let mut buf = Vec::new();
            read_request(&mut server, &mut buf).await.map(|o| match o {
                ReadOutcome::Request(r) => r.body,
                _ => vec![],
            })
        });
        client
            .write_all(b"POST /p HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
            .await
            .unwrap();
        let mut got = [0u8; 25];
        client.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"HTTP/1.1 100 Continue\r\n\r\n");
        client.write_all(b"abc").await.unwrap();
        assert_eq!(task.await.unwrap().unwrap(), b"abc");
    }

    #[tokio::test]
    async fn send_plan_variants() {
        let resp = Response::new(200).bytes("text/plain", b"0123456789".to_vec());
        let body_of = |out: &[u8]| {
            let i = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
            (
                String::from_utf8_lossy(&out[..i]).into_owned(),
                out[i + 4..].to_vec(),
            )
        };
        let mut out = Vec::new();
        let plan = SendPlan {
            corrupt: Some(3),
            ..Default::default()
        };
        let (n, r) = write_response(&mut out, &resp, false, true, &plan).await;
        r.unwrap();
        assert_eq!(n, 10);
        assert_eq!(body_of(&out).1, b"012\xcc456789");

        let mut out = Vec::new();
        let plan = SendPlan {
            length_delta: 3,
            ..Default::default()
        };
        write_response(&mut out, &resp, false, false, &plan)
            .await
            .1
            .unwrap();
        let (h, b) = body_of(&out);
        assert!(h.contains("Content-Length: 13"));
        assert_eq!(b, b"0123456789###");

        let mut out = Vec::new();
        let plan = SendPlan {
            length_delta: -4,
            ..Default::default()
        };
        write_response(&mut out, &resp, false, false, &plan)
            .await
            .1
            .unwrap();
        let (h, b) = body_of(&out);
        assert!(h.contains("Content-Length: 6"));
        assert_eq!(b, b"012345");

        let mut out = Vec::new();
        let plan = SendPlan {
            drop_after: Some(4),
            ..Default::default()
        };
        let (n, _) = write_response(&mut out, &resp, false, false, &plan).await;
        let (h, b) = body_of(&out);
        assert!(h.contains("Content-Length: 10"));
        assert_eq!((n, b.as_slice()), (4, &b"0123"[..]));

        let mut out = Vec::new();
        let (n, _) = write_response(&mut out, &resp, true, true, &SendPlan::default()).await;
        let (h, b) = body_of(&out);
        assert!(h.contains("Content-Length: 10"));
        assert_eq!((n, b.len()), (0, 0));
    }
}

//! Writing a response: the head, then the body as a [`SendPlan`] says (truncation, stalls,
//! wrong lengths, corruption) at a paced rate.

use std::io;
use std::time::{Duration, Instant};

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::response::{Body, Response, reason};
use crate::store::{BlobReader, CHUNK};

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

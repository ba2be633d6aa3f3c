//! A streaming reader of `multipart/byteranges` bodies (RFC 9110 §14.6), the answer to a
//! request for several ranges of a xorb: parts are delimited by `--BOUNDARY` lines, each with
//! headers (one `Content-Range`) and then exactly the bytes of its range. The body is hostile:
//! header blocks are bounded, and every part must be announced with a complete range.

/// Longest header block of one part.
const MAX_HEAD: usize = 8 << 10;

/// What the parser found in the bytes fed to it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// A part starts: its inclusive byte range.
    Part(u64, u64),
    /// Bytes of the current part.
    Data(&'a [u8]),
}

enum State {
    /// Before a delimiter line (`--BOUNDARY`), skipping a preamble's line breaks.
    Delimiter,
    /// Reading a part's header block.
    Head,
    /// Inside a part: bytes left.
    Body(u64),
    /// After the closing delimiter.
    Done,
}

/// The parser of one body.
pub(crate) struct Multipart {
    delimiter: Vec<u8>,
    state: State,
    /// Bytes of a delimiter line or header block not yet complete.
    pending: Vec<u8>,
    /// The current part's range, once its `Content-Range` header was read.
    range_head: Option<(u64, u64)>,
}

/// The boundary of a `multipart/byteranges` content type, if it is one.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/byteranges") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        let v = v.trim().trim_matches('"');
        (k.trim().eq_ignore_ascii_case("boundary") && !v.is_empty() && v.len() <= 200)
            .then(|| v.to_string())
    })
}

impl Multipart {
    /// A parser for parts delimited by `boundary`.
    pub fn new(boundary: &str) -> Multipart {
        Multipart {
            delimiter: format!("--{boundary}").into_bytes(),
            state: State::Delimiter,
            pending: Vec::new(),
            range_head: None,
        }
    }

    /// Whether the closing delimiter was seen.
    pub fn done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Feeds bytes; calls `each` with what they hold, in order. Fails on anything malformed.
    pub fn feed(&mut self, mut data: &[u8], each: &mut dyn FnMut(Piece<'_>)) -> Result<(), String> {
        while !data.is_empty() {
            match self.state {
                State::Body(left) => {
                    let n = (left as usize).min(data.len());
                    each(Piece::Data(&data[..n]));
                    data = &data[n..];
                    self.state = match left - n as u64 {
                        0 => State::Delimiter,
                        l => State::Body(l),
                    };
                }
                State::Done => return Ok(()),
                State::Delimiter | State::Head => {
                    let Some(nl) = data.iter().position(|&b| b == b'\n') else {
                        self.take_pending(data)?;
                        return Ok(());
                    };
                    self.take_pending(&data[..=nl])?;
                    data = &data[nl + 1..];
                    let line = std::mem::take(&mut self.pending);
                    self.on_line(&line, each)?;
                }
            }
        }
        Ok(())
    }

    fn take_pending(&mut self, b: &[u8]) -> Result<(), String> {
        if self.pending.len() + b.len() > MAX_HEAD {
            return Err("a multipart header block is too long".into());
        }
        self.pending.extend_from_slice(b);
        Ok(())
    }

    /// Acts on one complete line (with its line break).
    fn on_line(&mut self, line: &[u8], each: &mut dyn FnMut(Piece<'_>)) -> Result<(), String> {
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        match self.state {
            State::Delimiter => {
                if text.is_empty() {
                    return Ok(());
                }
                let rest = text
                    .strip_prefix(self.delimiter.as_slice())
                    .ok_or("a multipart part does not start with its boundary")?;
                self.state = match rest.trim_ascii_end() {
                    b"--" => State::Done,
                    b"" => State::Head,
                    _ => return Err("a multipart boundary line is malformed".into()),
                };
            }
            State::Head if text.is_empty() => {
                let head = std::mem::take(&mut self.range_head);
                let (a, b) = head.ok_or("a multipart part has no Content-Range")?;
                each(Piece::Part(a, b));
                self.state = State::Body(b - a + 1);
            }
            State::Head => {
                let s = std::str::from_utf8(text).map_err(|_| "a multipart header is not text")?;
                if let Some((k, v)) = s.split_once(':')
                    && k.trim().eq_ignore_ascii_case("content-range")
                {
                    let (a, b, _) = crate::transfer::parse_content_range(v.trim())
                        .ok_or("a multipart part has a malformed Content-Range")?;
                    self.range_head = Some((a, b));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &[u8], step: usize) -> Result<Vec<(u64, u64, Vec<u8>)>, String> {
        let mut m = Multipart::new("XYZ");
        let mut parts: Vec<(u64, u64, Vec<u8>)> = Vec::new();
        for piece in body.chunks(step) {
            m.feed(piece, &mut |p| match p {
                Piece::Part(a, b) => parts.push((a, b, Vec::new())),
                Piece::Data(d) => parts.last_mut().unwrap().2.extend_from_slice(d),
            })?;
        }
        if !m.done() {
            return Err("unfinished".into());
        }
        Ok(parts)
    }

    #[test]
    fn parts_come_out_whatever_the_cuts() {
        let body = b"\r\n--XYZ\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-3/100\r\n\r\nab\r\n\r\n--XYZ\r\nContent-Range: bytes 10-11/100\r\n\r\n--\r\n--XYZ--\r\n";
        for step in [1, 2, 7, body.len()] {
            let parts = parse(body, step).unwrap();
            assert_eq!(
                parts,
                vec![(0, 3, b"ab\r\n".to_vec()), (10, 11, b"--".to_vec())],
                "step {step}"
            );
        }
        assert_eq!(
            boundary("multipart/byteranges; boundary=\"XYZ\"").as_deref(),
            Some("XYZ")
        );
        assert_eq!(boundary("application/octet-stream"), None);
    }

    #[test]
    fn malformed_bodies_fail() {
        assert!(parse(b"--XYZ\r\n\r\nab", 3).is_err(), "no Content-Range");
        assert!(parse(b"--ABC\r\n", 3).is_err(), "another boundary");
        let long = format!("--XYZ\r\nX: {}\r\n", "a".repeat(MAX_HEAD));
        assert!(parse(long.as_bytes(), 100).is_err(), "endless head");
        assert!(
            parse(b"--XYZ\r\nContent-Range: bytes 5-1/9\r\n\r\n", 4).is_err(),
            "backwards range"
        );
    }
}

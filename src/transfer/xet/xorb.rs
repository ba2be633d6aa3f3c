//! Xorb bytes (hub-docs `docs/xet/xorb.md`, xet-core `xorb_chunk_format.rs`): a range of a
//! serialized xorb is a run of chunks, each an 8-byte header (version `0`, compressed size u24
//! LE, scheme, uncompressed size u24 LE) and its compressed bytes. Schemes: 0 none, 1 LZ4 frame,
//! 2 BG4 + LZ4 frame. Everything here treats the bytes as hostile: sizes are bounded before any
//! allocation, and decompression stops one byte past the announced size.

use std::io::Read;

/// Length of a chunk header.
pub(crate) const HEADER: usize = 8;
/// Largest chunk, uncompressed (`MAX_CHUNK_SIZE`, 128 KiB).
pub(crate) const MAX_CHUNK: usize = 128 << 10;
/// Largest compressed payload accepted (xet-core's own bound: twice the chunk size).
pub(crate) const MAX_COMPRESSED: usize = 2 * MAX_CHUNK;

/// A parsed chunk header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkHeader {
    /// Bytes of payload after the header.
    pub compressed: usize,
    /// Compression scheme (0, 1, 2).
    pub scheme: u8,
    /// Bytes once decompressed.
    pub uncompressed: usize,
}

fn u24(b: &[u8]) -> usize {
    b[0] as usize | (b[1] as usize) << 8 | (b[2] as usize) << 16
}

/// Parses and checks a chunk header.
pub(crate) fn parse_header(b: &[u8; HEADER]) -> Result<ChunkHeader, String> {
    if b[0] != 0 {
        return Err(format!("chunk header version {} (only 0 is known)", b[0]));
    }
    let h = ChunkHeader {
        compressed: u24(&b[1..4]),
        scheme: b[4],
        uncompressed: u24(&b[5..8]),
    };
    if h.scheme > 2 {
        return Err(format!("unknown compression scheme {}", h.scheme));
    }
    if h.uncompressed == 0 || h.uncompressed > MAX_CHUNK {
        return Err(format!("chunk of {} bytes", h.uncompressed));
    }
    if h.compressed > MAX_COMPRESSED || (h.scheme == 0 && h.compressed != h.uncompressed) {
        return Err(format!(
            "compressed size {} for {} bytes (scheme {})",
            h.compressed, h.uncompressed, h.scheme
        ));
    }
    Ok(h)
}

/// Decompresses `payload` (the bytes after header `h`) into `out` (cleared first); the result
/// has exactly `h.uncompressed` bytes or it is an error.
pub(crate) fn decode(h: &ChunkHeader, payload: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    out.clear();
    if payload.len() != h.compressed {
        return Err(format!(
            "chunk payload of {} bytes, header says {}",
            payload.len(),
            h.compressed
        ));
    }
    match h.scheme {
        0 => out.extend_from_slice(payload),
        _ => {
            let mut grouped = Vec::with_capacity(h.uncompressed);
            lz4_flex::frame::FrameDecoder::new(payload)
                .take(h.uncompressed as u64 + 1)
                .read_to_end(&mut grouped)
                .map_err(|e| format!("LZ4 frame: {e}"))?;
            if grouped.len() != h.uncompressed {
                return Err(format!(
                    "chunk decompressed to {} bytes, header says {}",
                    grouped.len().min(h.uncompressed + 1),
                    h.uncompressed
                ));
            }
            if h.scheme == 2 {
                regroup_bg4(&grouped, out);
            } else {
                *out = grouped;
            }
        }
    }
    if out.len() != h.uncompressed {
        return Err(format!(
            "chunk of {} bytes, header says {}",
            out.len(),
            h.uncompressed
        ));
    }
    Ok(())
}

/// Undoes byte grouping: `g` holds the bytes at positions 0, 1, 2 and 3 mod 4, group after
/// group (the first `len % 4` groups one byte longer).
fn regroup_bg4(g: &[u8], out: &mut Vec<u8>) {
    let n = g.len();
    let (split, rem) = (n / 4, n % 4);
    let sizes = [
        split + usize::from(rem > 0),
        split + usize::from(rem > 1),
        split + usize::from(rem > 2),
        split,
    ];
    let starts = [
        0,
        sizes[0],
        sizes[0] + sizes[1],
        sizes[0] + sizes[1] + sizes[2],
    ];
    out.clear();
    out.reserve(n);
    for i in 0..split {
        for s in starts {
            out.push(g[s + i]);
        }
    }
    for s in starts.iter().take(rem) {
        out.push(g[s + split]);
    }
}

/// Splits a stream of xorb bytes into whole serialized chunks (header and payload), checking
/// each header as it completes. Holds at most one chunk.
#[derive(Default)]
pub(crate) struct Splitter {
    buf: Vec<u8>,
    /// The current chunk's header, once its 8 bytes arrived.
    header: Option<ChunkHeader>,
}

impl Splitter {
    /// Feeds `data`; calls `each` with every chunk completed (the header parsed, the whole
    /// serialized chunk). Fails on a bad header.
    pub fn feed(
        &mut self,
        mut data: &[u8],
        each: &mut dyn FnMut(ChunkHeader, &[u8]),
    ) -> Result<(), String> {
        while !data.is_empty() {
            let want = match self.header {
                None => HEADER,
                Some(h) => HEADER + h.compressed,
            };
            let n = (want - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.buf.len() < want {
                break;
            }
            if self.header.is_none() {
                let mut b = [0u8; HEADER];
                b.copy_from_slice(&self.buf[..HEADER]);
                self.header = Some(parse_header(&b)?);
            }
            if let Some(h) = self.header
                && self.buf.len() == HEADER + h.compressed
            {
                each(h, &self.buf);
                self.buf.clear();
                self.header = None;
            }
        }
        Ok(())
    }

    /// Whether the bytes fed so far end exactly after a chunk.
    pub fn at_boundary(&self) -> bool {
        self.buf.is_empty()
    }
}

/// Serializes `data` as one chunk with `scheme` (for tests and the fuzz seeds).
#[cfg(test)]
pub(crate) fn encode(data: &[u8], scheme: u8) -> Vec<u8> {
    use std::io::Write;
    let payload = match scheme {
        0 => data.to_vec(),
        _ => {
            let input = if scheme == 2 {
                group_bg4(data)
            } else {
                data.to_vec()
            };
            let mut enc = lz4_flex::frame::FrameEncoder::new(Vec::new());
            enc.write_all(&input).unwrap();
            enc.finish().unwrap()
        }
    };
    let (c, u) = (payload.len() as u32, data.len() as u32);
    let mut out = vec![0u8];
    out.extend_from_slice(&c.to_le_bytes()[..3]);
    out.push(scheme);
    out.extend_from_slice(&u.to_le_bytes()[..3]);
    out.extend_from_slice(&payload);
    out
}

#[cfg(test)]
fn group_bg4(d: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(d.len());
    for k in 0..4 {
        out.extend(d.iter().skip(k).step_by(4));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_round_trips_through_the_splitter() {
        for len in [1usize, 2, 3, 4, 5, 4095, 65_537] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 7) as u8).collect();
            for scheme in [0u8, 1, 2] {
                let enc = encode(&data, scheme);
                let mut got = Vec::new();
                let mut sp = Splitter::default();
                // One byte at a time: the splitter must not care how the stream is cut.
                for b in enc.chunks(1) {
                    sp.feed(b, &mut |h, raw| {
                        let mut out = Vec::new();
                        decode(&h, &raw[HEADER..], &mut out).unwrap();
                        got.push(out);
                    })
                    .unwrap();
                }
                assert!(sp.at_boundary());
                assert_eq!(got, vec![data.clone()], "{len} bytes, scheme {scheme}");
            }
        }
    }

    #[test]
    fn hostile_headers_and_payloads_are_refused() {
        let good = encode(&[7u8; 1000], 1);
        let mut h = [0u8; HEADER];
        h.copy_from_slice(&good[..HEADER]);
        assert!(parse_header(&h).is_ok());
        let mut v = h;
        v[0] = 1;
        assert!(parse_header(&v).is_err(), "version");
        let mut s = h;
        s[4] = 3;
        assert!(parse_header(&s).is_err(), "scheme");
        let mut big = h;
        big[5..8].copy_from_slice(&[0xff, 0xff, 0xff]);
        assert!(parse_header(&big).is_err(), "size");
        // A payload that decompresses to more (or less) than announced.
        let mut lie = good.clone();
        lie[5..8].copy_from_slice(&999u32.to_le_bytes()[..3]);
        let mut b = [0u8; HEADER];
        b.copy_from_slice(&lie[..HEADER]);
        let hh = parse_header(&b).unwrap();
        assert!(decode(&hh, &lie[HEADER..], &mut Vec::new()).is_err());
        // Garbage as LZ4.
        let hg = ChunkHeader {
            compressed: 10,
            scheme: 1,
            uncompressed: 100,
        };
        assert!(decode(&hg, &[0xAB; 10], &mut Vec::new()).is_err());
    }
}

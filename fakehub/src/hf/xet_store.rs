//! Xet storage as the Hub keeps it (hub-docs `docs/xet/`): files cut into content-defined
//! chunks (gearhash, 8–128 KiB, `chunking.md`), chunks packed into xorbs (at most 64 MiB
//! serialized, each chunk compressed with the smallest of none / LZ4 frame / BG4+LZ4,
//! `xorb.md`), hashes as in `hashing.md`, and chunks already stored (by chunk hash) reused, so
//! a new revision of a file only adds its new chunks. A file is a list of terms (xorb, chunk
//! range); reconstructions of any byte range are computed from them (`download-protocol.md`).

use std::collections::HashMap;
use std::io::Write;

use crate::store::Blob;

/// A 32-byte hash.
pub(crate) type Hash = [u8; 32];

const DATA_KEY: Hash = [
    102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16,
    155, 235, 43, 88, 180, 208, 176, 75, 147, 173, 242, 41,
];
const INTERNAL_NODE_KEY: Hash = [
    1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230, 93, 221, 83, 111, 55,
    199, 109, 210, 248, 99, 82, 230, 74, 83, 113, 63,
];
const MIN_CHUNK: usize = 8 << 10;
const MAX_CHUNK: usize = 128 << 10;
const MASK: u64 = 0xFFFF_0000_0000_0000;
/// Largest serialized xorb.
const MAX_XORB: usize = 64 << 20;

/// The string form of a hash (each 8-byte word byte-reversed).
pub(crate) fn hex_of(h: &Hash) -> String {
    let mut s = String::with_capacity(64);
    for w in h.chunks(8) {
        for b in w.iter().rev() {
            s.push_str(&format!("{b:02x}"));
        }
    }
    s
}

/// Chunk boundaries (ends) of `data` (`chunking.md`, with xet-core's skip of the first
/// `MIN - 64 - 1` bytes of each chunk, which the rolling hash does not depend on).
pub(crate) fn chunk_ends(data: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let limit = data.len().min(start + MAX_CHUNK);
        if limit - start <= MIN_CHUNK {
            ends.push(limit);
            start = limit;
            continue;
        }
        let mut h = gearhash::Hasher::default();
        let mut pos = start + MIN_CHUNK - 64 - 1;
        let end = loop {
            match h.next_match(&data[pos..limit], MASK) {
                Some(n) if pos + n - start >= MIN_CHUNK => break pos + n,
                Some(n) => pos += n,
                None => break limit,
            }
        };
        ends.push(end);
        start = end;
    }
    ends
}

fn chunk_hash(d: &[u8]) -> Hash {
    *blake3::keyed_hash(&DATA_KEY, d).as_bytes()
}

fn merge(group: &[(Hash, u64)]) -> (Hash, u64) {
    let mut text = String::new();
    for (h, s) in group {
        text.push_str(&format!("{} : {s}\n", hex_of(h)));
    }
    let total = group.iter().map(|g| g.1).sum();
    (
        *blake3::keyed_hash(&INTERNAL_NODE_KEY, text.as_bytes()).as_bytes(),
        total,
    )
}

/// The aggregated hash (`hashing.md`), level by level as the spec describes it.
pub(crate) fn aggregated(leaves: &[(Hash, u64)]) -> Hash {
    let mut nodes = leaves.to_vec();
    if nodes.is_empty() {
        return [0; 32];
    }
    while nodes.len() > 1 {
        let mut next = Vec::new();
        let mut at = 0;
        while at < nodes.len() {
            let rest = &nodes[at..];
            let mut cut = rest.len().min(9);
            if rest.len() > 2 {
                for (i, (h, _)) in rest.iter().enumerate().take(cut).skip(2) {
                    if u64::from_le_bytes(h[24..].try_into().expect("8")) % 4 == 0 {
                        cut = i + 1;
                        break;
                    }
                }
            }
            next.push(merge(&rest[..cut]));
            at += cut;
        }
        nodes = next;
    }
    nodes[0].0
}

/// The file id of a file made of `leaves`.
pub(crate) fn file_id(leaves: &[(Hash, u64)]) -> Hash {
    if leaves.is_empty() {
        return [0; 32];
    }
    *blake3::keyed_hash(&[0; 32], &aggregated(leaves)).as_bytes()
}

/// Serializes one chunk with the smallest scheme.
fn serialize_chunk(d: &[u8], out: &mut Vec<u8>) {
    let lz4 = |input: &[u8]| {
        let mut enc = lz4_flex::frame::FrameEncoder::new(Vec::new());
        enc.write_all(input).expect("memory");
        enc.finish().expect("memory")
    };
    let plain = lz4(d);
    let mut grouped = Vec::with_capacity(d.len());
    for k in 0..4 {
        grouped.extend(d.iter().skip(k).step_by(4));
    }
    let bg4 = lz4(&grouped);
    let (scheme, payload): (u8, &[u8]) = if bg4.len() < plain.len() && bg4.len() < d.len() {
        (2, &bg4)
    } else if plain.len() < d.len() {
        (1, &plain)
    } else {
        (0, d)
    };
    out.push(0);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes()[..3]);
    out.push(scheme);
    out.extend_from_slice(&(d.len() as u32).to_le_bytes()[..3]);
    out.extend_from_slice(payload);
}

/// A stored xorb.
pub(crate) struct Xorb {
    pub bytes: Blob,
    /// Byte offset of each chunk, and the end.
    pub offsets: Vec<u64>,
    /// Uncompressed length of each chunk.
    pub lens: Vec<u64>,
}

/// One term of a file: chunks `[start, end)` of a xorb.
#[derive(Clone, Debug)]
pub(crate) struct TermDef {
    pub xorb: Hash,
    pub start: u32,
    pub end: u32,
    pub unpacked: u64,
}

/// Every xorb and file.
#[derive(Default)]
pub(crate) struct XetStore {
    pub xorbs: HashMap<Hash, Xorb>,
    /// File id → (size, terms).
    pub files: HashMap<String, (u64, Vec<TermDef>)>,
    /// Chunk hash → where it is stored (global dedup).
    chunks: HashMap<Hash, (Hash, u32)>,
    /// sha256 → file id.
    by_sha: HashMap<String, String>,
}

/// A xorb being filled.
#[derive(Default)]
struct Building {
    bytes: Vec<u8>,
    offsets: Vec<u64>,
    lens: Vec<u64>,
    hashes: Vec<(Hash, u64)>,
}

impl XetStore {
    /// Stores `blob` (its chunks not stored yet go into new xorbs); returns its file id.
    pub(crate) fn ingest(&mut self, blob: &Blob) -> std::io::Result<String> {
        if let Some(id) = self.by_sha.get(&blob.sha256_hex()) {
            return Ok(id.clone());
        }
        let data = blob.to_vec()?;
        let mut leaves = Vec::new();
        // (Some(xorb), idx) for stored chunks; (None, idx in `building` order) for new ones.
        let mut placed: Vec<(Option<Hash>, u32, u64)> = Vec::new();
        let mut new: Vec<Building> = vec![Building::default()];
        let mut start = 0;
        for end in chunk_ends(&data) {
            let d = &data[start..end];
            let h = chunk_hash(d);
            leaves.push((h, d.len() as u64));
            if let Some(&(x, i)) = self.chunks.get(&h) {
                placed.push((Some(x), i, d.len() as u64));
            } else {
                let mut b = new.pop().expect("one building");
                if b.bytes.len() + d.len() + 8 > MAX_XORB && !b.lens.is_empty() {
                    new.push(b);
                    b = Building::default();
                }
                b.offsets.push(b.bytes.len() as u64);
                serialize_chunk(d, &mut b.bytes);
                b.lens.push(d.len() as u64);
                b.hashes.push((h, d.len() as u64));
                // New chunks are named by (building index, chunk index) until the xorb is done.
                placed.push((
                    None,
                    ((new.len() as u32) << 16) | (b.lens.len() as u32 - 1),
                    d.len() as u64,
                ));
                new.push(b);
            }
            start = end;
        }
        let mut names = Vec::new();
        for mut b in new.into_iter().filter(|b| !b.lens.is_empty()) {
            let x = aggregated(&b.hashes);
            b.offsets.push(b.bytes.len() as u64);
            for (i, (h, _)) in b.hashes.iter().enumerate() {
                self.chunks.entry(*h).or_insert((x, i as u32));
            }
            self.xorbs.entry(x).or_insert(Xorb {
                bytes: Blob::from_bytes(b.bytes),
                offsets: b.offsets,
                lens: b.lens,
            });
            names.push(x);
        }
        let mut terms: Vec<TermDef> = Vec::new();
        for (x, i, len) in placed {
            let (x, i) = match x {
                Some(x) => (x, i),
                None => (names[(i >> 16) as usize], i & 0xffff),
            };
            match terms.last_mut() {
                Some(t) if t.xorb == x && t.end == i => {
                    t.end += 1;
                    t.unpacked += len;
                }
                _ => terms.push(TermDef {
                    xorb: x,
                    start: i,
                    end: i + 1,
                    unpacked: len,
                }),
            }
        }
        let id = hex_of(&file_id(&leaves));
        self.files.insert(id.clone(), (data.len() as u64, terms));
        self.by_sha.insert(blob.sha256_hex(), id.clone());
        Ok(id)
    }

    /// The terms covering bytes `[first, last]` of `file`, trimmed to whole chunks, and the
    /// offset of `first` into the first one; `None` when `first` is past the end.
    pub(crate) fn reconstruct(
        &self,
        file: &str,
        first: u64,
        last: u64,
    ) -> Option<(u64, Vec<TermDef>)> {
        let (size, terms) = self.files.get(file)?;
        if first >= *size {
            return None;
        }
        let last = last.min(size - 1);
        let mut out: Vec<TermDef> = Vec::new();
        let mut offset = 0;
        let mut at = 0u64;
        for t in terms {
            let x = &self.xorbs[&t.xorb];
            for i in t.start..t.end {
                let len = x.lens[i as usize];
                let (a, b) = (at, at + len);
                at = b;
                if b <= first || a > last {
                    continue;
                }
                if out.is_empty() {
                    offset = first - a;
                }
                match out.last_mut() {
                    Some(o) if o.xorb == t.xorb && o.end == i => {
                        o.end += 1;
                        o.unpacked += len;
                    }
                    _ => out.push(TermDef {
                        xorb: t.xorb,
                        start: i,
                        end: i + 1,
                        unpacked: len,
                    }),
                }
            }
        }
        Some((offset, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xet-core `chunking.rs` `test_correctness_1mb_const_data` and
    /// `test_correctness_100kb_hitting_data` (paddings 0 and 1): the reference boundaries.
    #[test]
    fn chunking_matches_the_reference_vectors() {
        let ends = chunk_ends(&vec![59u8; 1_000_000]);
        assert_eq!(
            ends,
            vec![
                131072, 262144, 393216, 524288, 655360, 786432, 917504, 1000000
            ]
        );
        let base: Vec<u8> = vec![
            154, 52, 42, 34, 159, 75, 126, 224, 70, 236, 12, 196, 79, 236, 178, 124, 127, 50, 99,
            178, 44, 176, 174, 126, 250, 235, 205, 174, 252, 122, 35, 10, 20, 101, 214, 69, 193, 8,
            115, 105, 158, 228, 120, 111, 136, 162, 198, 251, 211, 183, 253, 252, 164, 147, 63, 16,
            186, 162, 117, 23, 170, 36, 205, 187, 174, 76, 210, 174, 211, 175, 12, 173, 145, 59, 2,
            70, 222, 181, 159, 227, 182, 156, 189, 51, 226, 106, 24, 50, 183, 157, 140, 10, 8, 23,
            212, 70, 10, 234, 23, 33, 219, 254, 39, 236, 70, 49, 191, 116, 9, 115, 15, 101, 26,
            159, 165, 220, 15, 170, 56, 125, 92, 163, 94, 235, 38, 40, 49, 81,
        ];
        let make = |padding: usize| {
            let mut d = base.clone();
            d.resize(d.len() + padding, 0);
            while d.len() < 65536 {
                let n = (65536 - d.len()).min(d.len());
                d.extend_from_within(0..n);
            }
            d
        };
        assert_eq!(
            chunk_ends(&make(0)),
            vec![8256, 16448, 24640, 32832, 41024, 49216, 57408, 65536]
        );
        assert_eq!(
            chunk_ends(&make(1)),
            vec![8320, 16576, 24832, 33088, 41344, 49600, 57856, 65536]
        );
    }

    #[test]
    fn hashing_matches_the_reference_vectors() {
        let h = |s: &str| -> Hash {
            let raw = hex::decode(s).unwrap();
            let mut out = [0u8; 32];
            for (w, word) in raw.chunks(8).enumerate() {
                for (i, b) in word.iter().rev().enumerate() {
                    out[w * 8 + i] = *b;
                }
            }
            out
        };
        let a = h("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6");
        let b = h("c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72");
        let c = h("0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37");
        let three = [(a, 100), (b, 200), (c, 300)];
        assert_eq!(
            hex_of(&aggregated(&three)),
            "71ec1275fca074724e2dd666921b3277c7cee603e4d025bcab2d4050015be2bc"
        );
        assert_eq!(
            hex_of(&file_id(&three)),
            "54e55dccc6653c612bdb5576c5d3cb34bb31bc4e100248abccf4c908b3ef7715"
        );
    }

    #[test]
    fn a_second_revision_reuses_the_chunks_it_shares() {
        let mut s = XetStore::default();
        let v1: Vec<u8> = (0..600_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut v2 = v1.clone();
        v2[300_000..301_000].fill(1);
        let id1 = s.ingest(&Blob::from_bytes(v1.clone())).unwrap();
        let before = s.xorbs.len();
        let id2 = s.ingest(&Blob::from_bytes(v2)).unwrap();
        assert_ne!(id1, id2);
        assert_eq!(s.xorbs.len(), before + 1, "one xorb of new chunks");
        let (_, terms) = &s.files[&id2];
        assert!(terms.len() >= 3, "{terms:?}");
        let (off, part) = s.reconstruct(&id1, 100, 200).unwrap();
        assert_eq!((off, part.len()), (100, 1));
        assert!(s.reconstruct(&id1, 600_000, 600_001).is_none());
    }
}

//! Xet hashes (hub-docs `docs/xet/hashing.md`, xet-core `merklehash/`): a chunk's hash is BLAKE3
//! keyed with `DATA_KEY`; a xorb's hash and a file's merkle root aggregate `(hash, size)` pairs
//! level by level, each group hashed as text lines `"{hash} : {size}\n"` with BLAKE3 keyed by
//! `INTERNAL_NODE_KEY`, groups cut where a hash's last word is 0 mod 4 (2 to 9 nodes each); the
//! file id is the root hashed again with a zero key. Strings print each 8-byte word of a hash
//! byte-reversed (`api.md`, "Converting Hashes to Strings").

/// A 32-byte hash as BLAKE3 produces it.
pub(crate) type Hash = [u8; 32];

/// Key of chunk hashes (`hashing.md`, DATA_KEY).
const DATA_KEY: Hash = [
    102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16,
    155, 235, 43, 88, 180, 208, 176, 75, 147, 173, 242, 41,
];

/// Key of internal merkle nodes (`hashing.md`, INTERNAL_NODE_KEY).
const INTERNAL_NODE_KEY: Hash = [
    1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230, 93, 221, 83, 111, 55,
    199, 109, 210, 248, 99, 82, 230, 74, 83, 113, 63,
];

/// Most nodes in one group (`2 * mean branching + 1`).
const MAX_GROUP: usize = 9;

/// The hash of one chunk's (decompressed) bytes.
pub(crate) fn chunk_hash(data: &[u8]) -> Hash {
    *blake3::keyed_hash(&DATA_KEY, data).as_bytes()
}

/// The string form of a hash: each 8-byte word byte-reversed, lower-case hex.
pub(crate) fn to_hex(h: &Hash) -> String {
    let mut s = String::with_capacity(64);
    for word in h.chunks(8) {
        for b in word.iter().rev() {
            s.push_str(&format!("{b:02x}"));
        }
    }
    s
}

/// Parses the string form of a hash (64 hex digits, any case); `None` otherwise.
pub(crate) fn from_hex(s: &str) -> Option<Hash> {
    if s.len() != 64 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let raw = hex::decode(s).ok()?;
    let mut h = [0u8; 32];
    for (w, word) in raw.chunks(8).enumerate() {
        for (i, b) in word.iter().rev().enumerate() {
            h[w * 8 + i] = *b;
        }
    }
    Some(h)
}

/// Whether a group may end after this node (its last 8-byte word, little-endian, is 0 mod 4).
fn is_cut(h: &Hash) -> bool {
    let mut w = [0u8; 8];
    w.copy_from_slice(&h[24..]);
    u64::from_le_bytes(w) % 4 == 0
}

/// Where the group starting at `nodes[0]` ends, if `nodes` (a prefix of what follows) decides it.
fn decided_cut(nodes: &[(Hash, u64)]) -> Option<usize> {
    for (i, (h, _)) in nodes.iter().enumerate().take(MAX_GROUP).skip(2) {
        if is_cut(h) {
            return Some(i + 1);
        }
    }
    (nodes.len() >= MAX_GROUP).then_some(MAX_GROUP)
}

/// Hashes one group into its parent node.
fn merge(group: &[(Hash, u64)]) -> (Hash, u64) {
    let mut text = String::with_capacity(group.len() * 90);
    let mut total = 0u64;
    for (h, size) in group {
        text.push_str(&to_hex(h));
        text.push_str(" : ");
        text.push_str(&size.to_string());
        text.push('\n');
        total += size;
    }
    (
        *blake3::keyed_hash(&INTERNAL_NODE_KEY, text.as_bytes()).as_bytes(),
        total,
    )
}

/// Builds the aggregated (merkle) hash of a sequence of `(hash, size)` leaves fed in order,
/// keeping only a few nodes per level (memory grows with the logarithm of the leaf count).
#[derive(Default)]
pub(crate) struct Merkle {
    /// Nodes not yet grouped, per level.
    levels: Vec<Vec<(Hash, u64)>>,
    /// Nodes ever pushed, per level.
    counts: Vec<u64>,
}

impl Merkle {
    /// Adds the next leaf.
    pub fn push(&mut self, hash: Hash, size: u64) {
        self.push_at(0, (hash, size));
    }

    fn push_at(&mut self, level: usize, node: (Hash, u64)) {
        if self.levels.len() <= level {
            self.levels.push(Vec::new());
            self.counts.push(0);
        }
        self.levels[level].push(node);
        self.counts[level] += 1;
        while let Some(cut) = decided_cut(&self.levels[level]) {
            let parent = merge(&self.levels[level][..cut]);
            self.levels[level].drain(..cut);
            self.push_at(level + 1, parent);
        }
    }

    /// The root: all zeros for no leaf, the leaf itself for one.
    pub fn root(mut self) -> Hash {
        let mut level = 0;
        while level < self.levels.len() {
            if self.counts[level] == 1 {
                return self.levels[level][0].0;
            }
            let rest = std::mem::take(&mut self.levels[level]);
            let mut at = 0;
            while at < rest.len() {
                let cut = decided_cut(&rest[at..]).unwrap_or(rest.len() - at);
                let parent = merge(&rest[at..at + cut]);
                self.push_at(level + 1, parent);
                at += cut;
            }
            level += 1;
        }
        [0; 32]
    }

    /// The file id of the leaves: the root hashed with a zero key (all zeros for no leaf).
    pub fn file_id(self) -> Hash {
        let empty = self.counts.first().is_none_or(|&n| n == 0);
        let root = self.root();
        if empty {
            return root;
        }
        *blake3::keyed_hash(&[0u8; 32], &root).as_bytes()
    }
}

/// The aggregated hash of `leaves` (a xorb's hash when they are its chunks).
#[cfg(test)]
pub(crate) fn aggregated(leaves: &[(Hash, u64)]) -> Hash {
    let mut m = Merkle::default();
    for &(h, s) in leaves {
        m.push(h, s);
    }
    m.root()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Hash {
        from_hex(s).unwrap()
    }

    /// xet-core `aggregated_hashes.rs` `test_correctness`: (leaves, xorb hash, file hash with
    /// the zero salt), the reference vectors of the spec's implementation.
    #[test]
    fn reference_vectors_of_xet_core() {
        let a = "cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6";
        let b = "c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72";
        let c = "0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37";
        let d = "adf8773496a9b7319b2e50dc98093f344053b17d8ad37100b9c07d9805988784";
        let zero = "0000000000000000000000000000000000000000000000000000000000000000";
        type Case<'a> = (Vec<(&'a str, u64)>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (
                vec![(a, 100)],
                a,
                "8e16257caa3fe079d484d872a8975264b2ff683b0d6db9028cc7c0f968a45661",
            ),
            (
                vec![(a, 100), (b, 200), (c, 300)],
                "71ec1275fca074724e2dd666921b3277c7cee603e4d025bcab2d4050015be2bc",
                "54e55dccc6653c612bdb5576c5d3cb34bb31bc4e100248abccf4c908b3ef7715",
            ),
            (
                vec![(a, 100); 4],
                "89f2ada89ff8c96763c6b25010e6dd76a4c05b1466207633ea559acf2093211b",
                "2cdba690d0e09563596e0cda626d43eb4c96ef1e994fe72d9b2f5a83cfcd36dd",
            ),
            (
                vec![(a, 100), (b, 200), (a, 100), (b, 200), (c, 300), (d, 400)],
                "52c826f99507aa05d0b45e9837fa1709e0485425cfbcb1e80db3905cf98b3ee9",
                "91d21684db364c8883ab8209fa5eb2e781cf07f37e1fa43e731c30839afe422f",
            ),
            (
                vec![(zero, 0), (a, 100), (zero, 0), (a, 100), (zero, 0)],
                "f36c6a6374a567efd36ed087aeb680b57e3af4e0b5b8e7be2593df4cb647a2de",
                "ab2f46d31855e1133b3b5b70e78f841394a648710a208923b221c1a8a0572a1f",
            ),
            (
                vec![(a, 100), (zero, 0)],
                "e8660f81494ca836a58e395c1395ef97870ed71e2b113eec1fab6b3361f46dd6",
                "274d92f7e2acebaa2b8d63c0b5e7a4fc15814a606e3e3825d55609e671bcc5d9",
            ),
            (vec![], zero, zero),
        ];
        for (leaves, xorb, file) in cases {
            let leaves: Vec<(Hash, u64)> = leaves.iter().map(|&(x, s)| (h(x), s)).collect();
            assert_eq!(to_hex(&aggregated(&leaves)), xorb, "{leaves:?}");
            let mut m = Merkle::default();
            for &(x, s) in &leaves {
                m.push(x, s);
            }
            assert_eq!(to_hex(&m.file_id()), file);
        }
    }

    #[test]
    fn streaming_matches_many_levels() {
        // Enough leaves for several levels: the streaming builder against a batch reference
        // written the way the spec describes it.
        fn batch(mut nodes: Vec<(Hash, u64)>) -> Hash {
            if nodes.is_empty() {
                return [0; 32];
            }
            while nodes.len() > 1 {
                let mut next = Vec::new();
                let mut at = 0;
                while at < nodes.len() {
                    let rest = &nodes[at..];
                    let cut = if rest.len() <= 2 {
                        rest.len()
                    } else {
                        decided_cut(rest).unwrap_or(rest.len().min(MAX_GROUP))
                    };
                    next.push(merge(&rest[..cut]));
                    at += cut;
                }
                nodes = next;
            }
            nodes[0].0
        }
        for n in [1usize, 2, 3, 8, 9, 10, 81, 1000] {
            let leaves: Vec<(Hash, u64)> = (0..n)
                .map(|i| (chunk_hash(&(i as u64).to_le_bytes()), i as u64 * 7))
                .collect();
            assert_eq!(aggregated(&leaves), batch(leaves.clone()), "{n} leaves");
        }
    }

    #[test]
    fn hex_reverses_each_word() {
        let mut raw = [0u8; 32];
        for (i, b) in raw.iter_mut().enumerate() {
            *b = i as u8;
        }
        let s = to_hex(&raw);
        assert_eq!(
            s,
            "07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918"
        );
        assert_eq!(from_hex(&s), Some(raw));
        assert_eq!(from_hex(&s.to_uppercase()), Some(raw));
        assert_eq!(from_hex("xyz"), None);
    }
}

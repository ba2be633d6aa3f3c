//! Replays the fuzz seed corpus (`fuzz/corpus/<target>/seed-*`) and a fixed number of seeded
//! mutations of each seed through the fuzz harnesses, so CI checks the same invariants as
//! `cargo fuzz run` without a nightly toolchain. A crash reproducer found by a local fuzzing
//! session joins the replay when it is committed as `fuzz/corpus/<target>/seed-<name>`.

type Harness = fn(&[u8]);

const TARGETS: [(&str, Harness); 6] = [
    ("ids", dsfetch::fuzzing::ids),
    ("manifest", dsfetch::fuzzing::manifest),
    ("hub_json", dsfetch::fuzzing::hub_json),
    ("headers", dsfetch::fuzzing::headers),
    ("zip", dsfetch::fuzzing::zip),
    ("tar", dsfetch::fuzzing::tar),
];

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        // Only committed seeds: a local `cargo fuzz run` adds thousands of its own files here.
        .filter(|e| e.file_name().to_string_lossy().starts_with("seed-"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds for {target}");
    out
}

/// Small deterministic mutations: flip, insert, delete, duplicate a slice, splice another seed.
fn mutate(data: &[u8], other: &[u8], rng: &mut u64) -> Vec<u8> {
    let mut next = |n: usize| -> usize {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        (*rng % n.max(1) as u64) as usize
    };
    let mut d = data.to_vec();
    for _ in 0..1 + next(4) {
        match next(6) {
            0 if !d.is_empty() => {
                let i = next(d.len());
                d[i] ^= 1 << next(8);
            }
            1 => {
                let i = next(d.len() + 1);
                d.insert(
                    i,
                    [b'/', b'.', b'\\', b'%', b'"', b'\0', 0x1b, b'@'][next(8)],
                );
            }
            2 if !d.is_empty() => {
                let i = next(d.len());
                d.remove(i);
            }
            3 if !d.is_empty() => {
                let i = next(d.len());
                let j = (i + next(16)).min(d.len());
                let chunk = d[i..j].to_vec();
                d.splice(i..i, chunk);
            }
            4 if !other.is_empty() => {
                let i = next(d.len() + 1);
                let j = next(other.len());
                d.truncate(i);
                d.extend_from_slice(&other[j..]);
            }
            _ => d.truncate(next(d.len() + 1)),
        }
    }
    d
}

#[test]
fn fuzz_seed_corpus_and_mutations() {
    for (target, harness) in TARGETS {
        let t0 = std::time::Instant::now();
        let seeds = seeds(target);
        let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ target.len() as u64;
        let rounds = if matches!(target, "zip" | "tar") {
            200
        } else {
            2000
        };
        for (i, (name, data)) in seeds.iter().enumerate() {
            harness(data);
            let other = &seeds[(i + 1) % seeds.len()].1;
            for _ in 0..rounds {
                let m = mutate(data, other, &mut rng);
                let r = std::panic::catch_unwind(|| harness(&m));
                assert!(
                    r.is_ok(),
                    "{target}: a mutation of {name} broke an invariant; input: {m:?}"
                );
            }
        }
        if std::env::var_os("DSFETCH_TEST_TIMING").is_some() {
            eprintln!("{target}: {:?}", t0.elapsed());
        }
    }
}

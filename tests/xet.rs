//! Xet-backed Hub files (issue 16): fetched through the CAS byte for byte with no bridge
//! request, the bridge when Xet is off or the CAS is down, dedup across revisions through the
//! chunk cache, corruption caught, expired tokens and URLs renewed.

use crate::support::*;

/// Compressible text (LZ4 chunks) of about `len` bytes, different per `seed`.
fn text(seed: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut i = seed;
    while out.len() < len {
        out.extend_from_slice(
            format!("row {i},value {},label {}\n", i * 7 % 1000, i % 13).as_bytes(),
        );
        i += 1;
    }
    out.truncate(len);
    out
}

fn xorb_requests(env: &TestEnv) -> Vec<Recorded> {
    env.requests_matching(Origin::Cdn, "/xorbs/")
}

fn cas_requests(env: &TestEnv) -> Vec<Recorded> {
    env.requests_on(Origin::Cas)
}

fn token_requests(env: &TestEnv) -> Vec<Recorded> {
    env.requests_matching(Origin::Api, "/xet-read-token/")
}

#[test]
fn xet_files_arrive_byte_identical_through_the_cas_with_no_bridge_request() {
    let mut env = TestEnv::new();
    let (a, b) = (text(1, 3_000_000), bytes(2, 1_500_000));
    env.hub.add_hf_repo(
        HfRepo::new("acme/xet")
            .file("README.md", "hi\n")
            .xet_file("data/a.csv", a.clone())
            .xet_file("data/b.bin", b.clone()),
    );
    env.hub.hf_add_token("hf_secret_token_value_1234", "alice");
    env.env("HF_TOKEN", "hf_secret_token_value_1234");
    let r = env.run_ok("download hf acme/xet --json");
    let v = r.json();
    assert_file(env.path("downloads/acme_xet/data/a.csv"), &a);
    assert_file(env.path("downloads/acme_xet/data/b.bin"), &b);
    let bridge: Vec<Recorded> = env.requests_matching(Origin::Cdn, "/repos/");
    assert!(bridge.is_empty(), "no bridge request: {bridge:?}");
    let resolves = env.requests_matching(Origin::Api, "/resolve/");
    assert!(
        resolves.iter().all(|r| r.path().ends_with("README.md")),
        "{resolves:?}"
    );
    assert_eq!(token_requests(&env).len(), 1, "one token for the repo");
    let cas = cas_requests(&env);
    assert!(
        cas.iter()
            .all(|r| r.path().starts_with("/v2/reconstructions/")),
        "{cas:?}"
    );
    // The Hub token never reaches the CAS or the xorb storage.
    for req in cas.iter().chain(&xorb_requests(&env)) {
        let auth = req.header("authorization").unwrap_or("");
        assert!(!auth.contains("hf_secret"), "{req:?}");
    }
    assert!(cas.iter().all(|r| {
        r.header("authorization")
            .is_some_and(|a| a.starts_with("Bearer xet_"))
    }));
    assert!(
        xorb_requests(&env)
            .iter()
            .all(|r| r.header("authorization").is_none())
    );
    // bytes_downloaded is what came over the wire: the compressed xorb ranges plus the README.
    let wire = bytes_sent(&xorb_requests(&env)) + 3;
    assert_eq!(v["bytes_downloaded"].as_u64(), Some(wire));
    assert!(wire < (a.len() + b.len()) as u64, "the text compressed");
    // A second run has nothing to do.
    env.clear_hub();
    env.run_ok("download hf acme/xet");
    assert!(cas_requests(&env).is_empty());
}

#[test]
fn the_bridge_serves_xet_files_when_xet_is_off_or_the_cas_is_down() {
    let mut env = TestEnv::new();
    let a = bytes(3, 2_500_000);
    env.hub
        .add_hf_repo(HfRepo::new("acme/x").xet_file("a.bin", a.clone()));
    let r = env.run_ok("download hf acme/x --no-xet");
    assert_file(env.path("downloads/acme_x/a.bin"), &a);
    assert!(cas_requests(&env).is_empty() && token_requests(&env).is_empty());
    assert!(!env.requests_matching(Origin::Cdn, "/repos/").is_empty());
    r.assert_stderr_lacks(&["bridge"]);
    // DSFETCH_XET=0 does the same.
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    env.clear_hub();
    env.env("DSFETCH_XET", "0");
    env.run_ok("download hf acme/x");
    assert!(cas_requests(&env).is_empty());
    // The CAS down for good: the bridge, said once.
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    env.clear_hub();
    env.env("DSFETCH_XET", "1");
    env.hub.fault(
        Fault::new(
            Origin::Cas,
            FaultKind::Status {
                code: 503,
                retry_after: None,
                ratelimit_reset: None,
            },
        )
        .times(usize::MAX),
    );
    let r = env.run_ok("download hf acme/x");
    assert_file(env.path("downloads/acme_x/a.bin"), &a);
    assert!(!cas_requests(&env).is_empty());
    assert_eq!(
        r.stderr().matches("compatibility bridge").count(),
        1,
        "{}",
        r.stderr()
    );
}

#[test]
fn a_new_revision_fetches_only_the_chunks_it_does_not_share() {
    let env = TestEnv::new();
    let v1 = bytes(4, 3_000_000);
    let mut v2 = v1.clone();
    v2[1_500_000..1_502_000].fill(7);
    env.hub
        .add_hf_repo(HfRepo::new("acme/d").xet_file("big.bin", v1.clone()));
    env.run_ok("download hf acme/d");
    let first = bytes_sent(&xorb_requests(&env));
    assert!(first >= v1.len() as u64, "incompressible: {first}");
    env.hub.hf_commit(
        "acme/d",
        "main",
        vec![HfFile::xet("big.bin", v2.clone())],
        &[],
    );
    env.clear_hub();
    env.run_ok("download hf acme/d -v");
    assert_file(env.path("downloads/acme_d/big.bin"), &v2);
    let second = bytes_sent(&xorb_requests(&env));
    // The changed region and its neighbours: a few chunks of at most 128 KiB.
    assert!(
        second > 0 && second < 600_000,
        "{second} bytes for a 2 KB change"
    );
}

#[test]
fn with_the_cache_off_a_new_revision_is_fetched_whole() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_XET_CACHE_SIZE", "0");
    let v1 = bytes(5, 1_000_000);
    let mut v2 = v1.clone();
    v2[10] ^= 1;
    env.hub
        .add_hf_repo(HfRepo::new("acme/n").xet_file("f.bin", v1));
    env.run_ok("download hf acme/n");
    env.hub.hf_commit(
        "acme/n",
        "main",
        vec![HfFile::xet("f.bin", v2.clone())],
        &[],
    );
    env.clear_hub();
    env.run_ok("download hf acme/n");
    assert_file(env.path("downloads/acme_n/f.bin"), &v2);
    assert!(bytes_sent(&xorb_requests(&env)) >= 1_000_000);
}

#[test]
fn a_corrupted_compressed_chunk_is_caught_and_fetched_again() {
    let env = TestEnv::new();
    let a = text(6, 400_000);
    env.hub
        .add_hf_repo(HfRepo::new("acme/c").xet_file("a.csv", a.clone()));
    env.hub.fault(
        Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 100 }).path_contains("/xorbs/"),
    );
    let r = env.run_ok("download hf acme/c");
    assert_file(env.path("downloads/acme_c/a.csv"), &a);
    // A flipped byte inside an LZ4 frame may still decode (to other bytes of the same length):
    // the chunk hashes then tell. Either way it is fetched once more.
    let err = r.stderr();
    assert!(
        err.contains("bad Xet data") || err.contains("another Xet file id"),
        "{err}"
    );
    assert_eq!(xorb_requests(&env).len(), 2);
    // A corrupted chunk header fails decoding itself.
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    let mut env = env;
    env.env("DSFETCH_XET_CACHE_SIZE", "0");
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 2 }).path_contains("/xorbs/"));
    let r = env.run_ok("download hf acme/c");
    assert_file(env.path("downloads/acme_c/a.csv"), &a);
    r.assert_stderr_contains(&["bad Xet data"]);
}

#[test]
fn a_corrupted_uncompressed_chunk_is_caught_by_the_file_id_and_twice_is_exit_6() {
    let env = TestEnv::new();
    let a = bytes(7, 300_000);
    env.hub
        .add_hf_repo(HfRepo::new("acme/u").xet_file("a.bin", a.clone()));
    // Random bytes are stored uncompressed: a flipped byte decodes fine, only hashes see it.
    env.hub.fault(
        Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 5000 }).path_contains("/xorbs/"),
    );
    let r = env.run_ok("download hf acme/u");
    assert_file(env.path("downloads/acme_u/a.bin"), &a);
    r.assert_stderr_contains(&["checksum mismatch"]);
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    // (Without the cache, which now holds the verified chunks.)
    let mut env = env;
    env.env("DSFETCH_XET_CACHE_SIZE", "0");
    env.hub.fault(
        Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 5000 })
            .path_contains("/xorbs/")
            .times(2),
    );
    let r = env.run_expect(6, "download hf acme/u");
    assert_no_file(env.path("downloads/acme_u/a.bin"));
    r.assert_stderr_lacks(&["compatibility bridge"]);
}

#[test]
fn a_refused_token_and_an_expired_xorb_url_are_renewed() {
    let env = TestEnv::new();
    let a = bytes(8, 500_000);
    env.hub
        .add_hf_repo(HfRepo::new("acme/t").xet_file("a.bin", a.clone()));
    env.hub.fault(Fault::new(
        Origin::Cas,
        FaultKind::Status {
            code: 401,
            retry_after: None,
            ratelimit_reset: None,
        },
    ));
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::ExpiredUrl).path_contains("/xorbs/"));
    let r = env.run_ok("download hf acme/t");
    assert_file(env.path("downloads/acme_t/a.bin"), &a);
    assert_eq!(token_requests(&env).len(), 2, "a new token after the 401");
    assert_eq!(
        cas_requests(&env).len(),
        3,
        "401, answer, fresh URLs after the 403"
    );
    r.assert_stderr_lacks(&["compatibility bridge"]);
}

#[test]
fn a_token_about_to_expire_is_refreshed_before_use_and_v1_is_the_fallback() {
    let env = TestEnv::with_options(Options {
        xet_token_ttl: 10,
        xet_v2: false,
        ..Options::default()
    });
    let (a, b) = (bytes(9, 200_000), bytes(10, 200_000));
    env.hub.add_hf_repo(
        HfRepo::new("acme/e")
            .xet_file("a.bin", a.clone())
            .xet_file("b.bin", b.clone()),
    );
    env.run_ok("download hf acme/e --jobs 1");
    assert_file(env.path("downloads/acme_e/a.bin"), &a);
    assert_file(env.path("downloads/acme_e/b.bin"), &b);
    // Valid for less than the 30 s margin: asked again before each CAS request.
    let cas = cas_requests(&env);
    assert_eq!(token_requests(&env).len(), cas.len());
    assert!(cas.len() >= 2);
    assert!(
        cas.iter()
            .any(|r| r.path().starts_with("/v1/reconstructions/")),
        "{cas:?}"
    );
}

#[test]
fn a_dry_run_shows_which_files_go_through_xet() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/h")
            .file("r.txt", "r")
            .xet_file("a.bin", bytes(11, 300_000)),
    );
    let r = env.run_ok("download hf acme/h --json --dry-run");
    assert!(cas_requests(&env).is_empty());
    let files = &r.json()["files"];
    assert_eq!(files[0]["xet"], true, "{}", r.stdout());
    assert!(files[1].get("xet").is_none(), "{}", r.stdout());
    let off = env.run_ok("download hf acme/h --json --dry-run --no-xet");
    assert!(off.json()["files"][0].get("xet").is_none());
}

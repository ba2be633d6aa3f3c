//! `download --dry-run` and `batch --dry-run`: every file with its size and whether it is already
//! present (tab-separated when piped, in `--json`), and a Kaggle plan with the archive's real
//! size instead of "0 B".

use crate::support::*;

#[test]
fn a_dry_run_lists_every_file_and_what_is_present() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/x")
            .file("README.md", "# x\n")
            .file("a.csv", "1,2\n")
            .lfs_file("data/big.bin", bytes(1, 30_000)),
    );
    let out = env.run_ok("download hf acme/x --dry-run").stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "README.md\t4\tdownload",
            "a.csv\t4\tdownload",
            "data/big.bin\t30000\tdownload"
        ]
    );
    env.assert_no_blob_requests();
    // Some files present: they say so.
    env.run_ok("download hf acme/x --include *.md --include a.csv");
    let out = env.run_ok("download hf acme/x --dry-run").stdout();
    assert!(out.contains("README.md\t4\tpresent"), "{out}");
    assert!(out.contains("data/big.bin\t30000\tdownload"), "{out}");
    let v = env.run_ok("download hf acme/x --dry-run --json").json();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    assert!(
        files
            .iter()
            .all(|f| f["size"].is_u64() && f["skipped"].is_boolean())
    );
    assert_eq!(v["dry_run"], true);
}

#[test]
fn a_kaggle_plan_shows_the_archive_size_not_zero() {
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .file("train.csv", bytes(3, 40_000))
            .file("test.csv", "id\n1\n"),
    );
    let size = 40_000 + 5;
    let r = env.run_ok("download kaggle alice/titanic --dry-run --progress plain");
    let plan = format!("1 file(s) to download ({})", human(size));
    assert!(r.stderr().contains(&plan), "{plan}: {}", r.stderr());
    assert!(!r.stderr().contains("(0 B)"), "{}", r.stderr());
    assert!(
        r.stdout().contains("train.csv\t40000\tdownload"),
        "{}",
        r.stdout()
    );
    // A real download: the plan event carries the version's size from GetDataset.
    let r = env.run_ok("download kaggle alice/titanic --progress json");
    assert_eq!(r.events("plan")[0]["bytes"], size);
    // A pinned version is not looked up: its size is not known before the archive answers.
    let r = env.run_ok("download kaggle alice/titanic/versions/1 -o pinned --progress plain");
    assert!(r.stderr().contains("size not known yet"), "{}", r.stderr());
    assert!(!r.stderr().contains("(0 B)"), "{}", r.stderr());
}

#[test]
fn a_batch_dry_run_lists_every_file_of_every_entry() {
    let env = TestEnv::new();
    env.hub
        .add_hf_repo(HfRepo::new("acme/x").file("a.txt", "aa\n"));
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("bob/iris").file("iris.csv", "a,b\n"));
    env.write("m.txt", "hf:acme/x\nkaggle:bob/iris\n");
    let r = env.run_ok("batch m.txt --dry-run");
    assert_eq!(
        r.stdout().lines().collect::<Vec<_>>(),
        [
            "hf:acme/x\ta.txt\t3\tdownload",
            "kaggle:bob/iris\tiris.csv\t4\tdownload"
        ]
    );
    assert!(
        r.stderr().contains("Dry run: would download"),
        "{}",
        r.stderr()
    );
    let v = env.run_ok("batch m.txt --dry-run --json").json();
    assert_eq!(v["results"][1]["files"][0]["path"], "iris.csv");
}

/// The size as the plan line prints it.
fn human(n: usize) -> String {
    dsfetch::units::human_bytes(n as u64)
}

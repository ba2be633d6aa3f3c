use super::kind::HfRepoType;
use super::query::{decode_cursor, encode_cursor, next_link};
use super::repo::HfFile;
use super::routes::{split_repo, take_rev};
use super::state::{HfState, make_entry};

#[test]
fn cursor_roundtrip() {
    assert_eq!(decode_cursor(&encode_cursor(1234)), Some(1234));
    assert_eq!(decode_cursor("!!"), None);
    let l = next_link(
        "http://h",
        "/api/datasets",
        "search=x&cursor=abc&limit=2",
        4,
    );
    assert!(
        l.starts_with("<http://h/api/datasets?search=x&limit=2&cursor="),
        "{l}"
    );
    assert!(l.ends_with(">; rel=\"next\""));
}

#[test]
fn rev_and_repo_splitting() {
    let segs = ["refs%2Fconvert%2Fparquet", "a", "b.parquet"];
    let (rev, rest) = take_rev(&segs).unwrap();
    assert_eq!(rev, "refs/convert/parquet");
    assert_eq!(rest, &["a", "b.parquet"]);
    let segs = ["refs", "pr", "3", "x"];
    let (rev, rest) = take_rev(&segs).unwrap();
    assert_eq!((rev.as_str(), rest), ("refs/pr/3", &["x"][..]));
    let st = HfState::default();
    let rp = split_repo(
        &st,
        HfRepoType::Dataset,
        &["squad", "resolve", "main", "x"],
        &["resolve"],
    )
    .unwrap();
    assert_eq!(rp.repo, "squad");
    let rp = split_repo(
        &st,
        HfRepoType::Dataset,
        &["o", "n", "resolve", "main"],
        &["resolve"],
    )
    .unwrap();
    assert_eq!((rp.repo.as_str(), rp.rest.len()), ("o/n", 2));
}

#[test]
fn lfs_pointer_entry() {
    let e = make_entry(&HfFile::lfs("x.bin", b"hello".to_vec()));
    assert_eq!(
        e.sha256.as_deref(),
        Some("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    );
    // version line (43) + oid line (76) + "size 5\n" (7); the Hub reports 127 for 22 bytes
    assert_eq!(e.pointer_size, 126);
}

#[test]
fn fixture_keys_name_the_type() {
    assert_eq!(
        HfRepoType::parse_key("models/acme/bert"),
        (HfRepoType::Model, "acme/bert")
    );
    assert_eq!(
        HfRepoType::parse_key("spaces/a/b"),
        (HfRepoType::Space, "a/b")
    );
    assert_eq!(
        HfRepoType::parse_key("datasets/a/b"),
        (HfRepoType::Dataset, "a/b")
    );
    assert_eq!(HfRepoType::parse_key("a/b"), (HfRepoType::Dataset, "a/b"));
    assert_eq!(
        HfRepoType::parse_key("models/gpt2"),
        (HfRepoType::Model, "gpt2")
    );
    assert_eq!(
        HfRepoType::parse_key("squad"),
        (HfRepoType::Dataset, "squad")
    );
}

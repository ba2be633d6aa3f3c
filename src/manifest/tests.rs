//! Unit tests of manifest parsing: both formats, every problem at once, conflicts.

use super::*;

#[test]
fn text_manifest() {
    let m = parse(
        "list.txt",
        "# datasets\nkaggle:alice/titanic\n\nhf:acme/corpus@v1  # pinned\nhttps://huggingface.co/datasets/acme/other\n",
    )
    .unwrap();
    assert_eq!(m.entries.len(), 3);
    assert_eq!(m.entries[1].line, 4);
    assert_eq!(m.entries[1].label(), "hf:acme/corpus@v1");
}

#[test]
fn toml_manifest() {
    let m = parse(
        "dsfetch.toml",
        r#"
[[dataset]]
source = "kaggle"
id = "alice/titanic"
version = 3
files = ["train.csv"]

[[dataset]]
id = "hf:acme/corpus"
revision = "refs/convert/parquet"
include = ["default/"]
output = "data/corpus"
"#,
    )
    .unwrap();
    assert_eq!(m.entries[0].label(), "kaggle:alice/titanic/versions/3");
    assert_eq!(m.entries[0].line, 2);
    assert_eq!(m.entries[1].label(), "hf:acme/corpus@refs/convert/parquet");
    assert_eq!(
        m.entries[1].output.as_deref(),
        Some(Path::new("data/corpus"))
    );
}

#[test]
fn revisions_share_a_cache_but_not_a_folder() {
    let cache = LayoutDefaults {
        hf: Some(LayoutKind::HfCache),
        kaggle: Some(LayoutKind::Kagglehub),
    };
    let two = "hf:a/b\nhf:a/b@v1\nkaggle:o/s/1\nkaggle:o/s/2\nkaggle:o/s\n";
    assert_eq!(parse_with("m.txt", two, &cache).unwrap().entries.len(), 5);
    let err = parse("m.txt", two).unwrap_err().to_string();
    assert!(
        err.contains("m.txt:2:") && err.contains("same folder"),
        "{err}"
    );
    // The same revision twice in one cache is a real conflict (no revision means main).
    let err = parse_with("m.txt", "hf:a/b\nhf:a/b@main\n", &cache)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("m.txt:2:") && err.contains("hf-cache cache"),
        "{err}"
    );
    // An entry's own layout wins over the default; `output` means a plain folder.
    let toml = "[[dataset]]\nid = \"hf:a/b\"\nlayout = \"hf-cache\"\n[[dataset]]\nid = \"hf:a/b@v2\"\nlayout = \"hf-cache\"\n[[dataset]]\nid = \"hf:a/b@v3\"\noutput = \"x\"\n";
    assert_eq!(parse("m.toml", toml).unwrap().entries.len(), 3);
    let toml =
        "[[dataset]]\nid = \"hf:a/b\"\nlayout = \"folder\"\n[[dataset]]\nid = \"hf:a/b@v2\"\n";
    assert!(parse_with("m.toml", toml, &cache).is_ok());
    let toml = "[[dataset]]\nid = \"hf:a/b\"\nlayout = \"folder\"\n[[dataset]]\nid = \"hf:a/b@v2\"\nlayout = \"folder\"\n";
    assert!(parse_with("m.toml", toml, &cache).is_err());
}

#[test]
fn format_by_content_and_bom() {
    assert!(looks_like_toml("# x\n[[dataset]]\nid = \"hf:a/b\"\n"));
    assert!(looks_like_toml("[[ dataset ]] # first\nid=\"hf:a/b\"\n"));
    assert!(!looks_like_toml("# size = 3\nhf:a/b\n"));
    assert!(!looks_like_toml(
        "https://huggingface.co/datasets/a/b?x=1\n"
    ));
    // Both kinds of lines: not unambiguous, read as text (and its errors shown as such).
    assert!(!looks_like_toml("hf:a/b\nid = \"hf:c/d\"\n"));
    let m = parse(
        "list.txt",
        "[[dataset]]\nid = \"hf:a/b\"\ninclude = [\"x/\"]\n",
    )
    .unwrap();
    assert_eq!(m.entries[0].include, vec!["x/"]);
    let m = parse("m.txt", "\u{feff}hf:a/b\n").unwrap();
    assert_eq!(m.entries[0].line, 1);
    assert!(parse("m.toml", "\u{feff}[[dataset]]\nid = \"hf:a/b\"\n").is_ok());
}

#[test]
fn every_type_error_and_unknown_key_at_once() {
    let err = parse(
        "m.toml",
        "top = 1\n[[dataset]]\nid = \"hf:a/b\"\ncolour = 1\ninclude = \"x\"\n[[dataset]]\nid = \"kaggle:o/s\"\nversion = -1\nfiles = [1]\n[[dataset]]\nsource = \"hf\"\n",
    )
    .unwrap_err()
    .to_string();
    for want in [
        "m.toml:1: unknown key `top`",
        "m.toml:4: unknown key `colour`",
        "m.toml:5: `include`",
        "m.toml:8: `version`",
        "m.toml:9: `files`",
        "m.toml:10: missing field `id`",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(err.starts_with("invalid manifest (6 problems):\n"), "{err}");
    assert_eq!(err.lines().count(), 7, "{err}");
}

#[test]
fn all_errors_at_once_with_lines() {
    let err = parse(
        "m.txt",
        "kaggle:alice/titanic\nnot an id\nhf:a/b\nhf:a/b\nkaggle:bob/titanic\nacme/x\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("m.txt:2:"), "{err}");
    assert!(
        err.contains("m.txt:4: duplicate of the entry on line 3"),
        "{err}"
    );
    assert!(
        err.contains("m.txt:5: kaggle:bob/titanic would write into the same folder"),
        "{err}"
    );
    assert!(err.contains("m.txt:6:"), "{err}");
    let err = parse("m.toml", "[[dataset]]\nid = \"hf:a/b\"\nversion = 2\n\n[[dataset]]\nsource = \"nope\"\nid = \"x/y\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("m.toml:1: `version` applies to Kaggle"),
        "{err}"
    );
    assert!(err.contains("m.toml:5: source \"nope\""), "{err}");
    let err = parse("m.toml", "[[dataset]]\nid = \"hf:a/b\"\ncolour = 1\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("m.toml:"), "{err}");
    assert!(parse("e.txt", "# nothing\n").is_err());
}

//! Unit tests of id parsing: every accepted form, refusals and their suggestions.

use super::*;

fn hf(repo: &str, rev: Option<&str>) -> HfId {
    HfId {
        kind: RepoKind::Dataset,
        repo: repo.into(),
        revision: rev.map(Into::into),
        path: None,
    }
}

#[test]
fn hf_forms() {
    assert_eq!(parse_hf("acme/corpus").unwrap(), hf("acme/corpus", None));
    assert_eq!(parse_hf("squad").unwrap(), hf("squad", None));
    assert_eq!(
        parse_hf("acme/corpus@v1.0").unwrap(),
        hf("acme/corpus", Some("v1.0"))
    );
    assert_eq!(
        parse_hf("acme/corpus@refs/convert/parquet").unwrap(),
        hf("acme/corpus", Some("refs/convert/parquet"))
    );
    assert_eq!(parse_hf("hf:acme/corpus").unwrap(), hf("acme/corpus", None));
    assert_eq!(
        parse_hf("https://huggingface.co/datasets/acme/corpus").unwrap(),
        hf("acme/corpus", None)
    );
    assert_eq!(
        parse_hf("https://huggingface.co/datasets/acme/corpus/tree/dev").unwrap(),
        hf("acme/corpus", Some("dev"))
    );
    assert_eq!(
        parse_hf("https://huggingface.co/datasets/acme/corpus/tree/refs%2Fconvert%2Fparquet")
            .unwrap(),
        hf("acme/corpus", Some("refs/convert/parquet"))
    );
    let with_path = parse_hf("https://huggingface.co/datasets/acme/corpus/tree/main/data").unwrap();
    assert_eq!(with_path.path.as_deref(), Some("data"));
    assert_eq!(
        parse_hf("hf://datasets/acme/corpus@dev").unwrap(),
        hf("acme/corpus", Some("dev"))
    );
    assert_eq!(
        parse_hf("hf://datasets/acme/corpus").unwrap(),
        hf("acme/corpus", None)
    );
}

#[test]
fn hf_rejects() {
    for bad in [
        "",
        "a/b/c",
        "../x",
        "a/..",
        "a//b",
        "a b",
        "a/b@",
        "a/b@x/../y",
        "a/b\u{1b}[31m",
        "ftp://x",
        "models/a/b/c",
        "hf://spaces/a",
        "https://huggingface.co/docs/hub",
        "https://huggingface.co/settings/tokens",
    ] {
        let err = parse_hf(bad).unwrap_err();
        assert_eq!(err.kind().exit_code(), 2, "{bad:?}");
        assert!(err.to_string().contains("accepted forms"), "{err}");
    }
}

#[test]
fn kaggle_forms() {
    let k = |v| KaggleId {
        owner: "alice".into(),
        slug: "titanic".into(),
        version: v,
    };
    assert_eq!(parse_kaggle("alice/titanic").unwrap(), k(None));
    assert_eq!(
        parse_kaggle("alice/titanic/versions/3").unwrap(),
        k(Some(3))
    );
    assert_eq!(parse_kaggle("alice/titanic/3").unwrap(), k(Some(3)));
    assert_eq!(parse_kaggle("kaggle:alice/titanic/3").unwrap(), k(Some(3)));
    assert_eq!(
        parse_kaggle("https://www.kaggle.com/datasets/alice/titanic/versions/3").unwrap(),
        k(Some(3))
    );
    assert_eq!(
        parse_kaggle("https://www.kaggle.com/datasets/alice/titanic/").unwrap(),
        k(None)
    );
    for bad in [
        "alice",
        "alice/titanic/0",
        "alice/titanic/x",
        "alice/../x",
        "a/b/c/d/e",
        "alice/ti tanic",
    ] {
        assert!(parse_kaggle(bad).is_err(), "{bad}");
    }
}

#[test]
fn browser_urls_and_trailing_slashes() {
    let k = |v| KaggleId {
        owner: "alice".into(),
        slug: "titanic".into(),
        version: v,
    };
    for ok in [
        "alice/titanic/",
        "kaggle:alice/titanic/",
        "https://www.kaggle.com/datasets/alice/titanic/data",
        "https://www.kaggle.com/datasets/alice/titanic/data?select=train.csv",
        "https://www.kaggle.com/datasets/alice/titanic/code",
        "https://www.kaggle.com/datasets/alice/titanic/discussion/123456",
        "https://www.kaggle.com/datasets/alice/titanic/suggestions",
        "https://www.kaggle.com/datasets/alice/titanic/settings",
        "https://www.kaggle.com/datasets/alice/titanic#summary",
        "https://kaggle.com/datasets/alice/titanic?resource=download",
        "www.kaggle.com/datasets/alice/titanic",
        "https://www.kaggle.com/api/v1/datasets/download/alice/titanic",
    ] {
        assert_eq!(parse_kaggle(ok).unwrap(), k(None), "{ok}");
    }
    for ok in [
        "alice/titanic/3/",
        "https://www.kaggle.com/datasets/alice/titanic/versions/3/data",
        "https://www.kaggle.com/datasets/alice/titanic/versions/3?resource=download",
    ] {
        assert_eq!(parse_kaggle(ok).unwrap(), k(Some(3)), "{ok}");
    }
    let h = |rev: Option<&str>, path: Option<&str>| HfId {
        kind: RepoKind::Dataset,
        repo: "acme/corpus".into(),
        revision: rev.map(Into::into),
        path: path.map(Into::into),
    };
    for (ok, want) in [
        ("acme/corpus/", h(None, None)),
        ("hf:acme/corpus/", h(None, None)),
        ("acme/corpus@v1/", h(Some("v1"), None)),
        (
            "https://huggingface.co/datasets/acme/corpus/viewer/default/train?row=3",
            h(None, None),
        ),
        (
            "https://huggingface.co/datasets/acme/corpus/viewer",
            h(None, None),
        ),
        (
            "https://huggingface.co/datasets/acme/corpus#citation",
            h(None, None),
        ),
        (
            "https://huggingface.co/datasets/acme/corpus/discussions/4",
            h(None, None),
        ),
        (
            "https://huggingface.co/datasets/acme/corpus/blob/v2/data/train.csv",
            h(Some("v2"), Some("data/train.csv")),
        ),
        (
            "https://huggingface.co/datasets/acme/corpus/resolve/main/data/train.csv?download=true",
            h(Some("main"), Some("data/train.csv")),
        ),
        (
            "https://huggingface.co/datasets/acme/corpus/tree/refs%2Fconvert%2Fparquet/default",
            h(Some("refs/convert/parquet"), Some("default")),
        ),
        (
            "https://huggingface.co/datasets/acme/corpus/commit/0123abc",
            h(Some("0123abc"), None),
        ),
        ("huggingface.co/datasets/acme/corpus", h(None, None)),
    ] {
        assert_eq!(parse_hf(ok).unwrap(), want, "{ok}");
    }
    assert_eq!(
        parse_hf("https://huggingface.co/datasets/squad").unwrap(),
        hf("squad", None)
    );
}

#[test]
fn refusals_show_the_closest_accepted_form() {
    for (bad, hint) in [
        ("alice/titanic/data", "did you mean alice/titanic?"),
        ("alice/titanic/0", "did you mean alice/titanic?"),
        ("alice//titanic", "did you mean alice/titanic?"),
        ("alice/titanic/data/x", "did you mean alice/titanic?"),
        (" alice/titanic", "did you mean alice/titanic?"),
        (
            "https://www.kaggle.com/alice/titanic",
            "did you mean https://www.kaggle.com/datasets/alice/titanic?",
        ),
        (
            "https://www.kaggle.com/datasets/alice/titanic/nonsense",
            "did you mean https://www.kaggle.com/datasets/alice/titanic?",
        ),
    ] {
        let e = parse_kaggle(bad).unwrap_err().to_string();
        assert!(
            e.contains(hint) && e.contains("accepted forms"),
            "{bad:?}: {e}"
        );
    }
    for (bad, hint) in [
        ("acme/corpus/data", "did you mean acme/corpus?"),
        ("acme//corpus", "did you mean acme/corpus?"),
        ("acme/corpus@", "did you mean acme/corpus?"),
        (
            "https://huggingface.co/acme/bert/nonsense",
            "did you mean https://huggingface.co/acme/bert?",
        ),
        (
            "https://huggingface.co/spaces/acme/demo/nonsense",
            "did you mean https://huggingface.co/spaces/acme/demo?",
        ),
        (
            "https://huggingface.co/datasets/acme/corpus/nonsense",
            "did you mean https://huggingface.co/datasets/acme/corpus?",
        ),
    ] {
        let e = parse_hf(bad).unwrap_err().to_string();
        assert!(
            e.contains(hint) && e.contains("accepted forms"),
            "{bad:?}: {e}"
        );
    }
    let e = parse_any("acme/corpus").unwrap_err().to_string();
    assert!(
        e.contains("did you mean hf:acme/corpus or kaggle:acme/corpus?"),
        "{e}"
    );
    // No made-up suggestion when nothing close is accepted.
    for bad in ["ftp://x", "huggingface.co/datasets/a/b"] {
        let e = parse_kaggle(bad).unwrap_err().to_string();
        assert!(!e.contains("did you mean"), "{e}");
    }
    let e = parse_hf("www.kaggle.com/datasets/a/b")
        .unwrap_err()
        .to_string();
    assert!(!e.contains("did you mean"), "{e}");
}

#[test]
fn generic_dispatch() {
    assert!(matches!(
        parse_any("kaggle:a/b").unwrap(),
        DatasetId::Kaggle(_)
    ));
    assert!(matches!(
        parse_any("hf:a/b@main").unwrap(),
        DatasetId::Hf(_)
    ));
    assert!(matches!(
        parse_any("https://www.kaggle.com/datasets/a/b").unwrap(),
        DatasetId::Kaggle(_)
    ));
    assert!(matches!(
        parse_any("https://huggingface.co/datasets/a/b").unwrap(),
        DatasetId::Hf(_)
    ));
    assert!(matches!(
        parse_any("hf://datasets/a/b").unwrap(),
        DatasetId::Hf(_)
    ));
    assert_eq!(parse_any("a/b").unwrap_err().kind().exit_code(), 2);
}

#[test]
fn hub_kinds() {
    let of = |kind, repo: &str, rev: Option<&str>| HfId {
        kind,
        repo: repo.into(),
        revision: rev.map(Into::into),
        path: None,
    };
    use RepoKind::{Dataset, Model, Space};
    for (input, want) in [
        ("acme/corpus", of(Dataset, "acme/corpus", None)),
        ("hf:acme/corpus", of(Dataset, "acme/corpus", None)),
        ("datasets/acme/corpus", of(Dataset, "acme/corpus", None)),
        (
            "hf:datasets/acme/corpus@v1",
            of(Dataset, "acme/corpus", Some("v1")),
        ),
        ("models/acme/bert", of(Model, "acme/bert", None)),
        (
            "hf:models/acme/bert@main",
            of(Model, "acme/bert", Some("main")),
        ),
        ("models/gpt2", of(Model, "gpt2", None)),
        ("hf:spaces/acme/demo", of(Space, "acme/demo", None)),
        (
            "https://huggingface.co/acme/bert",
            of(Model, "acme/bert", None),
        ),
        (
            "https://huggingface.co/acme/bert/tree/v2",
            of(Model, "acme/bert", Some("v2")),
        ),
        (
            "https://huggingface.co/spaces/acme/demo",
            of(Space, "acme/demo", None),
        ),
        (
            "https://huggingface.co/datasets/acme/corpus",
            of(Dataset, "acme/corpus", None),
        ),
        ("hf://acme/bert", of(Model, "acme/bert", None)),
        (
            "hf://spaces/acme/demo@dev",
            of(Space, "acme/demo", Some("dev")),
        ),
        (
            "hf://datasets/acme/corpus",
            of(Dataset, "acme/corpus", None),
        ),
    ] {
        let got = parse_hf(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(
            (got.kind, &got.repo, &got.revision),
            (want.kind, &want.repo, &want.revision),
            "{input}"
        );
    }
    // --type: a bare id takes the kind; an id that names another kind is refused.
    assert_eq!(parse_hf_as("acme/bert", Model).unwrap().kind, Model);
    assert_eq!(parse_hf_as("models/acme/bert", Model).unwrap().kind, Model);
    let err = parse_hf_as("spaces/acme/demo", Model).unwrap_err();
    assert_eq!(err.kind().exit_code(), 2);
    assert!(err.to_string().contains("names a space"), "{err}");
    // Folders per kind (DESIGN §4).
    assert_eq!(
        parse_hf("models/acme/bert").unwrap().folder_name(),
        "models/acme_bert"
    );
    assert_eq!(
        parse_hf("spaces/acme/demo").unwrap().folder_name(),
        "spaces/acme_demo"
    );
    assert_eq!(
        parse_hf("acme/corpus").unwrap().folder_name(),
        "acme_corpus"
    );
}

#[test]
fn kaggle_kinds() {
    let comp = |n: &str| DatasetId::Competition(CompetitionId { name: n.into() });
    for input in [
        "competitions/titanic",
        "kaggle:competitions/titanic",
        "https://www.kaggle.com/competitions/titanic",
        "https://www.kaggle.com/competitions/titanic/data",
        "https://www.kaggle.com/c/titanic",
        "https://www.kaggle.com/c/titanic/rules",
    ] {
        assert_eq!(parse_kaggle_ref(input).unwrap(), comp("titanic"), "{input}");
    }
    let model = |v| {
        DatasetId::KaggleModel(KaggleModelId {
            owner: "google".into(),
            model: "gemma".into(),
            framework: "pyTorch".into(),
            variation: "2b".into(),
            version: v,
        })
    };
    for (input, v) in [
        ("models/google/gemma/pyTorch/2b", None),
        ("kaggle:models/google/gemma/pyTorch/2b/3", Some(3)),
        (
            "https://www.kaggle.com/models/google/gemma/pyTorch/2b/3",
            Some(3),
        ),
        (
            "https://www.kaggle.com/models/google/gemma/frameworks/pyTorch/variations/2b/versions/3",
            Some(3),
        ),
    ] {
        assert_eq!(parse_kaggle_ref(input).unwrap(), model(v), "{input}");
    }
    assert_eq!(
        parse_any("kaggle:models/google/gemma/pyTorch/2b")
            .unwrap()
            .folder_name(),
        "models/google_gemma_pyTorch_2b"
    );
    assert_eq!(
        parse_any("kaggle:competitions/titanic")
            .unwrap()
            .folder_name(),
        "competitions/titanic"
    );
    // A handle without models/ is pointed at the model, not at a dataset.
    let e = parse_kaggle_ref("google/gemma/pyTorch/2b")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("did you mean kaggle:models/google/gemma/pyTorch/2b?"),
        "{e}"
    );
    // Every spelling of a framework shares one folder.
    for f in ["pytorch", "PyTorch", "py_torch", "pyTorch"] {
        let d = parse_kaggle_ref(&format!("models/google/gemma/{f}/2b")).unwrap();
        assert_eq!(d.folder_name(), "models/google_gemma_pyTorch_2b", "{f}");
    }
    // Datasets are unchanged.
    assert_eq!(
        parse_kaggle_ref("alice/titanic/3").unwrap(),
        DatasetId::Kaggle(KaggleId {
            owner: "alice".into(),
            slug: "titanic".into(),
            version: Some(3),
        })
    );
    for bad in [
        "competitions/",
        "competitions/../x",
        "competitions/titanic/leaderboardx",
        "models/google/gemma",
        "models/google/gemma/pyTorch/2b/0",
        "models/google/gemma/pyTorch/2b/x",
        "models/google/../pyTorch/2b",
    ] {
        let err = parse_kaggle_ref(bad).unwrap_err();
        assert_eq!(err.kind().exit_code(), 2, "{bad}");
    }
}

#[test]
fn hub_uri_refs_legacy_urls_and_suggestions() {
    use RepoKind::{Dataset, Model};
    // Special refs in hf:// URIs; legacy repos without owner in web URLs.
    let got = parse_hf("hf://datasets/acme/corpus@refs/convert/parquet/default/train").unwrap();
    assert_eq!(got.revision.as_deref(), Some("refs/convert/parquet"));
    assert_eq!(got.path.as_deref(), Some("default/train"));
    let got = parse_hf("hf://acme/bert@refs/pr/1").unwrap();
    assert_eq!(
        (got.kind, got.revision.as_deref()),
        (Model, Some("refs/pr/1"))
    );
    assert_eq!(
        parse_hf("hf://acme/bert@refs").unwrap().revision.as_deref(),
        Some("refs")
    );
    let got = parse_hf("https://huggingface.co/gpt2/tree/main").unwrap();
    assert_eq!(
        (got.kind, got.repo.as_str(), got.revision.as_deref()),
        (Model, "gpt2", Some("main"))
    );
    let got = parse_hf("https://huggingface.co/gpt2/blob/main/config.json").unwrap();
    assert_eq!(got.path.as_deref(), Some("config.json"));
    let got = parse_hf("https://huggingface.co/datasets/imdb/tree/main").unwrap();
    assert_eq!((got.kind, got.repo.as_str()), (Dataset, "imdb"));
    // Suggestions keep the kind and prefix the input used.
    for (bad, hint) in [
        ("hf:models/acme/bert@", "did you mean hf:models/acme/bert?"),
        ("models/acme/bert/extra", "did you mean models/acme/bert?"),
        ("hf:acme/corpus@", "did you mean hf:acme/corpus?"),
    ] {
        let e = parse_hf(bad).unwrap_err().to_string();
        assert!(e.contains(hint), "{bad}: {e}");
    }
    // OWNER/NAME still wins when a page follows it.
    let got = parse_hf("https://huggingface.co/acme/tree/tree/v1").unwrap();
    assert_eq!(
        (got.repo.as_str(), got.revision.as_deref()),
        ("acme/tree", Some("v1"))
    );
}

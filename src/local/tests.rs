//! Caches laid out by hand as the Python libraries lay them out, for every kind (the
//! integration tests fill them with the real libraries, from a fake hub that serves datasets).

use std::path::Path;

use super::*;
use crate::settings::LayoutKind;

fn write(p: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// A huggingface_hub repo: blobs named by etag, a snapshot of links, `refs/main`.
#[cfg(unix)]
fn hf_repo(cache: &Path, folder: &str, commit: &str, files: &[(&str, &[u8])]) {
    let repo = cache.join(folder);
    for (path, content) in files {
        let mut h = crate::verify::Hashers::new(None, None, false);
        h.update(content);
        let sha = h.finish().sha256;
        write(&repo.join("blobs").join(&sha), content);
        let link = repo.join("snapshots").join(commit).join(path);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        let ups = "../".repeat(2 + path.matches('/').count());
        std::os::unix::fs::symlink(format!("{ups}blobs/{sha}"), &link).unwrap();
    }
    write(&repo.join("refs/main"), commit.as_bytes());
}

fn roots(dir: &Path) -> Roots {
    Roots {
        download: dir.join("downloads"),
        hf_cache: Some(dir.join("hub")),
        kagglehub: Some(dir.join("kh")),
    }
}

#[cfg(unix)]
/// Both caches with every kind, as the Python libraries lay them out.
fn every_kind(d: &Path) -> (String, String) {
    let hub = d.join("hub");
    let c1 = "1".repeat(40);
    let c2 = "2".repeat(40);
    hf_repo(
        &hub,
        "models--acme--bert",
        &c1,
        &[("config.json", b"{}"), ("w/model.bin", b"weights")],
    );
    hf_repo(&hub, "spaces--acme--demo", &c2, &[("app.py", b"print()")]);
    hf_repo(&hub, "datasets--squad", &c1, &[("a.csv", b"a")]);
    std::fs::create_dir_all(hub.join("not-a-repo")).unwrap();
    std::fs::create_dir_all(hub.join(".locks/models--acme--bert")).unwrap();
    // huggingface_hub's tree listing names a file the snapshot lacks: still to come.
    write(
        &hub.join("datasets--squad/trees").join(format!("{c1}.json")),
        br#"{"format_version": 1, "files": {"a.csv": {"size": 1}, "b.csv": {"size": 500}}}"#,
    );
    let kh = d.join("kh");
    write(
        &kh.join("models/google/gemma/pyTorch/2b/3/model.bin"),
        b"gemma",
    );
    write(&kh.join("models/google/gemma/pyTorch/2b/3.complete"), b"");
    write(&kh.join("competitions/titanic/train.csv"), b"1,2\n");
    write(&kh.join("competitions/titanic.complete"), b"");
    write(&kh.join("datasets/a/b/versions/1/x.csv"), b"x");
    write(&kh.join("datasets/a/b/1.complete"), b"");
    // Version 2 is being downloaded by kagglehub: no marker yet, the archive arriving.
    write(&kh.join("datasets/a/b/versions/2/x.csv"), b"x");
    write(&kh.join("datasets/a/b/2.archive"), &[0u8; 300]);
    (c1, c2)
}

#[cfg(unix)]
#[test]
fn every_kind_in_both_caches() {
    let d = tempfile::tempdir().unwrap();
    let (c1, c2) = every_kind(d.path());
    let items = scan(&roots(d.path()), &Filter::default()).unwrap();
    let got: Vec<(&str, &str, &str, LayoutKind)> = items
        .iter()
        .map(|i| (i.reference.as_str(), i.kind, i.id.as_str(), i.layout))
        .collect();
    let bert = format!("hf:models/acme/bert@{c1}");
    let demo = format!("hf:spaces/acme/demo@{c2}");
    let squad = format!("hf:squad@{c1}");
    assert_eq!(
        got,
        vec![
            (
                bert.as_str(),
                "model",
                "models/acme/bert",
                LayoutKind::HfCache
            ),
            (
                demo.as_str(),
                "space",
                "spaces/acme/demo",
                LayoutKind::HfCache
            ),
            (squad.as_str(), "dataset", "squad", LayoutKind::HfCache),
            (
                "kaggle:a/b/versions/1",
                "dataset",
                "a/b",
                LayoutKind::Kagglehub
            ),
            (
                "kaggle:a/b/versions/2",
                "dataset",
                "a/b",
                LayoutKind::Kagglehub
            ),
            (
                "kaggle:competitions/titanic",
                "competition",
                "competitions/titanic",
                LayoutKind::Kagglehub
            ),
            (
                "kaggle:models/google/gemma/pyTorch/2b/3",
                "model",
                "models/google/gemma/pyTorch/2b",
                LayoutKind::Kagglehub
            ),
        ]
    );
    let bert = &items[0];
    assert_eq!(
        (bert.files, bert.size, bert.refs.clone()),
        (2, 9, vec!["main".to_string()])
    );
    assert_eq!(bert.state, State::Complete);
    assert_eq!(
        (items[2].state, items[2].pending_bytes),
        (State::Partial, 500)
    );
    assert_eq!(
        (items[4].state, items[4].partial_bytes),
        (State::Partial, 300)
    );
    assert_eq!(items[3].state, State::Complete);
    assert!(
        items
            .iter()
            .all(|i| !i.by_dsfetch && i.last_fetched.is_some())
    );
    // Filters: an id with its kind, a version, a hub.
    let f = Filter::new(None, &["hf:models/acme/bert".into()]);
    assert_eq!(scan(&roots(d.path()), &f).unwrap().len(), 1);
    let f = Filter::new(None, &["kaggle:a/b/versions/2".into()]);
    assert_eq!(scan(&roots(d.path()), &f).unwrap()[0].version, Some(2));
    let f = Filter::new(Some(crate::Hub::Kaggle), &[]);
    assert_eq!(scan(&roots(d.path()), &f).unwrap().len(), 4);
    // Older kagglehub versions are what `prune --old-versions` takes; refs keep revisions.
    let plan = plan_prune(
        &roots(d.path()),
        &PruneOptions {
            partials: None,
            old_versions: true,
            max_size: None,
            source: None,
            keep: Vec::new(),
            now: std::time::SystemTime::now(),
        },
    )
    .unwrap();
    let gone: Vec<&str> = plan.iter().map(|r| r.reference.as_str()).collect();
    assert_eq!(gone, ["kaggle:a/b/versions/1"]);
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_repo_is_never_followed() {
    let d = tempfile::tempdir().unwrap();
    let hub = d.path().join("hub");
    let c = "3".repeat(40);
    hf_repo(&hub, "datasets--o--n", &c, &[("a.csv", b"abc")]);
    let outside = d.path().join("outside.bin");
    write(&outside, b"secret");
    let snap = hub.join("datasets--o--n/snapshots").join(&c);
    std::os::unix::fs::symlink(&outside, snap.join("escape.bin")).unwrap();
    let items = scan(&roots(d.path()), &Filter::default()).unwrap();
    assert_eq!(items[0].state, State::Modified);
    assert_eq!(items[0].modified, vec!["escape.bin".to_string()]);
    assert_eq!(items[0].size, 3, "what the link points to is not counted");
    let found = verify(&items[0]);
    assert_eq!(found.modified, vec!["escape.bin".to_string()]);
    assert_eq!(found.checked, 1);
    let plan = plan_rm(&roots(d.path()), &["hf:o/n".into()]).unwrap();
    let done = delete(&roots(d.path()), plan);
    assert!(done[0].deleted);
    assert!(!hub.join("datasets--o--n").exists());
    assert_eq!(std::fs::read(&outside).unwrap(), b"secret");
}

#[test]
fn nothing_outside_the_roots_is_deleted() {
    let d = tempfile::tempdir().unwrap();
    let r = roots(d.path());
    let elsewhere = tempfile::tempdir().unwrap();
    let dataset = elsewhere.path().join("ds");
    let state = crate::record::state_dir(&dataset);
    let mut rec = crate::record::Record::new(crate::Hub::Kaggle, "a/b");
    rec.files.push(crate::record::FileEntry {
        path: "x.csv".into(),
        size: 1,
        sha256: "00".into(),
        upstream: None,
    });
    write(&dataset.join("x.csv"), b"x");
    crate::record::save(&state, &rec).unwrap();
    // Named by path, it is listed; `rm` refuses it.
    let f = Filter::new(None, &[dataset.display().to_string()]);
    assert_eq!(scan(&r, &f).unwrap().len(), 1);
    let e = plan_rm(&r, &[dataset.display().to_string()]).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Usage);
    // A removal planned there anyway is skipped when carried out.
    let item = &scan(&r, &f).unwrap()[0];
    let removal = Removal {
        reason: "dataset",
        reference: item.reference.clone(),
        path: dataset.clone(),
        bytes: 1,
        kept: Vec::new(),
        steps: vec![remove::Step::Tree(dataset.clone())],
        lock: None,
    };
    let done = delete(&r, vec![removal]);
    assert!(!done[0].deleted);
    assert!(dataset.join("x.csv").exists());
}

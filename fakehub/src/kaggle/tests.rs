use std::io::Cursor;

use serde_json::{Value, json};

use super::archive::build_zip;
use super::list::{FILE_TYPES, SORTS, license_group, parse_enum};
use crate::store::Blob;

#[test]
fn enums_parse_in_every_form() {
    let p = |v: Value| parse_enum(Some(&v), "DATASET_SORT_BY_", SORTS, "sortBy").ok();
    assert_eq!(p(json!("DATASET_SORT_BY_VOTES")), Some(1));
    assert_eq!(p(json!("votes")), Some(1));
    assert_eq!(p(json!("dataset_sort_by_download_count")), Some(8));
    assert_eq!(p(json!("downloadCount")), Some(8));
    assert_eq!(p(json!(2)), Some(2));
    assert_eq!(p(json!("nope")), None);
    let f =
        |v: Value| parse_enum(Some(&v), "DATASET_FILE_TYPE_GROUP_", FILE_TYPES, "fileType").ok();
    assert_eq!(f(json!("bigQuery")), Some(4));
}

#[test]
fn license_groups() {
    assert_eq!(license_group("CC0-1.0"), "CC");
    assert_eq!(license_group("CC-BY-SA-4.0"), "CC");
    assert_eq!(license_group("GPL 2"), "GPL");
    assert_eq!(license_group("ODbL"), "ODB");
    assert_eq!(license_group("MIT"), "OTHER");
}

#[test]
fn zip_has_members() {
    let z = build_zip(&[("a/b.csv".into(), Blob::from_bytes(b"x,y\n1,2\n".to_vec()))]).unwrap();
    let bytes = z.to_vec().unwrap();
    let mut ar = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    assert_eq!(ar.len(), 1);
    let mut f = ar.by_name("a/b.csv").unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s).unwrap();
    assert_eq!(s, "x,y\n1,2\n");
}

#[test]
fn framework_spellings_map_like_kagglehub_to_enum() {
    use super::model::{FRAMEWORKS, framework_enum, framework_url_name};
    for (s, want) in [
        ("pyTorch", "MODEL_FRAMEWORK_PY_TORCH"),
        ("PyTorch", "MODEL_FRAMEWORK_PY_TORCH"),
        ("pytorch", "MODEL_FRAMEWORK_PY_TORCH"),
        ("MODEL_FRAMEWORK_PY_TORCH", "MODEL_FRAMEWORK_PY_TORCH"),
        ("tensorFlow2", "MODEL_FRAMEWORK_TENSOR_FLOW_2"),
        ("tfLite", "MODEL_FRAMEWORK_TF_LITE"),
        ("gemmaCpp", "MODEL_FRAMEWORK_GEMMA_CPP"),
        ("tensorRtLlm", "MODEL_FRAMEWORK_TENSOR_RT_LLM"),
        ("scikitLearn", "MODEL_FRAMEWORK_SCIKIT_LEARN"),
        ("keras", "MODEL_FRAMEWORK_KERAS"),
    ] {
        assert_eq!(framework_enum(s), Some(want), "{s}");
    }
    assert_eq!(framework_enum("unspecified"), None);
    assert_eq!(framework_enum("torch"), None);
    assert_eq!(framework_url_name("MODEL_FRAMEWORK_PY_TORCH"), "pyTorch");
    assert_eq!(
        framework_url_name("MODEL_FRAMEWORK_TENSOR_FLOW_2"),
        "tensorFlow2"
    );
    for (n, _) in &FRAMEWORKS[1..] {
        assert_eq!(framework_enum(&framework_url_name(n)), Some(*n));
    }
}

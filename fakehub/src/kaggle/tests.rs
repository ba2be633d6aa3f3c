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

//! Text manifests: one id per line, `#` comments.

use super::Entry;
use crate::id;

pub(super) fn parse_text(text: &str, errors: &mut Vec<(usize, String)>) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        // `#` starts a comment at the beginning of a line or after whitespace (URLs keep theirs).
        let mut content = raw;
        if let Some(pos) = raw.find(" #").or_else(|| raw.find("\t#")) {
            content = &raw[..pos];
        }
        let content = content.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        match id::parse_any(content) {
            Ok(id) => out.push(Entry {
                line,
                id,
                include: vec![],
                exclude: vec![],
                files: vec![],
                output: None,
                unzip: true,
                layout: None,
            }),
            Err(e) => errors.push((line, e.to_string())),
        }
    }
    out
}

//! The shape of `src/`, checked on every test run: the library's top-level modules import each
//! other without a cycle (the graph reads top-down, from commands to the error type), the library
//! never reaches into the binary's modules, and files and functions stay within their size limits.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules of the `dsfetch` binary (declared in `main.rs`): the library may not use them.
const BINARY: &[&str] = &["main", "cli", "commands", "ui"];
const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 100;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/NAME.rs` or `src/NAME/...`).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The source without `#[cfg(test)] mod … { … }` blocks (tests may use anything).
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let Some(open) = after.find('{').filter(|o| after[..*o].contains("mod ")) else {
            out.push_str("#[cfg(test)]");
            rest = &after["#[cfg(test)]".len()..];
            continue;
        };
        let mut depth = 0;
        let mut end = after.len();
        for (j, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Which top-level modules each library module uses (`crate::NAME`, `use crate::{NAME, ...}`).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let from = module_of(f);
        if from == "lib" || BINARY.contains(&from.as_str()) {
            continue;
        }
        let text = without_tests(&std::fs::read_to_string(f).unwrap());
        let mut used = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.insert(name);
        }
        for (i, _) in text.match_indices("use crate::{") {
            let list = &text[i + 12..];
            let list = &list[..list.find('}').unwrap_or(list.len())];
            for item in list.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                used.insert(name);
            }
        }
        used.retain(|m| modules.contains(m) && *m != from);
        g.entry(from).or_default().extend(used);
    }
    g
}

#[test]
fn the_library_module_graph_has_no_cycle() {
    let g = graph();
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(i) = path.iter().position(|p| p == m) {
            panic!("import cycle: {} -> {m}", path[i..].join(" -> "));
        }
        path.push(m.to_string());
        for n in g.get(m).into_iter().flatten() {
            visit(n, g, path, done);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let mut done = BTreeSet::new();
    for m in g.keys() {
        visit(m, &g, &mut Vec::new(), &mut done);
    }
    // The layers the architecture promises, spot-checked: the error type imports nothing of
    // the crate but the units it formats; sources, plan and sinks never reach the pipeline.
    assert!(
        g["error"].iter().all(|m| m == "units"),
        "error uses {:?}",
        g["error"]
    );
    for low in [
        "source", "plan", "sink", "transfer", "http", "record", "verify",
    ] {
        assert!(!g[low].contains("pipeline"), "{low} uses the pipeline");
        assert!(!g[low].contains("batch"), "{low} uses batch");
    }
}

#[test]
fn the_library_never_uses_the_binarys_modules_or_cli_crates() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for f in files {
        if BINARY.contains(&module_of(&f).as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for needle in [
            "crate::cli",
            "crate::commands",
            "crate::ui",
            "clap::",
            "indicatif",
            "console::",
            "unicode_width",
        ] {
            assert!(!text.contains(needle), "{} uses {needle}", f.display());
        }
    }
}

#[test]
fn files_and_functions_stay_within_their_size_limits() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fakehub/src"),
        &mut files,
    );
    let mut over = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            over.push(format!("{}: {lines} lines", f.display()));
        }
        let code = without_tests(&text);
        for (i, _) in code.match_indices("fn ") {
            let Some(open) = code[i..].find('{').map(|o| i + o) else {
                continue;
            };
            if code[i..open].contains(';') {
                continue; // a declaration without a body
            }
            let mut depth = 0;
            let mut end = open;
            for (j, c) in code[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let n = code[i..end].lines().count();
            if n > MAX_FN_LINES {
                let name: String = code[i + 3..].chars().take_while(|c| *c != '(').collect();
                over.push(format!("{}: fn {name}: {n} lines", f.display()));
            }
        }
    }
    assert!(
        over.is_empty(),
        "over the size limits:\n{}",
        over.join("\n")
    );
}

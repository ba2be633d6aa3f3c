//! File selection with `--include` / `--exclude` patterns.
//!
//! The semantics are those of huggingface_hub's `filter_repo_objects` (protocol/hf.md §8.1), so
//! that a pattern means the same thing in dsfetch and `hf download`:
//! Python `fnmatchcase` where `*` also matches `/`, `?` one character, `[seq]` / `[!seq]` classes;
//! a pattern ending in `/` matches everything below that folder; `\` counts as `/`;
//! matching is case-sensitive. A file is kept when it matches any include (or there are none) and
//! no exclude.

/// A compiled include/exclude selection.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    include: Vec<String>,
    exclude: Vec<String>,
}

impl Selection {
    /// Builds a selection from raw patterns as the user typed them.
    pub fn new(include: &[String], exclude: &[String]) -> Selection {
        Selection {
            include: include.iter().map(|p| normalize(p)).collect(),
            exclude: exclude.iter().map(|p| normalize(p)).collect(),
        }
    }

    /// Exactly the files at `paths` (their names matched literally, whatever characters they
    /// hold).
    pub fn only(paths: &[String]) -> Selection {
        let literal = |p: &String| {
            p.chars()
                .map(|c| match c {
                    '*' | '?' | '[' => format!("[{c}]"),
                    c => c.to_string(),
                })
                .collect::<String>()
        };
        Selection {
            include: paths.iter().map(literal).collect(),
            exclude: Vec::new(),
        }
    }

    /// True when no pattern was given (everything is selected).
    pub fn is_all(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether `path` (a `/`-separated repo path) is selected.
    pub fn matches(&self, path: &str) -> bool {
        let included = self.include.is_empty() || self.include.iter().any(|p| fnmatch(p, path));
        included && !self.exclude.iter().any(|p| fnmatch(p, path))
    }
}

fn normalize(p: &str) -> String {
    let mut p = p.replace('\\', "/");
    if p.ends_with('/') {
        p.push('*');
    }
    p
}

/// Python `fnmatch.fnmatchcase`: `*` matches any run of characters (including `/`), `?` any one
/// character, `[...]` a class (`!` negates, `a-z` ranges). An unclosed `[` is a literal.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with single-star backtracking (stars are greedy and equivalent).
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    while pi < p.len() && p[pi] == '*' {
                        pi += 1;
                    }
                    star = Some((pi, ni));
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = match_class(&p, pi, n[ni]) {
                        if matched {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                c => {
                    if c == n[ni] {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Matches `c` against the class starting at `p[start] == '['`. Returns (matched, index after
/// the class), or `None` when the class is not closed (then `[` is a literal).
fn match_class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = i < p.len() && p[i] == '!';
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_matches_names_literally() {
        let names = vec![
            "a[1]*.csv".to_string(),
            "b?.txt".to_string(),
            "dir/c".to_string(),
        ];
        let s = Selection::only(&names);
        for n in &names {
            assert!(s.matches(n), "{n}");
        }
        for other in ["a1x.csv", "a[1]x.csv", "bx.txt", "dir/c/d", "dir/cd", "c"] {
            assert!(!s.matches(other), "{other}");
        }
    }

    #[test]
    fn fnmatch_semantics() {
        assert!(fnmatch("*.parquet", "data/x/y.parquet"));
        assert!(fnmatch("data/*", "data/x/y.csv"));
        assert!(!fnmatch("*.csv", "data/x.CSV"));
        assert!(fnmatch("**/*.csv", "a/b.csv"));
        assert!(!fnmatch("**/*.csv", "b.csv"));
        assert!(fnmatch("train-?????.parquet", "train-00001.parquet"));
        assert!(fnmatch("[ab]*.txt", "a1.txt"));
        assert!(!fnmatch("[!ab]*.txt", "a1.txt"));
        assert!(fnmatch("[a-c]x", "bx"));
        assert!(fnmatch("[]]x", "]x"));
        assert!(fnmatch("a[b", "a[b"));
        assert!(fnmatch("*", ""));
        assert!(!fnmatch("a", ""));
        assert!(fnmatch("a*b*c", "aXXbYYc"));
        assert!(!fnmatch("a*b*c", "aXXbYY"));
    }

    #[test]
    fn selection_rules() {
        let s = Selection::new(&["data/".into(), "*.md".into()], &["*test*".into()]);
        assert!(s.matches("data/train.csv"));
        assert!(s.matches("README.md"));
        assert!(!s.matches("data/test.csv"));
        assert!(!s.matches("other/x.csv"));
        let all = Selection::new(&[], &[]);
        assert!(all.is_all() && all.matches("anything"));
        let win = Selection::new(&["data\\".into()], &[]);
        assert!(win.matches("data/x"));
    }
}

//! Tables for people and tab-separated lines for pipes: search results, batch summaries.
//! Cells are measured in terminal columns; long titles are cut with `…`, never wrapped.

use dsfetch::sanitize::for_terminal;
use dsfetch::search::Hit;
use dsfetch::units::human_bytes;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A count in at most five characters: `999`, `1.0k`, `999.9k`, `1.0M`, ... The unit is chosen
/// after rounding to one decimal, so 999,999 is `1.0M`, never `1000.0k`.
pub fn compact(n: Option<u64>) -> String {
    let Some(n) = n else {
        return "-".into();
    };
    if n < 1000 {
        return n.to_string();
    }
    let units = [(1_000u128, "k"), (1_000_000, "M"), (1_000_000_000, "B")];
    let last = (1_000_000_000_000u128, "T");
    for (div, unit) in units.into_iter().chain([last]) {
        // Tenths of the unit, rounded half up, in integers (no float rounding surprises).
        let tenths = (u128::from(n) * 10 + div / 2) / div;
        if tenths < 10_000 || unit == last.1 {
            return format!("{}.{}{unit}", tenths / 10, tenths % 10);
        }
    }
    unreachable!("the last unit always returns")
}

/// Cuts `s` to at most `w` terminal columns, ending in `…` when cut.
pub fn fit(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// The search table's columns, in order; the flexible one is TITLE.
const SEARCH_HEADER: [&str; 6] = ["REF", "TITLE", "DOWNLOADS", "LIKES", "SIZE", "UPDATED"];

/// Columns given up, in this order, when the terminal is too narrow for all of them: the ref
/// (what a user copies to download) is never cut or dropped.
const DROP_ORDER: [usize; 5] = [5, 4, 3, 1, 2];

/// The narrowest a title may be cut to before a column is dropped instead.
const MIN_TITLE: usize = 12;

/// A table that fits `width` columns. The ref is never cut: the title is cut with `…` first,
/// then columns are dropped (updated, size, likes, title, downloads) until the rest fits.
pub fn table(hits: &[Hit], width: usize) -> String {
    let rows: Vec<[String; 6]> = hits
        .iter()
        .map(|h| {
            [
                for_terminal(&h.reference),
                for_terminal(&h.title),
                compact(h.downloads),
                compact(h.likes),
                h.size_bytes.map(human_bytes).unwrap_or_else(|| "-".into()),
                h.updated
                    .as_deref()
                    .map(|u| for_terminal(u).chars().take(10).collect())
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut w: Vec<usize> = SEARCH_HEADER.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.width());
        }
    }
    let shown = fit_columns(&mut w, width);
    let line = |cells: [&str; 6]| -> String {
        let mut parts = Vec::new();
        for &i in &shown {
            let cell = fit(cells[i], w[i]);
            let gap = " ".repeat(w[i].saturating_sub(cell.width()));
            // Counts and sizes align right.
            parts.push(match i {
                2..=4 => format!("{gap}{cell}"),
                _ => format!("{cell}{gap}"),
            });
        }
        parts.join("  ").trim_end().to_string()
    };
    let mut out = line(SEARCH_HEADER);
    out.push('\n');
    for r in &rows {
        let cells: [&str; 6] = std::array::from_fn(|i| r[i].as_str());
        out.push_str(&line(cells));
        out.push('\n');
    }
    out
}

/// Decides which columns fit `width` (indices, in order) and narrows the title to fit: the
/// title shrinks down to [`MIN_TITLE`], then columns are dropped in [`DROP_ORDER`].
fn fit_columns(w: &mut [usize], width: usize) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..w.len()).collect();
    let total = |shown: &[usize], w: &[usize]| -> usize {
        shown.iter().map(|&i| w[i]).sum::<usize>() + 2 * shown.len().saturating_sub(1)
    };
    let mut drops = DROP_ORDER.iter();
    loop {
        let over = total(&shown, w).saturating_sub(width);
        if over == 0 {
            break;
        }
        if shown.contains(&1) && w[1] > MIN_TITLE {
            w[1] = w[1].saturating_sub(over).max(MIN_TITLE);
            continue;
        }
        match drops.next() {
            Some(d) => shown.retain(|i| i != d),
            None => break,
        }
    }
    shown
}

/// One tab-separated line per hit (for pipes): ref, downloads, likes, size, updated, title.
pub fn tsv(hits: &[Hit]) -> String {
    let clean = |s: &str| for_terminal(s).replace('\t', " ");
    hits.iter()
        .map(|h| {
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                h.reference,
                h.downloads.map(|d| d.to_string()).unwrap_or_default(),
                h.likes.map(|d| d.to_string()).unwrap_or_default(),
                h.size_bytes.map(|d| d.to_string()).unwrap_or_default(),
                h.updated.as_deref().unwrap_or(""),
                clean(&h.title)
            )
        })
        .collect()
}

/// A dry run's files, one per line: on a terminal a table (`ENTRY` first when `entry` names the
/// batch entry of each file), else tab-separated `[entry]`, path, size in bytes, and `download`
/// or `present`.
pub fn dry_run_files(files: &[(Option<String>, &dsfetch::ReportFile)], terminal: bool) -> String {
    let action = |f: &dsfetch::ReportFile| if f.skipped { "present" } else { "download" };
    let with_entry = files.iter().any(|(e, _)| e.is_some());
    if !terminal {
        let clean = |s: &str| for_terminal(s).replace('\t', " ");
        return files
            .iter()
            .map(|(e, f)| {
                let entry = e.as_deref().map(|e| format!("{}\t", clean(e)));
                format!(
                    "{}{}\t{}\t{}",
                    entry.unwrap_or_default(),
                    clean(&f.path),
                    f.size,
                    action(f)
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    let rows: Vec<Vec<String>> = files
        .iter()
        .map(|(e, f)| {
            let mut row = vec![for_terminal(&f.path), human_bytes(f.size), action(f).into()];
            if with_entry {
                row.insert(0, for_terminal(e.as_deref().unwrap_or("")));
            }
            row
        })
        .collect();
    let header: &[&str] = match with_entry {
        true => &["ENTRY", "FILE", "SIZE", "ACTION"],
        false => &["FILE", "SIZE", "ACTION"],
    };
    render(header, &rows)
}

/// Renders rows under a header, columns padded to their widest cell.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}{}", " ".repeat(w[i].saturating_sub(c.chars().count()))))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    for r in rows {
        out.push('\n');
        out.push_str(&line(r.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsfetch::Hub;

    #[test]
    fn compact_counts_change_unit_after_rounding() {
        for (n, want) in [
            (0, "0"),
            (999, "999"),
            (1000, "1.0k"),
            (1049, "1.0k"),
            (1050, "1.1k"),
            (12_345, "12.3k"),
            (999_949, "999.9k"),
            (999_950, "1.0M"),
            (999_999, "1.0M"),
            (1_000_000, "1.0M"),
            (1_050_000, "1.1M"),
            (999_949_999, "999.9M"),
            (999_950_000, "1.0B"),
            (999_999_999, "1.0B"),
            (999_949_999_999, "999.9B"),
            (999_950_000_000, "1.0T"),
            (u64::MAX, "18446744.1T"),
        ] {
            assert_eq!(compact(Some(n)), want, "{n}");
        }
        assert_eq!(compact(None), "-");
    }

    #[test]
    fn fit_cuts_by_columns() {
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("abcdefghij", 5), "abcd…");
        assert_eq!(fit("数据数据数据", 5), "数据…");
    }

    fn hit(reference: &str, title: &str) -> Hit {
        let (hub, id) = reference.split_once(':').unwrap();
        Hit {
            id: id.to_string(),
            reference: reference.to_string(),
            kind: dsfetch::search::SearchKind::Dataset,
            title: title.to_string(),
            source: if hub == "hf" {
                Hub::HuggingFace
            } else {
                Hub::Kaggle
            },
            url: String::new(),
            downloads: Some(123_456),
            likes: Some(42),
            size_bytes: Some(1_234_567),
            updated: Some("2024-05-06T07:08:09Z".into()),
            tags: Vec::new(),
            description: None,
        }
    }

    /// The refs the new user saw cut at 120 columns, and a narrower terminal: every ref whole,
    /// every line within the width (when the ref alone fits).
    #[test]
    fn search_table_never_cuts_the_ref() {
        let hits = vec![
            hit(
                "kaggle:kaggle-mirror/heart-2020-cleaned-personal-key-indicators",
                "Personal Key Indicators of Heart Disease (2020 annual CDC survey data of 400k adults)",
            ),
            hit(
                "hf:johndoe/heart-kaggle-personal-key-indicators-of-heart-disease",
                "heart",
            ),
            hit("hf:a/b", "A short one"),
        ];
        for width in [80, 120] {
            let t = table(&hits, width);
            for h in &hits {
                assert!(
                    t.contains(&h.reference),
                    "{width}: {} cut:\n{t}",
                    h.reference
                );
            }
            for l in t.lines() {
                assert!(l.width() <= width, "{width}: {l:?} is {} wide", l.width());
            }
        }
        let wide = table(&hits, 120);
        assert!(wide.lines().next().unwrap().contains("DOWNLOADS"), "{wide}");
        assert!(wide.contains('…'), "the long title is cut: {wide}");
        let narrow = table(&hits, 80);
        let head = narrow.lines().next().unwrap();
        assert!(head.starts_with("REF"), "{narrow}");
        assert!(
            !head.contains("UPDATED"),
            "columns are dropped first: {narrow}"
        );
        // Too narrow even for the ref: it is still whole, alone on its line.
        let tiny = table(&hits, 20);
        assert!(tiny.contains(&hits[0].reference), "{tiny}");
        assert_eq!(tiny.lines().next().unwrap(), "REF");
    }
}

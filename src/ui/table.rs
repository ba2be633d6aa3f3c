//! Tables for people and tab-separated lines for pipes: search results, batch summaries.
//! Cells are measured in terminal columns; long titles are cut with `…`, never wrapped.

use dsfetch::Hub;
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

fn pad(s: &str, w: usize) -> String {
    let cur = s.width();
    format!("{s}{}", " ".repeat(w.saturating_sub(cur)))
}

/// A table that fits `width` columns: long ids and titles are cut, never wrapped.
pub fn table(hits: &[Hit], width: usize) -> String {
    let rows: Vec<[String; 7]> = hits
        .iter()
        .map(|h| {
            [
                match h.source {
                    Hub::Kaggle => "kaggle".into(),
                    Hub::HuggingFace => "hf".into(),
                },
                h.id.clone(),
                h.title.clone(),
                compact(h.downloads),
                compact(h.likes),
                h.size_bytes.map(human_bytes).unwrap_or_else(|| "-".into()),
                h.updated
                    .as_deref()
                    .map(|u| u.chars().take(10).collect())
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let header = [
        "SOURCE",
        "ID",
        "TITLE",
        "DOWNLOADS",
        "LIKES",
        "SIZE",
        "UPDATED",
    ];
    let mut w: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.width());
        }
    }
    // Fixed columns keep their width; ID and TITLE share what is left (two spaces between).
    let fixed: usize = w[0] + w[3] + w[4] + w[5] + w[6] + 2 * 6;
    let room = width.saturating_sub(fixed).max(20);
    let id_w = w[1].min((room * 45 / 100).max(12));
    let title_w = w[2].min(room.saturating_sub(id_w)).max(5);
    w[1] = id_w;
    w[2] = title_w;
    let mut out = String::new();
    let line = |cells: [&str; 7]| -> String {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            let cell = fit(c, w[i]);
            if (3..=5).contains(&i) {
                l.push_str(&format!(
                    "{}{}",
                    " ".repeat(w[i].saturating_sub(cell.width())),
                    cell
                ));
            } else {
                l.push_str(&pad(&cell, w[i]));
            }
            if i < 6 {
                l.push_str("  ");
            }
        }
        l.trim_end().to_string()
    };
    out.push_str(&line(header));
    out.push('\n');
    for r in &rows {
        let cells: [&str; 7] = std::array::from_fn(|i| r[i].as_str());
        out.push_str(&line(cells));
        out.push('\n');
    }
    out
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
}

//! The progress bars' look: one template per bar kind, with and without colour.

use indicatif::ProgressStyle;

/// Bar templates: (per-file or per-dataset line, total line), with and without colour.
pub(super) fn templates(color: bool) -> (&'static str, &'static str) {
    if color {
        (
            "  {msg:40!} {bar:24.cyan/blue} {decimal_bytes:>10}/{decimal_total_bytes:<10} {decimal_bytes_per_sec:>12} {eta:>4}",
            "{prefix:.bold} {bar:40.green/white} {decimal_bytes:>10}/{decimal_total_bytes:<10} {decimal_bytes_per_sec:>12} eta {eta}",
        )
    } else {
        (
            "  {msg:40!} {bar:24} {decimal_bytes:>10}/{decimal_total_bytes:<10} {decimal_bytes_per_sec:>12} {eta:>4}",
            "{prefix} {bar:40} {decimal_bytes:>10}/{decimal_total_bytes:<10} {decimal_bytes_per_sec:>12} eta {eta}",
        )
    }
}

/// A transfer whose size is not known yet: a spinner with the bytes so far and the rate (a bar
/// would show `x/0 B`, full from the start).
pub(super) fn spinner_template(color: bool) -> &'static str {
    if color {
        "  {spinner:.cyan} {msg:40!} {decimal_bytes:>10} {decimal_bytes_per_sec:>12}"
    } else {
        "  {spinner} {msg:40!} {decimal_bytes:>10} {decimal_bytes_per_sec:>12}"
    }
}

pub(super) fn spinner_style(color: bool) -> ProgressStyle {
    ProgressStyle::with_template(spinner_template(color))
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

pub(super) fn file_style(color: bool) -> ProgressStyle {
    style(templates(color).0)
}

pub(super) fn total_style(color: bool) -> ProgressStyle {
    style(templates(color).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_templates_parse() {
        // A template error would silently fall back to indicatif's default bar.
        for color in [true, false] {
            let (file, total) = templates(color);
            assert!(ProgressStyle::with_template(file).is_ok(), "{file}");
            assert!(ProgressStyle::with_template(total).is_ok(), "{total}");
            let spin = spinner_template(color);
            assert!(ProgressStyle::with_template(spin).is_ok(), "{spin}");
        }
    }
}

//! Quantities in words: byte counts as the hubs show them.

/// A human-readable byte count (`1.5 MB`, decimal units as the hubs show them).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1000.0 && i < UNITS.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

/// Parses a size as users write it: `200GB`, `1.5 TB`, `500MiB`, `1024` (bytes). Decimal units
/// (`kB`, `MB`, `GB`, `TB`, `PB`, as [`human_bytes`] prints them) and binary ones (`KiB`, `MiB`,
/// `GiB`, `TiB`, `PiB`), any case; `None` for anything else (negative, not finite, too large).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "p" | "pb" => 1e15,
        "kib" => 1024.0,
        "mib" => 1024f64.powi(2),
        "gib" => 1024f64.powi(3),
        "tib" => 1024f64.powi(4),
        "pib" => 1024f64.powi(5),
        _ => return None,
    };
    let bytes = (n * mult).round();
    (bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// A point in time as ISO 8601 in UTC with seconds (`2024-05-06T07:08:09Z`); times before 1970
/// print as the epoch.
pub fn iso8601(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_units() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
    }

    #[test]
    fn sizes_as_users_write_them() {
        for (text, want) in [
            ("200GB", Some(200_000_000_000)),
            ("200 gb", Some(200_000_000_000)),
            ("1.5TB", Some(1_500_000_000_000)),
            ("500MiB", Some(500 * 1024 * 1024)),
            ("1024", Some(1024)),
            ("0", Some(0)),
            ("10kB", Some(10_000)),
            ("", None),
            ("-1GB", None),
            ("1XB", None),
            ("GB", None),
            ("1e3", None),
            ("nan", None),
        ] {
            assert_eq!(parse_size(text), want, "{text:?}");
        }
    }

    #[test]
    fn iso8601_in_utc() {
        let t = |s: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s);
        assert_eq!(iso8601(t(0)), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(t(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(t(1_715_000_000)), "2024-05-06T12:53:20Z");
    }
}

//! Small helpers shared by the protocol modules: time formats, query strings, percent-encoding.

use std::time::{SystemTime, UNIX_EPOCH};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix milliseconds → `YYYY-MM-DDTHH:MM:SS.mmmZ` (the format both services use).
pub(crate) fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// Unix milliseconds → the compact `YYYYMMDDTHHMMSSZ` form of `X-Goog-Date`.
pub(crate) fn goog_date(ms: i64) -> String {
    let s = iso8601(ms);
    // 2024-01-02T03:04:05.000Z → 20240102T030405Z
    let b = s.as_bytes();
    let pick = |r: std::ops::Range<usize>| String::from_utf8_lossy(&b[r]).into_owned();
    format!(
        "{}{}{}T{}{}{}Z",
        pick(0..4),
        pick(5..7),
        pick(8..10),
        pick(11..13),
        pick(14..16),
        pick(17..19)
    )
}

/// Parses `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]` into Unix milliseconds.
pub(crate) fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |t: &str| -> Option<i64> {
        if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (date, rest) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let mut dp = date.split('-');
    let y = num(dp.next()?)?;
    let m = num(dp.next()?)? as u32;
    let d = num(dp.next()?)? as u32;
    if dp.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * 86_400_000;
    if rest.is_empty() {
        return Some(ms);
    }
    let (time, offset) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (t, off) = rest.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let mut op = off[1..].split(':');
        let oh = num(op.next()?)?;
        let om = op.next().map(num).unwrap_or(Some(0))?;
        (t, sign * (oh * 60 + om) * 60_000)
    } else {
        (rest, 0)
    };
    let (hms, frac) = match time.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (time, None),
    };
    let mut tp = hms.split(':');
    let h = num(tp.next()?)?;
    let mi = num(tp.next()?)?;
    let se = tp.next().map(num).unwrap_or(Some(0))?;
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    ms += (h * 3600 + mi * 60 + se) * 1000;
    if let Some(f) = frac {
        let digits: String = f.chars().take(3).collect();
        let v = num(&digits)?;
        ms += v * 10i64.pow(3 - digits.len() as u32);
    }
    Some(ms - offset)
}

/// Unix milliseconds → RFC 7231 IMF-fixdate (`Last-Modified`).
pub(crate) fn http_date(ms: i64) -> String {
    let t = UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    httpdate::fmt_http_date(t)
}

/// Decodes `%XX` escapes (not `+`). `None` when the result is not UTF-8.
pub(crate) fn pct_decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
pub(crate) fn form_decode(s: &str) -> Option<String> {
    pct_decode(&s.replace('+', " "))
}

/// Parses a query string or form body into ordered, decoded pairs. `None` on invalid UTF-8.
pub(crate) fn parse_query(q: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        out.push((form_decode(k)?, form_decode(v)?));
    }
    Some(out)
}

/// Everything but RFC 3986 unreserved characters is escaped.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Like [`COMPONENT`] but keeps `/` (Python's `quote(path)`).
const PATH: &AsciiSet = &COMPONENT.remove(b'/');

/// Percent-encodes a whole component, `/` included (`quote(s, safe="")`).
pub(crate) fn enc_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Percent-encodes a path, keeping `/` (`quote(s)`).
pub(crate) fn enc_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// splitmix64: a tiny, good-enough deterministic mixer for seeded choices.
pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// FNV-1a over bytes (stable across runs, unlike `DefaultHasher` seeds).
pub(crate) fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Case-insensitive ASCII substring test.
pub(crate) fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_roundtrip() {
        let ms = parse_iso8601("2023-03-25T00:49:25.000Z").unwrap();
        assert_eq!(iso8601(ms), "2023-03-25T00:49:25.000Z");
        assert_eq!(parse_iso8601("1970-01-01"), Some(0));
        assert_eq!(
            parse_iso8601("2024-02-29T12:00:00Z").map(iso8601).unwrap(),
            "2024-02-29T12:00:00.000Z"
        );
        assert_eq!(
            parse_iso8601("2024-01-01T01:00:00+01:00"),
            parse_iso8601("2024-01-01T00:00:00Z")
        );
        assert_eq!(parse_iso8601("2024-13-01"), None);
        assert_eq!(parse_iso8601("garbage"), None);
        assert_eq!(
            goog_date(parse_iso8601("2024-01-02T03:04:05Z").unwrap()),
            "20240102T030405Z"
        );
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn query_parsing() {
        let q = parse_query("search=a+b&filter=x%3Ay&filter=z&flag").unwrap();
        assert_eq!(
            q,
            vec![
                ("search".into(), "a b".into()),
                ("filter".into(), "x:y".into()),
                ("filter".into(), "z".into()),
                ("flag".into(), String::new()),
            ]
        );
        assert_eq!(
            enc_component("refs/convert/parquet"),
            "refs%2Fconvert%2Fparquet"
        );
        assert_eq!(enc_path("a b/c#d.csv"), "a%20b/c%23d.csv");
    }
}

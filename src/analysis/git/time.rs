//! Timestamps without a date library: RFC 3339 as chant's drift parses `completed_at`
//! (`chrono::DateTime::parse_from_rfc3339`), UTC dates for display, and ages.

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
}

/// Seconds since the epoch of an RFC 3339 timestamp (`2026-01-24T15:30:00Z`,
/// `…+02:00`, fractional seconds, `t`/space separators), `None` when it does not parse
/// (chant's drift then skips the spec).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (h, mi, se) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
    let month_days = [
        31,
        if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d < 1 || d > month_days[(mo - 1) as usize] || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &rest[1 + n..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh @ .., b':', m1, m2] if oh.len() == 2 => {
            let (oh, om) = (digits(oh)?, digits(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset)
}

/// `YYYY-MM-DD` (UTC) of an epoch time.
pub fn date(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM UTC` of an epoch time.
pub fn date_time(t: i64) -> String {
    let s = t.rem_euclid(86_400);
    format!("{} {:02}:{:02} UTC", date(t), s / 3600, s % 3600 / 60)
}

/// How long before `now` a time was, in the largest whole unit ("3 days ago").
pub fn age(t: i64, now: i64) -> String {
    let secs = now - t;
    if secs < 0 {
        return format!("on {}", date(t));
    }
    let (n, unit) = match secs {
        0..=59 => return "just now".to_string(),
        60..=3599 => (secs / 60, "minute"),
        3600..=86_399 => (secs / 3600, "hour"),
        86_400..=2_678_399 => (secs / 86_400, "day"),
        2_678_400..=31_535_999 => (secs / 2_678_400, "month"),
        _ => (secs / 31_536_000, "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-01-24T15:30:00Z"), Some(1_769_268_600));
        assert_eq!(parse_rfc3339("2026-01-24T17:30:00+02:00"), Some(1_769_268_600));
        assert_eq!(parse_rfc3339("2026-01-24t15:30:00.123z"), Some(1_769_268_600));
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(parse_rfc3339("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2026-01-24"), None);
        assert_eq!(parse_rfc3339("2026-01-24T15:30:00"), None);
        assert_eq!(parse_rfc3339("2026-01-24T15:30:00+2:00"), None);
        assert_eq!(parse_rfc3339("２026-01-24T15:30:00Z"), None);
    }

    #[test]
    fn display() {
        assert_eq!(date(1_769_268_600), "2026-01-24");
        assert_eq!(date_time(1_769_268_600), "2026-01-24 15:30 UTC");
        assert_eq!(date(-86_400), "1969-12-31");
        assert_eq!(age(0, 30), "just now");
        assert_eq!(age(0, 2 * 86_400 + 5), "2 days ago");
        assert_eq!(age(0, 3600), "1 hour ago");
        assert_eq!(age(100, 0), "on 1970-01-01");
    }
}

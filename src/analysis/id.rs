//! Spec IDs: the grammar chant generates and parses, and chant's own helpers for
//! groups (driver / member). Pure string functions; nothing here allocates per call
//! except where a new string is returned.
//!
//! Two notions of "member" exist in chant and both are modelled on purpose:
//! [`driver_of`] cuts at the *first* `.` followed by a digit (what chant's group
//! helpers do), while [`is_member_of`] only asks for a `<driver>.` prefix.

use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::Regex;

/// chant's own pattern for a spec ID mentioned in text (lint's coupling rule).
/// It allows one `.N` member level and matches the dated part of prefixed IDs.
pub const MENTION_PATTERN: &str = r"\b\d{4}-\d{2}-\d{2}-[0-9a-z]{3}-[0-9a-z]{3}(?:\.\d+)?\b";

/// The compiled [`MENTION_PATTERN`].
pub fn mention_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(MENTION_PATTERN).expect("constant pattern compiles"))
}

/// chant's "part of a group" test for scoring: some `.`-separated part after the first
/// is all ASCII digits (`X.1`, `X.1.2`; not `X.md`).
pub fn has_numeric_segment(id: &str) -> bool {
    id.split('.').skip(1).any(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// What a file stem or a written reference looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdShape {
    /// `[PROJECT-]YYYY-MM-DD-SEQ-RND{.N}`: what `chant add` creates.
    Dated,
    /// Any other stem, such as `001-research-churn`: valid, never generated.
    Legacy,
}

/// Classifies a local ID (no `repo:` prefix) by chant's ID grammar (chant-behaviour.md §2.2)
/// (`LOCAL = [PROJECT "-"] DATE "-" SEQ "-" RAND {"." DIGITS}`).
pub fn shape(id: &str) -> IdShape {
    if dated_parts(id).is_some() {
        IdShape::Dated
    } else {
        IdShape::Legacy
    }
}

/// The pieces of a dated ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedId<'a> {
    pub project: Option<&'a str>,
    pub date: &'a str,
    pub seq: &'a str,
    pub rand: &'a str,
    /// `.N` member numbers, outermost first.
    pub members: Vec<u32>,
}

/// Splits a dated ID into its parts, or `None` if it does not follow the grammar.
pub fn dated_parts(id: &str) -> Option<DatedId<'_>> {
    let (base, member_text) = match id.find('.') {
        Some(dot) => (&id[..dot], Some(&id[dot + 1..])),
        None => (id, None),
    };
    let mut members = Vec::new();
    if let Some(text) = member_text {
        for part in text.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            members.push(part.parse().ok()?);
        }
    }
    // The dated tail is always `YYYY-MM-DD-SEQ-RRR`; find it from the right.
    let parts: Vec<&str> = base.split('-').collect();
    if parts.len() < 5 {
        return None;
    }
    let n = parts.len();
    let (y, m, d, seq, rand) = (parts[n - 5], parts[n - 4], parts[n - 3], parts[n - 2], parts[n - 1]);
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    let base36 = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return None;
    }
    if seq.len() < 3 || !base36(seq) || rand.len() != 3 || !base36(rand) {
        return None;
    }
    let project = if n > 5 {
        let project_parts = &parts[..n - 5];
        let ok = project_parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !(p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()))
        });
        if !ok {
            return None;
        }
        let len = project_parts.iter().map(|p| p.len() + 1).sum::<usize>() - 1;
        Some(&base[..len])
    } else {
        None
    };
    let date_start = base.len() - (y.len() + m.len() + d.len() + seq.len() + rand.len() + 4);
    Some(DatedId { project, date: &base[date_start..date_start + 10], seq, rand, members })
}

/// Splits `repo:ID` (a cross-repository reference) into its two halves.
/// chant takes everything before the first `:` as the repository name, which must be
/// non-empty and `[A-Za-z0-9_-]+`.
pub fn split_repo(reference: &str) -> Option<(&str, &str)> {
    let colon = reference.find(':')?;
    let repo = &reference[..colon];
    let valid = !repo.is_empty() && repo.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    valid.then(|| (repo, &reference[colon + 1..]))
}

/// chant's `extract_driver_id`: the text before the first `.` that is followed by a
/// digit. `X.2.1` belongs to driver `X`.
pub fn driver_of(id: &str) -> Option<&str> {
    let bytes = id.as_bytes();
    (0..bytes.len())
        .find(|&i| bytes[i] == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        .map(|i| &id[..i])
}

/// chant's `extract_member_number`: the digits right after the first `.`.
pub fn member_number(id: &str) -> Option<u32> {
    let dot = id.find('.')?;
    let digits: &str = {
        let rest = &id[dot + 1..];
        let end = rest.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len());
        &rest[..end]
    };
    digits.parse().ok()
}

/// chant's `is_member_of`: `member` starts with `driver.` and has at least one more
/// character after the dot.
pub fn is_member_of(member: &str, driver: &str) -> bool {
    member.len() > driver.len() + 1 && member.starts_with(driver) && member.as_bytes()[driver.len()] == b'.'
}

/// The archive folder chant uses for an ID: its first 10 bytes (the date for dated
/// IDs). `None` when chant would panic (ID shorter than 10 bytes or the cut falls
/// inside a character).
pub fn archive_folder(id: &str) -> Option<&str> {
    id.get(..10)
}

/// Orders IDs the way members are listed: the dated base as text, then member numbers
/// numerically (`X.2` before `X.10`).
pub fn compare(a: &str, b: &str) -> Ordering {
    let split = |s: &str| -> (String, Vec<u64>) {
        match driver_of(s) {
            Some(driver) => {
                let nums =
                    s[driver.len() + 1..].split('.').map(|p| p.parse::<u64>().unwrap_or(u64::MAX)).collect();
                (driver.to_string(), nums)
            }
            None => (s.to_string(), Vec::new()),
        }
    };
    let (base_a, nums_a) = split(a);
    let (base_b, nums_b) = split(b);
    base_a.cmp(&base_b).then_with(|| nums_a.cmp(&nums_b)).then_with(|| a.cmp(b))
}

/// chant's `compare_spec_ids` (`src/spec_group.rs`), the order `chant work --chain` and a
/// driver's run take specs in (chant-behaviour.md §6.6): members by their driver's base
/// and then their member number; a driver before its own members; bases by date, then the
/// base-36 sequence as a number, then the suffix; IDs of another shape as plain text.
pub fn chant_compare(a: &str, b: &str) -> Ordering {
    match (driver_of(a), driver_of(b)) {
        (Some(da), Some(db)) => compare_base(da, db)
            .then_with(|| member_number(a).unwrap_or(u32::MAX).cmp(&member_number(b).unwrap_or(u32::MAX))),
        (Some(da), None) => match compare_base(da, b) {
            Ordering::Equal => Ordering::Greater,
            other => other,
        },
        (None, Some(db)) => match compare_base(a, db) {
            Ordering::Equal => Ordering::Less,
            other => other,
        },
        (None, None) => compare_base(a, b),
    }
}

/// chant's `compare_base_ids`: date, sequence and suffix when both IDs have them.
fn compare_base(a: &str, b: &str) -> Ordering {
    match (base_parts(a), base_parts(b)) {
        (Some(pa), Some(pb)) => pa.cmp(&pb),
        _ => a.cmp(b),
    }
}

/// chant's `parse_spec_id_parts`: at least five `-` parts; the first 10 bytes, the fourth
/// part read in base 36, the fifth part.
fn base_parts(id: &str) -> Option<(&str, u32, &str)> {
    let mut parts = id.split('-');
    let (_, _, _, seq, suffix) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let date = id.get(..10)?;
    let seq = seq.chars().try_fold(0u32, |n, c| n.checked_mul(36)?.checked_add(c.to_digit(36)?))?;
    Some((date, seq, suffix))
}

/// Levenshtein distance on characters, capped: returns `None` once it exceeds `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_ids() {
        let p = dated_parts("2026-01-22-001-x7m").expect("dated");
        assert_eq!((p.project, p.date, p.seq, p.rand), (None, "2026-01-22", "001", "x7m"));
        let p = dated_parts("auth-2026-01-27-0rs-abc.2.1").expect("dated");
        assert_eq!(p.project, Some("auth"));
        assert_eq!(p.members, vec![2, 1]);
        let p = dated_parts("my_team-x-2026-01-27-zzzz-abc").expect("4-char seq");
        assert_eq!(p.project, Some("my_team-x"));
        assert_eq!(p.seq, "zzzz");
        assert!(dated_parts("001-research-churn-drivers").is_none());
        assert!(dated_parts("2026-01-22-001-X7M").is_none());
        assert!(dated_parts("2026-01-22-001-x7m.").is_none());
        assert!(dated_parts("2026-01-22-001-x7m.a").is_none());
        assert!(dated_parts("1999-2026-01-22-001-x7m").is_none());
        assert_eq!(shape("README"), IdShape::Legacy);
    }

    #[test]
    fn group_helpers_follow_chant() {
        assert_eq!(driver_of("X.2.1"), Some("X"));
        assert_eq!(driver_of("X.abc"), None);
        assert_eq!(member_number("X.2.1"), Some(2));
        assert!(is_member_of("X.abc", "X"));
        assert!(!is_member_of("X.", "X"));
        assert!(!is_member_of("XY.1", "X"));
        assert_eq!(split_repo("backend:2026-01-27-001-abc"), Some(("backend", "2026-01-27-001-abc")));
        assert_eq!(split_repo(":x"), None);
        assert_eq!(split_repo("a b:x"), None);
    }

    #[test]
    fn ordering_and_distance() {
        let mut ids = vec!["X.10", "X.2", "X", "X.1"];
        ids.sort_by(|a, b| compare(a, b));
        assert_eq!(ids, vec!["X", "X.1", "X.2", "X.10"]);
        assert_eq!(edit_distance("kitten", "sitting", 3), Some(3));
        assert_eq!(edit_distance("kitten", "sitting", 2), None);
        assert_eq!(archive_folder("2026-01-22-001-x7m"), Some("2026-01-22"));
        assert_eq!(archive_folder("short"), None);
    }

    #[test]
    fn mention_regex_is_chants() {
        let found: Vec<&str> = mention_regex()
            .find_iter("see 2026-01-22-001-x7m.2 and auth-2026-01-27-001-abc, not 2026-01-22-0001-x7m")
            .map(|m| m.as_str())
            .collect();
        assert_eq!(found, vec!["2026-01-22-001-x7m.2", "2026-01-27-001-abc"]);
    }
}

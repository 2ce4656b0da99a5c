//! A strict reader for the plain YAML most frontmatter is written in (`key: value`,
//! block or one-line flow lists of plain words). It answers only when it can be sure
//! serde_yaml would read the same [`Frontmatter`]; for anything else (quotes, maps,
//! non-ASCII, tabs, odd tokens, errors) it returns `None` and the caller asks
//! serde_yaml. A differential test compares both on generated input.
//!
//! Why: serde_yaml (libyaml underneath) is the single largest cost of a workspace
//! check, and this reader is several times cheaper on the common case.

use super::frontmatter::{Frontmatter, SpecType, Status, VerificationStatus};

/// A value as written: one plain scalar, or a list of plain scalars.
enum Raw<'a> {
    /// Nothing after the colon and no list below.
    Empty,
    Scalar(&'a str),
    List(Vec<&'a str>),
}

/// Letters, digits and `_ . / + -`, with single `:` and single spaces inside; never a
/// YAML indicator at the start, never `: ` / ` #`, never trailing space.
fn plain(token: &str) -> bool {
    let b = token.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if !(first.is_ascii_alphanumeric() || matches!(first, b'_' | b'.' | b'/' | b'+')) {
        return false;
    }
    let word = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'+' | b'-');
    for (i, &c) in b.iter().enumerate() {
        let next = b.get(i + 1).copied();
        let ok = match c {
            b':' | b' ' => next.is_some_and(word) && i > 0 && word(b[i - 1]),
            c => word(c),
        };
        if !ok {
            return false;
        }
    }
    true
}

fn is_null(s: &str) -> bool {
    matches!(s, "null" | "Null" | "NULL")
}

/// Drops a ` # comment` and trailing spaces (neither belongs to a plain scalar).
fn strip_comment(v: &str) -> &str {
    match v.find(" #") {
        Some(i) => v[..i].trim_end_matches(' '),
        None => v.trim_end_matches(' '),
    }
}

/// `[a, b, c]` on one line.
fn flow_list(v: &str) -> Option<Vec<&str>> {
    let inner = v.strip_prefix('[')?.strip_suffix(']')?;
    if inner.trim_matches(' ').is_empty() {
        return Some(Vec::new());
    }
    let parts: Vec<&str> = inner.split(',').map(|p| p.trim_matches(' ')).collect();
    let n = parts.len();
    let mut items = Vec::with_capacity(n);
    for (i, p) in parts.into_iter().enumerate() {
        if p.is_empty() && i == n - 1 && n > 1 {
            continue; // a trailing comma
        }
        if !plain(p) {
            return None;
        }
        items.push(p);
    }
    Some(items)
}

/// Reads `yaml` if it stays inside the simple subset; `None` means "ask serde_yaml".
pub fn parse(yaml: &str) -> Option<Frontmatter> {
    if !yaml.is_ascii() {
        return None;
    }
    let mut entries: Vec<(&str, Raw)> = Vec::with_capacity(12);
    let mut list_indent: Option<usize> = None;
    let mut keys: Option<std::collections::HashSet<&str>> = None;
    for line in yaml.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return None;
        }
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if let Some(item) = content.strip_prefix('-') {
            // A block list item: belongs to the last key, which had no inline value.
            let (_, raw) = entries.last_mut()?;
            match (raw, list_indent) {
                (raw @ Raw::Empty, None) => {
                    *raw = Raw::List(Vec::new());
                    list_indent = Some(indent);
                }
                (Raw::List(_), Some(i)) if i == indent => {}
                _ => return None,
            }
            let Some((_, Raw::List(items))) = entries.last_mut() else {
                return None;
            };
            let item = if item.is_empty() {
                ""
            } else {
                let v = strip_comment(item.strip_prefix(' ')?.trim_start_matches(' '));
                if !plain(v) {
                    return None;
                }
                v
            };
            items.push(item);
            continue;
        }
        if indent != 0 {
            return None;
        }
        list_indent = None;
        let colon = content.find(':')?;
        let key = &content[..colon];
        if key.is_empty() || !key.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
            return None;
        }
        let rest = &content[colon + 1..];
        let raw = if rest.trim_start_matches(' ').is_empty() || rest.trim_start_matches(' ').starts_with('#')
        {
            Raw::Empty
        } else {
            let v = strip_comment(rest.strip_prefix(' ')?.trim_start_matches(' '));
            if v.starts_with('[') {
                Raw::List(flow_list(v)?)
            } else if plain(v) {
                Raw::Scalar(v)
            } else {
                return None;
            }
        };
        // A scan while there are few keys; a set once there are many (a scan per key
        // would be quadratic).
        let duplicate = match &mut keys {
            Some(keys) => !keys.insert(key),
            None if entries.len() < 16 => entries.iter().any(|(k, _)| *k == key),
            None => {
                let set =
                    keys.insert(entries.iter().map(|(k, _)| *k).collect::<std::collections::HashSet<&str>>());
                !set.insert(key)
            }
        };
        if duplicate {
            return None; // duplicates: serde decides
        }
        entries.push((key, raw));
    }
    build(entries)
}

fn string(raw: &Raw) -> Option<Option<String>> {
    match raw {
        Raw::Empty => Some(None),
        Raw::Scalar(s) if is_null(s) => Some(None),
        Raw::Scalar(s) => Some(Some(s.to_string())),
        Raw::List(_) => None,
    }
}

fn list(raw: &Raw) -> Option<Option<Vec<String>>> {
    match raw {
        Raw::Empty => Some(None),
        Raw::Scalar(s) if is_null(s) => Some(None),
        Raw::Scalar(_) => None,
        Raw::List(items) => Some(Some(items.iter().map(|s| s.to_string()).collect())),
    }
}

fn scalar<'a>(raw: &Raw<'a>) -> Option<&'a str> {
    match raw {
        Raw::Scalar(s) => Some(s),
        _ => None,
    }
}

fn build(entries: Vec<(&str, Raw)>) -> Option<Frontmatter> {
    let mut fm = Frontmatter::default();
    for (key, raw) in &entries {
        match *key {
            "type" => {
                fm.kind = match scalar(raw)? {
                    "code" => SpecType::Code,
                    "task" => SpecType::Task,
                    "driver" => SpecType::Driver,
                    "documentation" => SpecType::Documentation,
                    "research" => SpecType::Research,
                    "group" => SpecType::Group,
                    _ => return None,
                }
            }
            "status" => {
                let s = scalar(raw)?;
                let i = Status::ALL.iter().position(|v| *v == s)?;
                fm.status = [
                    Status::Pending,
                    Status::InProgress,
                    Status::Paused,
                    Status::Completed,
                    Status::Failed,
                    Status::NeedsAttention,
                    Status::Ready,
                    Status::Blocked,
                    Status::Cancelled,
                ][i];
            }
            "verification_status" => {
                fm.verification_status = match raw {
                    Raw::Empty => None,
                    Raw::Scalar("passed") => Some(VerificationStatus::Passed),
                    Raw::Scalar("failed") => Some(VerificationStatus::Failed),
                    Raw::Scalar("partial") => Some(VerificationStatus::Partial),
                    _ => return None,
                }
            }
            "depends_on" => {
                fm.depends_on = match raw {
                    // A lone value goes through `deserialize_any`, where YAML resolves
                    // numbers and booleans: only dated IDs are certainly strings.
                    Raw::Scalar(s) if super::id::dated_parts(s).is_some() => Some(vec![s.to_string()]),
                    Raw::Scalar(s) if !is_null(s) => return None,
                    r => list(r)?,
                }
            }
            "labels" => fm.labels = list(raw)?,
            "target_files" => fm.target_files = list(raw)?,
            "context" => fm.context = list(raw)?,
            "commits" => fm.commits = list(raw)?,
            "tracks" => fm.tracks = list(raw)?,
            "informed_by" => fm.informed_by = list(raw)?,
            "origin" => fm.origin = list(raw)?,
            "conflicting_files" => fm.conflicting_files = list(raw)?,
            "blocked_specs" => fm.blocked_specs = list(raw)?,
            "verification_failures" => fm.verification_failures = list(raw)?,
            "derived_fields" => fm.derived_fields = list(raw)?,
            "members" => fm.members = list(raw)?,
            "prompt" => fm.prompt = string(raw)?,
            "branch" => fm.branch = string(raw)?,
            "completed_at" => fm.completed_at = string(raw)?,
            "model" => fm.model = string(raw)?,
            "schedule" => fm.schedule = string(raw)?,
            "source_branch" => fm.source_branch = string(raw)?,
            "target_branch" => fm.target_branch = string(raw)?,
            "original_spec" => fm.original_spec = string(raw)?,
            "last_verified" => fm.last_verified = string(raw)?,
            "replayed_at" => fm.replayed_at = string(raw)?,
            "original_completed_at" => fm.original_completed_at = string(raw)?,
            "output_schema" => fm.output_schema = string(raw)?,
            // Typed fields this reader does not model: serde decides.
            "public" | "replay_count" | "approval" | "retry_state" => return None,
            // Unknown keys are ignored by chant (their simple value parsed fine).
            _ => {}
        }
    }
    Some(fm)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random frontmatter from tricky pieces: whenever the simple reader answers, serde_yaml
    /// must accept the same text and produce the same struct.
    #[test]
    fn agrees_with_serde_yaml() {
        let keys = [
            "type",
            "status",
            "depends_on",
            "labels",
            "target_files",
            "prompt",
            "model",
            "completed_at",
            "members",
            "verification_status",
            "public",
            "team",
            "Status",
            "x-y",
            "commits",
        ];
        let scalars = [
            "code",
            "pending",
            "completed",
            "2026-01-01-001-abc",
            "pending   ",
            "in_progress",
            "ready",
            "passed",
            "null",
            "Null",
            "~",
            "true",
            "12",
            "001",
            "0e12345",
            "1e3",
            "-1",
            "+1",
            ".5",
            "a b",
            "a  b",
            "x:y",
            "x: y",
            "a#b",
            "a #b",
            "2026-01-01T12:00:00Z",
            "src/x.rs",
            "'q'",
            "\"q\"",
            "[a, b]",
            "[a,b]",
            "[a, ]",
            "[ , a]",
            "[]",
            "[a: b]",
            "[a #b]",
            "{}",
            "-x",
            "- x",
            "?",
            "x?",
            "@x",
            "`x",
            "%x",
            "&a x",
            "*a",
            "!t x",
            "|",
            ">",
            "a]",
            "é",
            "a\tb",
            "",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut answered = 0;
        for _ in 0..20_000 {
            let mut yaml = String::new();
            for _ in 0..1 + next(5) {
                let key = keys[next(keys.len())];
                match next(4) {
                    0 => {
                        yaml.push_str(&format!("{key}:\n"));
                        let indent = [" ", "", "  "][next(3)];
                        for _ in 0..next(4) {
                            let v = scalars[next(scalars.len())];
                            yaml.push_str(&format!("{indent}- {v}\n"));
                        }
                    }
                    1 => yaml.push_str(&format!("{key}: {} # c\n", scalars[next(scalars.len())])),
                    2 => yaml.push_str("# comment\n\n"),
                    _ => yaml.push_str(&format!("{key}: {}\n", scalars[next(scalars.len())])),
                }
            }
            let fast = parse(&yaml);
            let slow = serde_yaml::from_str::<Frontmatter>(&yaml);
            if let Some(fm) = fast {
                answered += 1;
                match slow {
                    Ok(s) => assert_eq!(fm, s, "{yaml:?}"),
                    Err(e) => panic!("simple reader accepted what serde rejects ({e}): {yaml:?}"),
                }
            }
        }
        assert!(answered > 2_000, "the simple reader should answer often: {answered}");
    }

    #[test]
    fn typical_frontmatter() {
        let yaml = "\ntype: code\nstatus: completed\ndepends_on:\n- 2026-01-01-001-abc\nlabels: [api, ui]\ntarget_files:\n  - src/a.rs\ncompleted_at: 2026-01-01T12:00:00Z\nmodel: haiku\n";
        let fm = parse(yaml).expect("simple");
        assert_eq!(Ok(fm), serde_yaml::from_str::<Frontmatter>(yaml).map_err(|e| e.to_string()));
        assert!(parse("status: \"pending\"\n").is_none());
        assert!(parse("approval:\n  required: true\n").is_none());
    }
}

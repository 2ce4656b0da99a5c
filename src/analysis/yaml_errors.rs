//! serde_yaml's errors, located: each failing field lands on its value (or list
//! item), each syntax error on its place, classified for the rules.

use std::ops::Range;

use super::frontmatter::{YamlError, YamlErrorKind};
use super::layout::{Layout, Value};

/// Turns a serde_yaml error (from parsing text starting at `base`) into a located,
/// classified error. Field errors land on the field's value (or list item).
pub(crate) fn locate(err: &serde_yaml::Error, base: usize, text: &str, layout: &Layout) -> YamlError {
    locate_mapped(err, &|i| base + i, text, layout)
}

/// [`locate`] for an error in text that was not a plain slice of `text`: `to_text`
/// turns serde_yaml's offset into one in `text`.
pub(crate) fn locate_mapped(
    err: &serde_yaml::Error,
    to_text: &dyn Fn(usize) -> usize,
    text: &str,
    layout: &Layout,
) -> YamlError {
    let full = err.to_string();
    let detail = strip_position(&full);
    let at = to_text(err.location().map_or(0, |l| l.index())).min(text.len());
    let (path, rest) = split_path(&detail);
    let point = |at: usize| at..next_char(text, at);
    let kind;
    let mut range = point(at);
    if let Some(key) = rest.strip_prefix("duplicate field `").and_then(|r| r.split('`').next()) {
        let mut all = layout.all(key);
        let first = all.next().map(|e| e.key_range.clone());
        if let Some(second) = all.next() {
            range = second.key_range.clone();
        }
        kind = YamlErrorKind::DuplicateKey { key: key.to_string(), first };
    } else if let Some(r) = rest.strip_prefix("unknown variant `") {
        let value = r.split('`').next().unwrap_or_default().to_string();
        let path = path.unwrap_or_default().to_string();
        range = value_range(layout, &path, at).unwrap_or(range);
        kind = YamlErrorKind::UnknownVariant { path, value };
    } else if let Some(r) = rest.strip_prefix("invalid type: ") {
        let (found, expected) = r.split_once(", expected ").unwrap_or((r, ""));
        let path = path.unwrap_or_default().to_string();
        range = value_range(layout, &path, at).unwrap_or(range);
        kind = YamlErrorKind::InvalidType { path, found: found.to_string(), expected: expected.to_string() };
    } else if let Some(r) = rest.strip_prefix("missing field `") {
        let field = r.split('`').next().unwrap_or_default().to_string();
        let path = path.unwrap_or_default().to_string();
        range = value_range(layout, &path, at).unwrap_or(range);
        kind = YamlErrorKind::MissingField { path, field };
    } else if path.is_none() && err.location().is_some() && !rest.contains("invalid value") {
        kind = YamlErrorKind::Syntax;
    } else {
        let path = path.map(str::to_string);
        if let Some(p) = &path {
            range = value_range(layout, p, at).unwrap_or(range);
        }
        kind = YamlErrorKind::Other { path };
    }
    YamlError { kind, range, detail }
}

/// The value (or, inside a list, the item) a field path points at.
fn value_range(layout: &Layout, path: &str, at: usize) -> Option<Range<usize>> {
    let base = path.split('[').next().unwrap_or(path);
    let mut parts = base.split('.');
    let top = layout.get(parts.next()?)?;
    let mut value = &top.value;
    let mut key_range = top.key_range.clone();
    for part in parts {
        let Value::Map { entries, .. } = value else {
            break;
        };
        let e = entries.iter().find(|e| e.key == part)?;
        value = &e.value;
        key_range = e.key_range.clone();
    }
    if let Value::Seq(seq) = value {
        if let Some(item) = seq.items.iter().find(|i| i.range.contains(&at)) {
            return Some(item.range.clone());
        }
    }
    let r = value.range();
    Some(if r.is_empty() { key_range } else { r })
}

/// serde_yaml messages start with the field path (`status: …`, `approval.status: …`,
/// `labels[1]: …`) when the error is about a field.
fn split_path(detail: &str) -> (Option<&str>, &str) {
    if let Some((head, rest)) = detail.split_once(": ") {
        let is_path = !head.is_empty()
            && head
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']' | b'-'));
        if is_path && !matches!(head, "invalid type" | "unknown variant" | "missing field") {
            return (Some(head), rest);
        }
    }
    (None, detail)
}

/// Drops serde_yaml's ` at line N column M` parts: positions are reported as ranges.
fn strip_position(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let skip = tail
            .find(" column ")
            .map(|c| c + " column ".len())
            .map(|c| c + tail[c..].bytes().take_while(u8::is_ascii_digit).count())
            .unwrap_or(0);
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn next_char(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

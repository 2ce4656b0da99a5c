//! The typed frontmatter, parsed with serde_yaml into a struct that accepts and
//! rejects exactly what chant v0.23.2's `SpecFrontmatter` does (field names, enum
//! values, list-vs-scalar shapes, defaults). This is the only module that calls
//! serde_yaml on spec frontmatter (the crate is archived upstream: keep it contained).
//!
//! chant stops at the first error and says only "Failed to parse spec frontmatter".
//! We report every failing field at its own place: when the whole block fails, each
//! top-level entry is parsed on its own, and the entries that parse make up a
//! best-effort frontmatter so the other checks still run.

use std::ops::Range;

use serde::Deserialize;

use super::layout::{Layout, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecType {
    #[default]
    Code,
    Task,
    Driver,
    Documentation,
    Research,
    Group,
}

impl SpecType {
    pub const ALL: [&'static str; 6] = ["code", "task", "driver", "documentation", "research", "group"];

    pub fn as_str(self) -> &'static str {
        Self::ALL[self as usize]
    }

    /// `driver` and `group` behave the same in chant.
    pub fn is_driver(self) -> bool {
        matches!(self, SpecType::Driver | SpecType::Group)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Pending,
    InProgress,
    Paused,
    Completed,
    Failed,
    NeedsAttention,
    Ready,
    Blocked,
    Cancelled,
}

impl Status {
    pub const ALL: [&'static str; 9] = [
        "pending",
        "in_progress",
        "paused",
        "completed",
        "failed",
        "needs_attention",
        "ready",
        "blocked",
        "cancelled",
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    Passed,
    Failed,
    Partial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    #[default]
    Pending,
    Approved,
    Rejected,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Approval {
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub status: ApprovalStatus,
    pub by: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RetryState {
    pub attempts: usize,
    pub last_retry_time: u64,
    pub next_retry_time: u64,
}

/// chant's `SpecFrontmatter`, field for field. Unknown keys are ignored, as in chant.
/// The frontmatter chant reads from a spec file's text (its split, then serde), or
/// `None` when chant cannot read it.
pub fn chant_reads(text: &str) -> Option<Frontmatter> {
    let yaml = super::split::split(text).yaml?;
    serde_yaml::from_str(&text[yaml]).ok()
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Frontmatter {
    #[serde(default, rename = "type")]
    pub kind: SpecType,
    #[serde(default)]
    pub status: Status,
    #[serde(default, deserialize_with = "one_or_many")]
    pub depends_on: Option<Vec<String>>,
    pub labels: Option<Vec<String>>,
    pub target_files: Option<Vec<String>>,
    pub context: Option<Vec<String>>,
    pub prompt: Option<String>,
    pub branch: Option<String>,
    pub commits: Option<Vec<String>>,
    pub completed_at: Option<String>,
    pub model: Option<String>,
    pub tracks: Option<Vec<String>>,
    pub informed_by: Option<Vec<String>>,
    pub origin: Option<Vec<String>>,
    pub schedule: Option<String>,
    pub source_branch: Option<String>,
    pub target_branch: Option<String>,
    pub conflicting_files: Option<Vec<String>>,
    pub blocked_specs: Option<Vec<String>>,
    pub original_spec: Option<String>,
    pub last_verified: Option<String>,
    pub verification_status: Option<VerificationStatus>,
    pub verification_failures: Option<Vec<String>>,
    pub replayed_at: Option<String>,
    pub replay_count: Option<u32>,
    pub original_completed_at: Option<String>,
    pub derived_fields: Option<Vec<String>>,
    pub approval: Option<Approval>,
    pub members: Option<Vec<String>>,
    pub output_schema: Option<String>,
    pub public: Option<bool>,
    pub retry_state: Option<RetryState>,
}

/// `depends_on` alone accepts a single string as well as a list.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    struct Visit;
    impl<'de> serde::de::Visitor<'de> for Visit {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a spec ID or a list of spec IDs")
        }
        fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(vec![s.to_string()]))
        }
        fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<String>()? {
                out.push(item);
            }
            Ok(Some(out))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Visit)
}

/// chant's `normalize_model_name`: values naming a Claude family collapse to it.
pub fn normalize_model(model: &str) -> String {
    let lower = model.to_lowercase();
    for family in ["opus", "sonnet", "haiku"] {
        if lower.contains(family) {
            return family.to_string();
        }
    }
    model.to_string()
}

/// Every key chant's struct knows, in chant's save order.
pub const KNOWN_KEYS: [&str; 32] = [
    "type",
    "status",
    "depends_on",
    "labels",
    "target_files",
    "context",
    "prompt",
    "branch",
    "commits",
    "completed_at",
    "model",
    "tracks",
    "informed_by",
    "origin",
    "schedule",
    "source_branch",
    "target_branch",
    "conflicting_files",
    "blocked_specs",
    "original_spec",
    "last_verified",
    "verification_status",
    "verification_failures",
    "replayed_at",
    "replay_count",
    "original_completed_at",
    "derived_fields",
    "approval",
    "members",
    "output_schema",
    "public",
    "retry_state",
];

/// chant's `has_frontmatter_field`, used by the `enterprise.required` lint rule:
/// `type` and `status` always pass, `public`, `retry_state`, `derived_fields` and
/// every custom name never do, other known fields pass when present and non-null.
pub fn has_field(fm: &Frontmatter, name: &str) -> bool {
    match name {
        "type" | "status" => true,
        "depends_on" => fm.depends_on.is_some(),
        "labels" => fm.labels.is_some(),
        "target_files" => fm.target_files.is_some(),
        "context" => fm.context.is_some(),
        "prompt" => fm.prompt.is_some(),
        "branch" => fm.branch.is_some(),
        "commits" => fm.commits.is_some(),
        "completed_at" => fm.completed_at.is_some(),
        "model" => fm.model.is_some(),
        "tracks" => fm.tracks.is_some(),
        "informed_by" => fm.informed_by.is_some(),
        "origin" => fm.origin.is_some(),
        "schedule" => fm.schedule.is_some(),
        "source_branch" => fm.source_branch.is_some(),
        "target_branch" => fm.target_branch.is_some(),
        "conflicting_files" => fm.conflicting_files.is_some(),
        "blocked_specs" => fm.blocked_specs.is_some(),
        "original_spec" => fm.original_spec.is_some(),
        "last_verified" => fm.last_verified.is_some(),
        "verification_status" => fm.verification_status.is_some(),
        "verification_failures" => fm.verification_failures.is_some(),
        "replayed_at" => fm.replayed_at.is_some(),
        "replay_count" => fm.replay_count.is_some(),
        "original_completed_at" => fm.original_completed_at.is_some(),
        "approval" => fm.approval.is_some(),
        "members" => fm.members.is_some(),
        "output_schema" => fm.output_schema.is_some(),
        _ => false,
    }
}

/// Why chant cannot read a frontmatter block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// Not valid YAML at all.
    Syntax,
    /// An enum field holds a value outside its set (`path` like `status` or
    /// `approval.status`). `value` is empty for `status:` with nothing after it.
    UnknownVariant {
        path: String,
        value: String,
    },
    /// A value of the wrong shape, such as a string where a list is required.
    InvalidType {
        path: String,
        found: String,
        expected: String,
    },
    DuplicateKey {
        key: String,
        first: Option<Range<usize>>,
    },
    MissingField {
        path: String,
        field: String,
    },
    Other {
        path: Option<String>,
    },
}

/// One reason chant cannot read the frontmatter, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub range: Range<usize>,
    /// serde_yaml's own text, without the position suffix.
    pub detail: String,
}

/// The result of reading a frontmatter block: never fails.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// What chant reads when `errors` is empty; otherwise the fields that parse on
    /// their own (chant itself sees nothing of an unreadable spec).
    pub fm: Frontmatter,
    pub errors: Vec<YamlError>,
}

/// Parses `text[yaml]` (the block between the fences) with chant's acceptance.
pub fn parse(text: &str, yaml: Range<usize>, layout: &Layout) -> Parsed {
    let src = &text[yaml.clone()];
    if let Some(mut fm) = super::simple_yaml::parse(src) {
        fm.model = fm.model.map(|m| normalize_model(&m));
        return Parsed { fm, errors: Vec::new() };
    }
    match serde_yaml::from_str::<Frontmatter>(src) {
        Ok(mut fm) => {
            fm.model = fm.model.map(|m| normalize_model(&m));
            Parsed { fm, errors: Vec::new() }
        }
        Err(whole) => recover(text, yaml, layout, &whole),
    }
}

fn recover(text: &str, yaml: Range<usize>, layout: &Layout, whole: &serde_yaml::Error) -> Parsed {
    let mut errors = Vec::new();
    let mut good = String::new();
    let mut seen: Vec<&str> = Vec::new();
    for entry in &layout.entries {
        let slice = &text[entry.lines.clone()];
        match serde_yaml::from_str::<Frontmatter>(slice) {
            Ok(_) => {
                if seen.contains(&entry.key.as_str()) {
                    continue;
                }
                good.push_str(slice);
                if !slice.ends_with('\n') {
                    good.push('\n');
                }
                seen.push(&entry.key);
            }
            Err(e) => {
                let mut err = locate(&e, entry.lines.start, text, layout);
                // "Unexpected end" errors point past the entry: keep them on it.
                if err.range.start >= entry.range.end && entry.range.end > entry.range.start {
                    let last = text[..entry.range.end].char_indices().last().map_or(0, |(i, _)| i);
                    err.range = last..entry.range.end;
                }
                errors.push(err)
            }
        }
    }
    // Errors that no single entry shows: duplicates, stray lines, bad indentation.
    let whole_err = locate(whole, yaml.start, text, layout);
    let covered = errors.iter().any(|e| e.detail == whole_err.detail)
        || layout.entries.iter().any(|e| {
            e.lines.contains(&whole_err.range.start)
                && errors.iter().any(|x| e.lines.contains(&x.range.start))
        });
    if !covered {
        errors.push(whole_err);
    }
    let mut fm = serde_yaml::from_str::<Frontmatter>(&good).unwrap_or_default();
    fm.model = fm.model.map(|m| normalize_model(&m));
    errors.sort_by_key(|e| (e.range.start, e.range.end));
    errors.dedup_by(|a, b| a.range == b.range && a.detail == b.detail);
    Parsed { fm, errors }
}

/// Turns a serde_yaml error (from parsing text starting at `base`) into a located,
/// classified error. Field errors land on the field's value (or list item).
pub(crate) fn locate(err: &serde_yaml::Error, base: usize, text: &str, layout: &Layout) -> YamlError {
    let full = err.to_string();
    let detail = strip_position(&full);
    let at = err.location().map(|l| base + l.index()).unwrap_or(base).min(text.len());
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

fn next_char(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::layout;

    fn run(yaml: &str) -> Parsed {
        let layout = layout::scan(yaml, 0..yaml.len());
        parse(yaml, 0..yaml.len(), &layout)
    }

    fn errors(yaml: &str) -> Vec<String> {
        run(yaml)
            .errors
            .iter()
            .map(|e| format!("{:?} {:?} {:?}", e.kind, &yaml[e.range.clone()], e.detail))
            .collect()
    }

    #[test]
    fn accepts_what_chant_accepts() {
        let p = run("type: research\nstatus: completed\ndepends_on: 001\nlabels: [1, true]\ncommits: [0e12345]\nmodel: claude-opus-4-5\napproval: {}\n");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.fm.kind, SpecType::Research);
        assert_eq!(p.fm.depends_on, Some(vec!["001".to_string()]));
        assert_eq!(p.fm.labels, Some(vec!["1".to_string(), "true".to_string()]));
        assert_eq!(p.fm.commits, Some(vec!["0e12345".to_string()]));
        assert_eq!(p.fm.model.as_deref(), Some("opus"));
        assert_eq!(p.fm.approval, Some(Approval::default()));
    }

    #[test]
    fn every_bad_field_is_reported_where_it_is() {
        expect_test::expect![[r#"
            [
                "UnknownVariant { path: \"type\", value: \"conflict\" } \"conflict\" \"type: unknown variant `conflict`, expected one of `code`, `task`, `driver`, `documentation`, `research`, `group`\"",
                "UnknownVariant { path: \"status\", value: \"\" } \"status\" \"status: unknown variant ``, expected one of `pending`, `in_progress`, `paused`, `completed`, `failed`, `needs_attention`, `ready`, `blocked`, `cancelled`\"",
                "InvalidType { path: \"labels\", found: \"string \\\"ui\\\"\", expected: \"a sequence\" } \"ui\" \"labels: invalid type: string \\\"ui\\\", expected a sequence\"",
                "InvalidType { path: \"public\", found: \"string \\\"yes\\\"\", expected: \"a boolean\" } \"yes\" \"public: invalid type: string \\\"yes\\\", expected a boolean\"",
            ]
        "#]]
        .assert_debug_eq(&errors("type: conflict\nstatus:\nlabels: ui\npublic: yes\nprompt: standard\n"));
        let p = run("type: conflict\nprompt: standard\n");
        assert_eq!(p.fm.prompt.as_deref(), Some("standard"));
    }

    #[test]
    fn duplicates_and_syntax() {
        expect_test::expect![[r#"
            [
                "DuplicateKey { key: \"status\", first: Some(0..6) } \"status\" \"duplicate field `status`\"",
            ]
        "#]]
        .assert_debug_eq(&errors("status: pending\ntype: code\nstatus: completed\n"));
        expect_test::expect![[r#"
            [
                "Syntax \"b\" \"did not find expected ',' or ']', while parsing a flow sequence\"",
            ]
        "#]]
        .assert_debug_eq(&errors("depends_on: [a, b\nstatus: pending\n"));
        expect_test::expect![[r#"
            [
                "UnknownVariant { path: \"approval.status\", value: \"ok\" } \"ok\" \"approval.status: unknown variant `ok`, expected one of `pending`, `approved`, `rejected`\"",
            ]
        "#]]
        .assert_debug_eq(&errors("approval:\n  required: true\n  status: ok\n"));
    }
}

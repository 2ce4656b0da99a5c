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

use super::layout::{Entry, Layout};
use super::yaml_errors::{locate, locate_mapped, next_char};
use super::yaml_guard::{self, Unread, MAX_DEPTH};

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
    let parsed = parse(text, yaml.clone(), &super::layout::scan(text, yaml));
    parsed.errors.is_empty().then_some(parsed.fm)
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
    /// A value nested deeper than [`yaml_guard::MAX_DEPTH`] levels under a key chant
    /// reads: no value of any of chant's fields nests that deep, so chant fails on it
    /// (chant-lsp does not hand it to serde_yaml, see [`yaml_guard`]).
    TooDeep {
        path: String,
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

/// A top-level value chant-lsp did not read (chant reads the spec regardless): nested
/// too deep under a key chant ignores, or aliases that could expand too far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadValue {
    pub key: String,
    pub key_range: Range<usize>,
    pub reason: Unread,
}

/// The result of reading a frontmatter block: never fails.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// What chant reads when `errors` is empty; otherwise the fields that parse on
    /// their own (chant itself sees nothing of an unreadable spec).
    pub fm: Frontmatter,
    pub errors: Vec<YamlError>,
    pub unread: Vec<UnreadValue>,
    /// Bytes handed to serde_yaml (tests measure the work with it).
    pub serde_bytes: usize,
}

/// Parses `text[yaml]` (the block between the fences) with chant's acceptance.
pub fn parse(text: &str, yaml: Range<usize>, layout: &Layout) -> Parsed {
    let src = &text[yaml.clone()];
    if let Some(mut fm) = super::simple_yaml::parse(src) {
        fm.model = fm.model.map(|m| normalize_model(&m));
        return Parsed { fm, ..Parsed::default() };
    }
    let guard = yaml_guard::check(text, yaml.clone(), layout, &KNOWN_KEYS);
    if guard.is_clean() {
        return serde_parse(text, yaml, layout, None);
    }
    if let Some(reason) = guard.stray {
        // Outside every key: the block as a whole is what is too deep (or full of
        // aliases), and no struct of chant's reads that.
        let (Unread::TooDeep { at } | Unread::Aliases { at, .. }) = reason;
        let detail = match reason {
            Unread::TooDeep { .. } => format!("nested deeper than {MAX_DEPTH} levels outside any key (chant-lsp did not read the frontmatter further)"),
            Unread::Aliases { count, .. } => format!("{count} aliases outside any key could expand past {} MB (chant-lsp did not read the frontmatter further)", yaml_guard::ALIAS_BUDGET >> 20),
        };
        let range = at..next_char(text, at);
        return Parsed {
            errors: vec![YamlError { kind: YamlErrorKind::Syntax, range, detail }],
            ..Parsed::default()
        };
    }
    // serde_yaml reads the rest: the block without the values it must not see.
    let mut parsed = serde_parse(text, yaml, layout, Some(&guard));
    for &(i, reason) in &guard.entries {
        let e = &layout.entries[i];
        let known = KNOWN_KEYS.contains(&e.key.as_str());
        match reason {
            Unread::TooDeep { at } if known => {
                let start = e.value.range().start.min(at);
                parsed.errors.push(YamlError {
                    kind: YamlErrorKind::TooDeep { path: e.key.clone() },
                    range: start..next_char(text, at),
                    detail: format!("`{}` is nested deeper than {MAX_DEPTH} levels", e.key),
                });
            }
            Unread::TooDeep { .. } if guard.unclosed.is_some_and(|u| e.lines.contains(&u)) => {
                // Never closed: chant fails on the whole block, whatever the key.
                let at = guard.unclosed.unwrap_or(e.lines.start);
                parsed.errors.push(YamlError {
                    kind: YamlErrorKind::Syntax,
                    range: at..next_char(text, at),
                    detail: format!(
                        "this `{}` is never closed (and nests deeper than {MAX_DEPTH} levels)",
                        &text[at..next_char(text, at)]
                    ),
                });
            }
            _ => {
                parsed.unread.push(UnreadValue { key: e.key.clone(), key_range: e.key_range.clone(), reason })
            }
        }
    }
    parsed.errors.sort_by_key(|e| (e.range.start, e.range.end));
    parsed
}

/// serde_yaml on the block (without the entries `guard` leaves out), then on each
/// top-level entry when the block fails.
fn serde_parse(text: &str, yaml: Range<usize>, layout: &Layout, guard: Option<&yaml_guard::Guard>) -> Parsed {
    let compact = guard.map(|g| g.without_entries(text, yaml.clone(), layout));
    let src = compact.as_ref().map_or(&text[yaml.clone()], |c| c.text.as_str());
    let parsed = match serde_yaml::from_str::<Frontmatter>(src) {
        Ok(mut fm) => {
            fm.model = fm.model.map(|m| normalize_model(&m));
            Parsed { fm, ..Parsed::default() }
        }
        Err(whole) => {
            let whole = match &compact {
                Some(c) => locate_mapped(&whole, &|i| c.original(i), text, layout),
                None => locate(&whole, yaml.start, text, layout),
            };
            let skipped: Vec<usize> =
                guard.map(|g| g.entries.iter().map(|(i, _)| *i).collect()).unwrap_or_default();
            recover(text, layout, whole, &skipped)
        }
    };
    Parsed { serde_bytes: parsed.serde_bytes + src.len(), ..parsed }
}

/// Every failing entry on its own, and a best-effort frontmatter of the entries that
/// parse. The entry the whole block failed on is not parsed again: its error is the
/// block's.
fn recover(text: &str, layout: &Layout, whole_err: YamlError, skipped: &[usize]) -> Parsed {
    let mut errors = Vec::new();
    let mut good = String::new();
    let mut serde_bytes = 0;
    let mut seen: super::hash::SmallMap<()> = Default::default();
    let entry_at = |at: usize| {
        let i = layout.entries.partition_point(|e| e.lines.start <= at).checked_sub(1)?;
        layout.entries[i].lines.contains(&at).then_some(i)
    };
    // A field error names its top-level key: the entry of that key failed on its own.
    let field = match &whole_err.kind {
        YamlErrorKind::UnknownVariant { path, .. }
        | YamlErrorKind::InvalidType { path, .. }
        | YamlErrorKind::MissingField { path, .. }
        | YamlErrorKind::Other { path: Some(path) } => {
            Some(path.split(['.', '[']).next().unwrap_or_default())
        }
        _ => None,
    };
    let failed = entry_at(whole_err.range.start).filter(|&i| field == Some(layout.entries[i].key.as_str()));
    let on_entry = |mut err: YamlError, entry: &Entry| {
        // "Unexpected end" errors point past the entry: keep them on it.
        if err.range.start >= entry.range.end && entry.range.end > entry.range.start {
            let last = text[..entry.range.end].char_indices().last().map_or(0, |(i, _)| i);
            err.range = last..entry.range.end;
        }
        err
    };
    for (i, entry) in layout.entries.iter().enumerate() {
        if skipped.contains(&i) {
            continue;
        }
        if failed == Some(i) {
            errors.push(on_entry(whole_err.clone(), entry));
            continue;
        }
        let slice = &text[entry.lines.clone()];
        serde_bytes += slice.len();
        match serde_yaml::from_str::<Frontmatter>(slice) {
            Ok(_) => {
                if !seen.insert(entry.key.as_str(), ()) {
                    continue;
                }
                good.push_str(slice);
                if !slice.ends_with('\n') {
                    good.push('\n');
                }
            }
            Err(e) => {
                // Located against this entry alone: a lookup in a layout of many keys
                // per failing entry would be quadratic.
                let alone = Layout::new(vec![entry.clone()]);
                errors.push(on_entry(locate(&e, entry.lines.start, text, &alone), entry));
            }
        }
    }
    // Errors that no single entry shows: duplicates, stray lines, bad indentation.
    let covered = errors.iter().any(|e| e.detail == whole_err.detail)
        || entry_at(whole_err.range.start).is_some_and(|i| {
            let lines = &layout.entries[i].lines;
            errors.iter().any(|x| lines.contains(&x.range.start))
        });
    if !covered {
        errors.push(whole_err);
    }
    serde_bytes += good.len();
    let mut fm = serde_yaml::from_str::<Frontmatter>(&good).unwrap_or_default();
    fm.model = fm.model.map(|m| normalize_model(&m));
    errors.sort_by_key(|e| (e.range.start, e.range.end));
    errors.dedup_by(|a, b| a.range == b.range && a.detail == b.detail);
    Parsed { fm, errors, unread: Vec::new(), serde_bytes }
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

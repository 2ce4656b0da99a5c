//! What is at a byte offset of a spec: a frontmatter key, an enum value, a spec ID
//! (in `depends_on`, `members`, a `[[id]]` link or bare in the body), a file path or
//! glob, a prompt name, or the title line. Every IDE feature starts here.

use std::ops::Range;

use crate::analysis::layout::{Entry, Value};
use crate::analysis::spec::{SpecFile, LINK_FIELDS};

/// Where a spec ID was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSite {
    DependsOn,
    Members,
    /// `blocked_specs` / `original_spec` of a conflict spec.
    Conflict,
    WikiLink,
    /// A bare dated ID in the body.
    Mention,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A frontmatter key; nested keys are written `approval.status`.
    Key(String),
    /// A scalar value of a key (enum values included).
    Value {
        key: String,
        value: String,
    },
    SpecId {
        id: String,
        site: IdSite,
    },
    Path {
        field: &'static str,
        raw: String,
    },
    Prompt(String),
    Label(String),
    /// The spec's own title line.
    Title,
}

/// The target at `offset` and the range it covers.
pub fn target_at(f: &SpecFile, offset: usize) -> Option<(Target, Range<usize>)> {
    if let Some(yaml) = &f.yaml {
        if yaml.start <= offset && offset <= yaml.end {
            return frontmatter_target(&f.layout.entries, offset, None);
        }
    }
    let within = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    if let Some(m) = f.body.wiki_links.iter().find(|m| within(&m.range)) {
        return Some((Target::SpecId { id: m.id.clone(), site: IdSite::WikiLink }, m.range.clone()));
    }
    if let Some(m) = f.body.mentions.iter().find(|m| within(&m.range)) {
        return Some((Target::SpecId { id: m.id.clone(), site: IdSite::Mention }, m.range.clone()));
    }
    if let Some(t) = &f.body.title {
        if within(&t.line) {
            return Some((Target::Title, t.line.clone()));
        }
    }
    None
}

fn frontmatter_target(
    entries: &[Entry],
    offset: usize,
    parent: Option<&str>,
) -> Option<(Target, Range<usize>)> {
    let within = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    let entry = entries.iter().find(|e| within(&e.range) || within(&e.key_range))?;
    let key = match parent {
        Some(p) => format!("{p}.{}", entry.key),
        None => entry.key.clone(),
    };
    if within(&entry.key_range) {
        return Some((Target::Key(key), entry.key_range.clone()));
    }
    let item_target = |text: &str| -> Target {
        match key.as_str() {
            "depends_on" => Target::SpecId { id: text.to_string(), site: IdSite::DependsOn },
            "members" => Target::SpecId { id: text.to_string(), site: IdSite::Members },
            "blocked_specs" | "original_spec" => {
                Target::SpecId { id: text.to_string(), site: IdSite::Conflict }
            }
            "prompt" => Target::Prompt(text.to_string()),
            "labels" => Target::Label(text.to_string()),
            k => match LINK_FIELDS.iter().find(|f| **f == k) {
                Some(field) => Target::Path { field, raw: text.to_string() },
                None => Target::Value { key: key.clone(), value: text.to_string() },
            },
        }
    };
    match &entry.value {
        Value::Scalar(s) if within(&s.range) => Some((item_target(&s.text), s.range.clone())),
        Value::Seq(seq) => {
            let item = seq.items.iter().find(|i| within(&i.range))?;
            Some((item_target(&item.text), item.range.clone()))
        }
        Value::Map { entries, .. } => frontmatter_target(entries, offset, Some(&entry.key)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::config::Config;
    use crate::analysis::facts::MemFacts;
    use crate::analysis::spec::{analyze, Context, Place};
    use std::collections::BTreeSet;

    fn at(text: &str, marker: &str) -> Option<Target> {
        let offset = text.find(marker).expect("marker") + 1;
        let config = Config::default();
        let prompts = BTreeSet::new();
        let facts = MemFacts::default();
        let ctx = Context { config: &config, prompts: &prompts, facts: &facts };
        let (f, _) = analyze(&ctx, "x", ".chant/specs/x.md", Place::Active, text);
        target_at(&f, offset).map(|(t, _)| t)
    }

    #[test]
    fn targets() {
        let text = "---\nstatus: pending\ndepends_on: [2026-01-01-001-abc, b]\ncontext:\n- docs/a.md\nprompt: standard\napproval:\n  status: approved\n---\n# Title here\n\nSee [[2026-01-02-002-def]] and 2026-01-03-003-ghi.\n";
        assert_eq!(at(text, "tatus: p"), Some(Target::Key("status".into())));
        assert_eq!(at(text, "ending"), Some(Target::Value { key: "status".into(), value: "pending".into() }));
        assert_eq!(
            at(text, "026-01-01-001"),
            Some(Target::SpecId { id: "2026-01-01-001-abc".into(), site: IdSite::DependsOn })
        );
        assert_eq!(at(text, "docs/a"), Some(Target::Path { field: "context", raw: "docs/a.md".into() }));
        assert_eq!(at(text, "standard"), Some(Target::Prompt("standard".into())));
        assert_eq!(
            at(text, "pproved"),
            Some(Target::Value { key: "approval.status".into(), value: "approved".into() })
        );
        assert_eq!(at(text, "itle here"), Some(Target::Title));
        assert_eq!(
            at(text, "026-01-02"),
            Some(Target::SpecId { id: "2026-01-02-002-def".into(), site: IdSite::WikiLink })
        );
        assert_eq!(
            at(text, "026-01-03"),
            Some(Target::SpecId { id: "2026-01-03-003-ghi".into(), site: IdSite::Mention })
        );
        assert_eq!(at(text, "See"), None);
    }
}

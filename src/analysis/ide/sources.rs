//! From a project file back to its specs: which specs name the file in `target_files`
//! (they change it) and which read it through `tracks`, `informed_by` or `origin` (a
//! glob counts when it matches, as chant expands it). Shown as lenses on the file's
//! first line and as its references; nothing is computed for files no spec names.

use std::ops::Range;

use super::commands::{Call, Command};
use crate::analysis::facts::glob_options;
use crate::analysis::frontmatter::Status;
use crate::analysis::project::Project;
use crate::analysis::spec::{Place, Summary};
use crate::analysis::text::ellipsis;

/// How a spec names the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    /// `target_files`: the spec's work changes it.
    Target,
    /// `tracks`, `informed_by` or `origin`: the spec reads it (and drifts with it).
    Reads,
}

/// One spec that names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    pub index: usize,
    pub id: String,
    /// The spec file, project-relative.
    pub path: String,
    pub title: Option<String>,
    pub status: Status,
    pub archived: bool,
    pub running: bool,
    pub relation: Relation,
    /// The fields naming the file, in frontmatter order (`target_files`, `tracks`, …).
    pub fields: Vec<&'static str>,
    /// The entries naming the file (byte ranges in the spec).
    pub entries: Vec<Range<usize>>,
}

/// The fields a source file is named by.
pub const SOURCE_FIELDS: [&str; 4] = ["target_files", "tracks", "informed_by", "origin"];

/// Whether link `path` (a project-relative path or glob) names file `rel`.
pub fn names(path: &str, rel: &str) -> bool {
    if path.contains(['*', '?', '[']) {
        glob::Pattern::new(path).is_ok_and(|g| g.matches_with(rel, glob_options()))
    } else {
        path == rel
    }
}

/// The specs naming project file `rel`: running ones first, then those that change it
/// (`target_files`), then those that read it; within each, open work before finished
/// work, newest ID first. Archived specs count only when `archived` is set, and last.
pub fn specs_of(
    project: &Project,
    rel: &str,
    archived: bool,
    running: &dyn Fn(&str) -> bool,
) -> Vec<SourceSpec> {
    let mut out: Vec<SourceSpec> = Vec::new();
    for (index, s) in project.specs.iter().enumerate() {
        if s.path == rel || (s.place == Place::Archived && !archived) {
            continue;
        }
        let hits: Vec<_> = s
            .links
            .iter()
            .filter(|l| SOURCE_FIELDS.contains(&l.field))
            .filter(|l| l.path.as_deref().is_some_and(|p| names(p, rel)))
            .collect();
        if hits.is_empty() {
            continue;
        }
        let mut fields: Vec<&'static str> = Vec::new();
        for h in &hits {
            if !fields.contains(&h.field) {
                fields.push(h.field);
            }
        }
        let relation = if fields.contains(&"target_files") { Relation::Target } else { Relation::Reads };
        out.push(SourceSpec {
            index,
            id: s.id.clone(),
            path: s.path.clone(),
            title: s.title.clone(),
            status: s.chant_status(),
            archived: s.place == Place::Archived,
            running: running(&s.id),
            relation,
            fields,
            entries: hits.iter().map(|h| h.range.clone()).collect(),
        });
    }
    out.sort_by(|a, b| {
        (!a.running, a.archived, a.relation, finished(a.status))
            .cmp(&(!b.running, b.archived, b.relation, finished(b.status)))
            .then_with(|| b.id.cmp(&a.id))
    });
    out
}

fn finished(s: Status) -> bool {
    matches!(s, Status::Completed | Status::Cancelled)
}

/// A lens on a source file's first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLens {
    pub title: String,
    /// Opens the spec (`None`: the summary lens, which only informs).
    pub spec: Option<String>,
    pub call: Option<Call>,
}

/// At most this many specs get a lens of their own; the rest are counted.
pub const LENS_SPECS: usize = 4;

/// The lenses for a file named by `specs` (none when no spec names it).
pub fn lenses(specs: &[SourceSpec]) -> Vec<SourceLens> {
    let mut out: Vec<SourceLens> = specs
        .iter()
        .take(LENS_SPECS)
        .map(|s| SourceLens {
            title: lens_title(s),
            spec: Some(s.path.clone()),
            call: Some(Call::on_spec(Command::OpenSpec)),
        })
        .collect();
    if specs.len() > LENS_SPECS {
        let rest = specs.len() - LENS_SPECS;
        out.push(SourceLens {
            title: format!(
                "+{rest} more spec{} (Find References on line 1)",
                if rest == 1 { "" } else { "s" }
            ),
            spec: None,
            call: None,
        });
    }
    out
}

fn lens_title(s: &SourceSpec) -> String {
    let verb = match s.relation {
        Relation::Target => "changed by",
        Relation::Reads => "read by",
    };
    let state = if s.running {
        "running now".to_string()
    } else if s.archived {
        format!("{}, archived", status_word(s.status))
    } else {
        status_word(s.status).to_string()
    };
    let title = s.title.as_deref().map(|t| ellipsis(t, 50)).unwrap_or_else(|| "(no title)".to_string());
    format!("{} {verb} {} · {title} · {state}", mark(s), short_id(&s.id))
}

fn mark(s: &SourceSpec) -> &'static str {
    match (s.running, s.status) {
        (true, _) => "●",
        (_, Status::Completed) => "✓",
        (_, Status::Failed) => "✗",
        (_, Status::Cancelled) => "⊘",
        (_, Status::InProgress) => "◐",
        _ => "○",
    }
}

/// A spec's status as people say it.
pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::InProgress => "in progress",
        Status::NeedsAttention => "needs attention",
        other => other.as_str(),
    }
}

/// The last part of a dated ID (`2026-01-02-a1b` → `a1b`), or the ID itself.
pub fn short_id(id: &str) -> &str {
    let parts: Vec<&str> = id.splitn(4, '-').collect();
    match parts.as_slice() {
        [y, m, d, rest]
            if y.len() == 4 && m.len() == 2 && d.len() == 2 && y.bytes().all(|b| b.is_ascii_digit()) =>
        {
            rest
        }
        _ => id,
    }
}

/// Whether any spec names `rel` (cheap enough for every request on a source file).
pub fn named(project: &Project, rel: &str) -> bool {
    project.specs.iter().any(|s| links_name(s, rel))
}

fn links_name(s: &Summary, rel: &str) -> bool {
    s.links
        .iter()
        .filter(|l| SOURCE_FIELDS.contains(&l.field))
        .any(|l| l.path.as_deref().is_some_and(|p| names(p, rel)))
}

/// The spec a commit belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WroteBy {
    pub id: String,
    /// The spec in the project (`None`: the subject names an ID no spec has).
    pub index: Option<usize>,
    /// How the commit was matched, for people.
    pub how: &'static str,
}

/// The spec commit `hash` (full hexadecimal) with `subject` belongs to: the ID its
/// subject names (`chant(<ID>): …`, `Merge <prefix><ID>`, the transcript commit), else a
/// spec whose `commits:` lists it (a prefix of at least 4 characters).
pub fn spec_of_commit(project: &Project, hash: &str, subject: &str, branch_prefix: &str) -> Option<WroteBy> {
    if let Some(id) = crate::analysis::git::spec_of_subject(subject, branch_prefix) {
        let index = project.specs.iter().position(|s| s.id == id);
        return Some(WroteBy { id: id.to_string(), index, how: "its commit subject names the spec" });
    }
    let hash = hash.to_ascii_lowercase();
    project.specs.iter().enumerate().find_map(|(i, s)| {
        let listed = s.git.as_ref()?.commits.iter().any(|(raw, _)| {
            let raw = raw.trim().to_ascii_lowercase();
            raw.len() >= 4 && raw.bytes().all(|b| b.is_ascii_hexdigit()) && hash.starts_with(&raw)
        });
        listed.then(|| WroteBy { id: s.id.clone(), index: Some(i), how: "the spec's `commits:` lists it" })
    })
}

/// What blame found for a line, said for people (markdown): the commit, and the spec
/// it belongs to with its title and status.
pub fn line_origin_text(
    project: &Project,
    line: u32,
    commit: Option<(&str, &str, &str, i64)>,
    branch_prefix: &str,
    now: i64,
) -> (String, Option<WroteBy>) {
    let Some((id, subject, author, time)) = commit else {
        return (format!("Line {} has uncommitted changes: no commit wrote it yet.", line + 1), None);
    };
    let short = &id[..id.len().min(7)];
    let age = crate::analysis::git::time::age(time, now);
    let mut text =
        format!("Line {} was last changed by `{short}` \"{subject}\" ({author}, {age}).", line + 1);
    let by = spec_of_commit(project, id, subject, branch_prefix);
    match &by {
        Some(WroteBy { id, index: Some(i), how }) => {
            let s = &project.specs[*i];
            let title = s.title.as_deref().unwrap_or("(no title)");
            let place = if s.place == Place::Archived { ", archived" } else { "" };
            text.push_str(&format!(
                "\n\nWritten for spec `{id}` \"{title}\" ({}{place}): {how}.",
                status_word(s.chant_status())
            ));
        }
        Some(WroteBy { id, index: None, how }) => {
            text.push_str(&format!(
                "\n\nWritten for spec `{id}`, which is not in this project any more ({how})."
            ));
        }
        None => text.push_str(
            "\n\nNo spec claims this commit (not a chant commit, and no spec's `commits:` lists it).",
        ),
    }
    (text, by)
}

//! Hovers as markdown: a spec's title, status, type, readiness and file; a path's
//! existence, size and first lines; a glob's matches; what a key or value means.

use std::fmt::Write as _;
use std::ops::Range;

use super::actions::RunState;
use super::docs;
use super::locate::{target_at, Target};
use crate::analysis::facts::{normalize_link, FileFacts, FileKind, LinkPath};
use crate::analysis::project::{Blocker, Project};
use crate::analysis::spec::{Place, Readable, SpecFile, Summary};

pub struct Hover {
    pub markdown: String,
    pub range: Range<usize>,
    /// A file whose first lines end the hover, still to be read ([`fill`]).
    pub preview: Option<PreviewOf>,
}

/// The file a hover previews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewOf {
    /// A linked file (project-relative path).
    File(String),
    /// A prompt, by name.
    Prompt(String),
}

/// The hover at `offset` of the spec `f`, file previews included.
pub fn hover(project: &Project, facts: &dyn FileFacts, f: &SpecFile, offset: usize) -> Option<Hover> {
    hover_lazy(project, facts, f, offset).map(|h| fill(h, facts))
}

/// The hover at `offset` without reading any file's content: a file preview is left to
/// [`fill`] (the server reads it after releasing the state lock). Folder listings may
/// still be read.
pub fn hover_lazy(project: &Project, facts: &dyn FileFacts, f: &SpecFile, offset: usize) -> Option<Hover> {
    let (target, range) = target_at(f, offset)?;
    let mut preview = None;
    let markdown = match target {
        Target::SpecId { id, .. } => spec_hover(project, &id),
        Target::Title => spec_hover(project, f.id),
        Target::Path { field, raw } => path_hover(project, facts, field, &raw, &mut preview),
        Target::Key(key) => {
            let (shape, doc) = docs::key_doc(&key).or_else(|| nested_key_doc(&key))?;
            format!("**`{key}`**: {shape}\n\n{doc}")
        }
        Target::Value { key, value } => {
            let doc = docs::value_doc(&key, &value)?;
            format!("**`{key}: {value}`**\n\n{doc}")
        }
        Target::Prompt(name) => prompt_hover(facts, &name, &mut preview),
        Target::Label(label) => {
            let n = project.specs.iter().filter(|s| s.labels.contains(&label)).count();
            format!("label **`{label}`**: used by {n} spec{}", plural(n))
        }
    };
    Some(Hover { markdown, range, preview })
}

/// Reads the file preview a hover is waiting for (the file is read only when it is a
/// regular file inside the project, and only its first few KB).
pub fn fill(mut h: Hover, facts: &dyn FileFacts) -> Hover {
    match h.preview.take() {
        None => {}
        Some(PreviewOf::File(path)) => match facts.preview(&path, 4096) {
            None => {}
            Some(p) if p.binary => h.markdown = format!("`{path}` · {} (binary)", size(p.size)),
            Some(p) => {
                let preview = preview_lines(&p.head, 8);
                let fence = if preview.contains("```") { "~~~~" } else { "```" };
                h.markdown = format!("`{path}` · {}\n\n{fence}\n{preview}\n{fence}", size(p.size));
            }
        },
        Some(PreviewOf::Prompt(name)) => {
            let path = format!(".chant/prompts/{name}.md");
            if let Some(p) = facts.preview(&path, 2048) {
                let lines = preview_lines(&p.head, 6);
                let fence = if lines.contains("```") { "~~~~" } else { "```" };
                h.markdown = format!("prompt **`{name}`** (`{path}`)\n\n{fence}markdown\n{lines}\n{fence}");
            }
        }
    }
    h
}

/// The spec a hover at `offset` is about (an ID, or the file's own title), for the run
/// note.
pub fn spec_at(f: &SpecFile, offset: usize) -> Option<String> {
    match target_at(f, offset)? {
        (Target::SpecId { id, .. }, _) => Some(id),
        (Target::Title, _) => Some(f.id.to_string()),
        _ => None,
    }
}

/// What a hover adds about the runs of a spec: running here or elsewhere, else how the
/// last run from the editor ended.
pub fn run_note(run: &RunState) -> Option<String> {
    if run.running_here {
        return Some(format!("**Running** from this editor, for {}", elapsed(run.running_for)));
    }
    if let Some(pid) = run.running_elsewhere {
        return Some(format!("**Running** (pid {pid}, started outside the editor)"));
    }
    run.last.as_ref().map(|last| format!("Last run from the editor: {}", last.summary))
}

fn elapsed(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

fn nested_key_doc(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "approval.required" => {
            ("`true` | `false`", "Whether the spec needs approval before `chant work` runs it.")
        }
        "approval.status" => ("`pending` | `approved` | `rejected`", "The approval decision."),
        "approval.by" => ("string", "Who approved or rejected."),
        "approval.at" => ("timestamp", "When it was approved or rejected."),
        _ => return None,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A one-line description of why a spec is blocked.
pub fn blocker_text(b: &Blocker) -> String {
    match b {
        Blocker::Missing { id, archived: true } => format!("`{id}` (archived: chant never sees it)"),
        Blocker::Missing { id, archived: false } => format!("`{id}` (no such spec)"),
        Blocker::Unreadable { id } => format!("`{id}` (chant cannot read it)"),
        Blocker::Status { id, status } => format!("`{id}` ({})", status.as_str()),
        Blocker::Sibling { id, status: Some(s) } => format!("earlier sibling `{id}` ({})", s.as_str()),
        Blocker::Sibling { id, status: None } => format!("earlier sibling `{id}` (missing)"),
        Blocker::DriverDependency { driver, id } => format!("`{id}`, a dependency of driver `{driver}`"),
        Blocker::Member { id, status } => format!("member `{id}` ({})", status.as_str()),
        Blocker::Approval => "approval (required, not yet given)".to_string(),
    }
}

/// The readiness line of a spec: `ready`, `blocked by …`, or its status.
pub fn readiness_text(project: &Project, i: usize) -> String {
    let s = &project.specs[i];
    if s.place == Place::Archived {
        return "archived: chant no longer sees this spec".to_string();
    }
    if s.readable == Readable::No {
        return "chant cannot read this spec".to_string();
    }
    let r = project.readiness(i);
    if r.ready {
        if r.work_blockers.is_empty() {
            return "ready".to_string();
        }
        let list: Vec<String> = r.work_blockers.iter().map(blocker_text).collect();
        return format!("ready, but `chant work` refuses it: {}", list.join(", "));
    }
    if !r.blockers.is_empty() {
        let list: Vec<String> = r.blockers.iter().map(blocker_text).collect();
        return format!("blocked by {}", list.join(", "));
    }
    s.chant_status().as_str().replace('_', " ")
}

fn summary_lines(project: &Project, s: &Summary) -> String {
    let mut out = String::new();
    let title = s.title.as_deref().unwrap_or("(no title)");
    let _ = writeln!(out, "**{title}**\n");
    let _ = writeln!(out, "`{}` · {} · {}", s.id, s.status.as_str(), s.kind.as_str());
    if let Some(i) =
        project.active_index(&s.id).or_else(|| project.specs.iter().position(|x| x.path == s.path))
    {
        let _ = writeln!(out, "\n{}", readiness_text(project, i));
    }
    if s.readable == Readable::Defaults {
        let _ = writeln!(
            out,
            "\nchant reads this spec's frontmatter as defaults (pending, code): see its diagnostics"
        );
    }
    if let Some(at) = &s.completed_at {
        let _ = writeln!(out, "\ncompleted {at}");
    }
    let dependents = project.dependents(&s.id).len();
    if dependents > 0 {
        let _ = writeln!(
            out,
            "\n{dependents} spec{} depend{} on it",
            plural(dependents),
            if dependents == 1 { "s" } else { "" }
        );
    }
    let _ = write!(out, "\n`{}`", s.path);
    out
}

/// The hover for a spec ID.
pub fn spec_hover(project: &Project, id: &str) -> String {
    if let Some(s) = project.active(id) {
        return summary_lines(project, s);
    }
    if let Some(s) = project.archived(id) {
        return format!(
            "{}\n\n**Archived**: chant never reads archived specs, so a dependency on it blocks forever.",
            summary_lines(project, s)
        );
    }
    let similar = project.similar_ids(id);
    let mut out = format!("No spec has the ID `{id}`.");
    if !similar.is_empty() {
        let list: Vec<String> = similar.iter().map(|s| format!("`{s}`")).collect();
        let _ = write!(out, " Similar: {}", list.join(", "));
    }
    out
}

fn path_hover(
    project: &Project,
    facts: &dyn FileFacts,
    field: &str,
    raw: &str,
    preview: &mut Option<PreviewOf>,
) -> String {
    let path = match normalize_link(raw) {
        LinkPath::Relative(p) => p,
        LinkPath::Absolute => {
            return format!("`{raw}` is an absolute path: chant resolves `{field}` from the project root.")
        }
        LinkPath::Outside => return format!("`{raw}` leaves the project."),
        LinkPath::Empty => return "empty entry".to_string(),
    };
    if path.contains(['*', '?', '[']) {
        let matches = facts.glob(&path, 20);
        let mut notes = String::new();
        for (p, kind) in &matches.skipped {
            let _ = write!(
                notes,
                "\n- skipped `{p}`: {}",
                kind.problem().map(|k| k.describe()).unwrap_or_default()
            );
        }
        if matches.bounded {
            let _ = write!(
                notes,
                "\n\nchant-lsp stopped walking at {} entries or {} folder levels",
                crate::analysis::facts::caps::WALK_ENTRIES,
                crate::analysis::facts::caps::WALK_DEPTH
            );
        }
        if matches.paths.is_empty() {
            return format!("glob `{path}`: no match{notes}");
        }
        let more = if matches.complete { String::new() } else { "\n- …".to_string() };
        let list: Vec<String> = matches.paths.iter().map(|p| format!("- `{p}`")).collect();
        return format!(
            "glob `{path}`: {} match{}\n\n{}{more}{notes}",
            if matches.complete {
                matches.paths.len().to_string()
            } else {
                format!("{}+", matches.paths.len())
            },
            if matches.paths.len() == 1 { "" } else { "es" },
            list.join("\n")
        );
    }
    // A link to a spec file: show that spec.
    if let Some(s) = project.specs.iter().find(|s| s.path == path) {
        return spec_hover(project, &s.id.clone()) + "\n\n(linked as a file)";
    }
    match facts.kind(&path) {
        None => format!("`{path}` does not exist"),
        Some(FileKind::Dir) => {
            let n = facts.list_dir(&path).len();
            format!("directory `{path}/` ({n} entr{})", if n == 1 { "y" } else { "ies" })
        }
        Some(FileKind::File) => {
            *preview = Some(PreviewOf::File(path.clone()));
            format!("`{path}`")
        }
        Some(kind @ (FileKind::Special(_) | FileKind::Outside | FileKind::Unreadable(_))) => {
            let why = kind.problem().map(|p| p.describe()).unwrap_or_default();
            format!("`{path}` {why}: chant-lsp does not read it")
        }
    }
}

/// The first heading (if any) and the first few non-empty lines.
fn preview_lines(head: &str, n: usize) -> String {
    let lines: Vec<&str> = head.lines().filter(|l| !l.trim().is_empty()).take(n).collect();
    lines.join("\n")
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn prompt_hover(facts: &dyn FileFacts, name: &str, preview: &mut Option<PreviewOf>) -> String {
    let path = format!(".chant/prompts/{name}.md");
    match facts.kind(&path) {
        Some(FileKind::File) => {
            *preview = Some(PreviewOf::Prompt(name.to_string()));
            format!("prompt **`{name}`** (`{path}`)")
        }
        None => format!("prompt `{name}`: `{path}` does not exist, so `chant work` fails for this spec"),
        Some(kind) => {
            let why = kind.problem().map(|p| p.describe()).unwrap_or_default();
            format!("prompt `{name}`: `{path}` {why}")
        }
    }
}

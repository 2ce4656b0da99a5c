//! Go to definition, find references and document links. Locations are
//! project-relative paths with byte ranges (`None` for "the whole file").

use std::ops::Range;

use super::locate::{target_at, Target};
use crate::analysis::facts::{normalize_link, FileFacts, FileKind, LinkPath};
use crate::analysis::id;
use crate::analysis::project::Project;
use crate::analysis::spec::{Place, SpecFile, Summary};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    /// `None`: the file itself (its start).
    pub range: Option<Range<usize>>,
}

impl Location {
    fn title_of(s: &Summary) -> Location {
        Location { path: s.path.clone(), range: Some(s.title_range.clone()) }
    }
}

/// A spec by ID: the active one, else the archived one.
fn spec<'a>(project: &'a Project, id: &str) -> Option<&'a Summary> {
    project.active(id).or_else(|| project.archived(id))
}

/// Where the thing at `offset` is defined.
pub fn definition(project: &Project, facts: &dyn FileFacts, f: &SpecFile, offset: usize) -> Vec<Location> {
    if let Some(r) = f.body.line_refs.iter().find(|r| r.range.start <= offset && offset <= r.range.end) {
        return line_location(facts, &r.path, r.lines).into_iter().collect();
    }
    let Some((target, _)) = target_at(f, offset) else { return Vec::new() };
    match target {
        Target::SpecId { id, .. } => spec(project, &id).map(Location::title_of).into_iter().collect(),
        // On a member's own title: its driver.
        Target::Title => {
            id::driver_of(f.id).and_then(|d| project.active(d)).map(Location::title_of).into_iter().collect()
        }
        Target::Path { raw, .. } => path_locations(project, facts, &raw),
        Target::Prompt(name) => {
            let path = format!(".chant/prompts/{name}.md");
            match facts.kind(&path) {
                Some(FileKind::File) => vec![Location { path, range: None }],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// Lines `first..=last` (1-based) of a file, as a location (the file's start when it
/// is shorter).
fn line_location(facts: &dyn FileFacts, raw: &str, (first, last): (u32, u32)) -> Option<Location> {
    let LinkPath::Relative(path) = normalize_link(raw) else { return None };
    if facts.kind(&path) != Some(FileKind::File) {
        return None;
    }
    let text = facts.read(&path, crate::analysis::facts::caps::SPEC).ok()?;
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let start = starts.get(first as usize - 1).copied();
    let range = start.map(|start| {
        let end = starts.get(last as usize).map_or(text.len(), |&e| e.saturating_sub(1)).max(start);
        start..end
    });
    Some(Location { path, range })
}

/// The files a path or glob entry points at (spec files land on their title).
pub fn path_locations(project: &Project, facts: &dyn FileFacts, raw: &str) -> Vec<Location> {
    let LinkPath::Relative(path) = normalize_link(raw) else { return Vec::new() };
    let paths = if path.contains(['*', '?', '[']) { facts.glob(&path, 100).paths } else { vec![path] };
    paths
        .into_iter()
        .filter(|p| facts.kind(p) == Some(FileKind::File))
        .map(|p| match project.specs.iter().find(|s| s.path == p) {
            Some(s) => Location::title_of(s),
            None => Location { path: p, range: None },
        })
        .collect()
}

/// Every place that refers to the thing at `offset`: for a spec (its ID anywhere, or
/// its title), every `depends_on`, `members` and body mention of it; for a path, every
/// spec that lists it.
pub fn references(
    project: &Project,
    f: &SpecFile,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let Some((target, _)) = target_at(f, offset) else { return Vec::new() };
    let mut out = match target {
        Target::SpecId { id, .. } => spec_references(project, &id, include_declaration),
        Target::Title => spec_references(project, f.id, include_declaration),
        Target::Path { raw, .. } => match normalize_link(&raw) {
            LinkPath::Relative(p) => path_references(project, &p),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    out.sort_by(|a, b| {
        (&a.path, a.range.as_ref().map(|r| r.start)).cmp(&(&b.path, b.range.as_ref().map(|r| r.start)))
    });
    out.dedup();
    out
}

/// Every reference to spec `id` in the project's active specs.
pub fn spec_references(project: &Project, id: &str, include_declaration: bool) -> Vec<Location> {
    let mut out = Vec::new();
    if include_declaration {
        if let Some(s) = spec(project, id) {
            out.push(Location::title_of(s));
        }
    }
    for s in project.specs.iter().filter(|s| s.place != Place::Archived) {
        let refs = s.depends_on.iter().flatten().chain(s.members.iter().flatten()).chain(s.mentions.iter());
        for r in refs.filter(|r| r.id == id) {
            out.push(Location { path: s.path.clone(), range: Some(r.range.clone()) });
        }
    }
    out
}

/// Every link entry naming `path` (or a glob matching it).
pub fn path_references(project: &Project, path: &str) -> Vec<Location> {
    let mut out = Vec::new();
    for s in &project.specs {
        for l in &s.links {
            let hit = match &l.path {
                Some(p) if p.contains(['*', '?', '[']) => glob::Pattern::new(p)
                    .is_ok_and(|g| g.matches_with(path, crate::analysis::facts::glob_options())),
                Some(p) => p == path,
                None => false,
            };
            if hit {
                out.push(Location { path: s.path.clone(), range: Some(l.range.clone()) });
            }
        }
    }
    out
}

/// A clickable range and where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    pub range: Range<usize>,
    pub target: String,
    pub tooltip: String,
    /// A line of the target to open at (1-based).
    pub line: Option<u32>,
}

/// Every existing file path in the frontmatter and every spec ID (frontmatter lists,
/// `[[id]]` links) that names a spec, as links to their files.
pub fn document_links(project: &Project, facts: &dyn FileFacts, f: &SpecFile) -> Vec<DocumentLink> {
    let mut out = Vec::new();
    for l in f.links() {
        let Some(p) = &l.path else { continue };
        if p.contains(['*', '?', '[']) || facts.kind(p) != Some(FileKind::File) {
            continue;
        }
        out.push(DocumentLink {
            range: l.range.clone(),
            target: p.clone(),
            tooltip: format!("open {p}"),
            line: None,
        });
    }
    for r in &f.body.line_refs {
        let LinkPath::Relative(p) = normalize_link(&r.path) else { continue };
        if facts.kind(&p) != Some(FileKind::File) {
            continue;
        }
        let at = if r.lines.0 == r.lines.1 {
            format!("line {}", r.lines.0)
        } else {
            format!("lines {}-{}", r.lines.0, r.lines.1)
        };
        out.push(DocumentLink {
            range: r.range.clone(),
            tooltip: format!("open {p} at {at}"),
            target: p,
            line: Some(r.lines.0),
        });
    }
    let summary_refs = f.summary();
    let mut refs: Vec<(String, Range<usize>)> = Vec::new();
    for r in summary_refs.depends_on.iter().flatten().chain(summary_refs.members.iter().flatten()) {
        refs.push((r.id.clone(), r.range.clone()));
    }
    for m in &f.body.wiki_links {
        refs.push((m.id.clone(), m.range.clone()));
    }
    for (id, range) in refs {
        if let Some(s) = spec(project, &id) {
            let title = s.title.as_deref().unwrap_or("(no title)");
            out.push(DocumentLink {
                range,
                target: s.path.clone(),
                tooltip: format!("{title} ({})", s.status.as_str()),
                line: None,
            });
        }
    }
    out.sort_by_key(|l| l.range.start);
    out
}

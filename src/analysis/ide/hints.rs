//! Inlay hints (the title and status of each spec named in `depends_on` / `members`)
//! and the code lens on the title line (status, readiness, dependents).

use super::hover::readiness_text;
use crate::analysis::project::Project;
use crate::analysis::spec::{Place, SpecFile};
use crate::analysis::text::ellipsis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// Shown just after this offset.
    pub at: usize,
    pub label: String,
    pub tooltip: String,
}

pub fn inlay_hints(project: &Project, f: &SpecFile, range: std::ops::Range<usize>) -> Vec<InlayHint> {
    let summary = f.summary();
    let refs = summary.depends_on.iter().flatten().chain(summary.members.iter().flatten());
    refs.filter(|r| range.start <= r.range.end && r.range.start <= range.end)
        .filter_map(|r| {
            let (s, note) = match project.active(&r.id) {
                Some(s) => (s, ""),
                None => (project.archived(&r.id)?, ", archived"),
            };
            let title = s.title.as_deref().unwrap_or("(no title)");
            let status = s.status.as_str().replace('_', " ");
            Some(InlayHint {
                at: r.range.end,
                label: format!("{} ({status}{note})", ellipsis(title, 40)),
                tooltip: format!("{title}\n{} · {status}{note}", s.id),
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lens {
    pub range: std::ops::Range<usize>,
    pub title: String,
    /// Dependents' count, for a "show references" command.
    pub dependents: usize,
}

/// Lenses on the title line: status and readiness, and the number of dependents.
pub fn lenses(project: &Project, f: &SpecFile) -> Vec<Lens> {
    let Some(title) = &f.body.title else { return Vec::new() };
    let Some(i) = project.specs.iter().position(|s| s.path == f.path) else { return Vec::new() };
    let s = &project.specs[i];
    let status = s.chant_status().as_str().replace('_', " ");
    let state = if s.place == Place::Archived { "archived".to_string() } else { readiness_text(project, i) };
    let mut out = vec![Lens {
        range: title.line.clone(),
        title: if state == status { status } else { format!("{status} · {state}") },
        dependents: 0,
    }];
    let dependents = project.dependents(&s.id).len();
    out.push(Lens {
        range: title.line.clone(),
        title: format!("{dependents} dependent{}", if dependents == 1 { "" } else { "s" }),
        dependents,
    });
    out
}

//! Inlay hints: the title and status of each spec named in `depends_on` / `members`.

use crate::analysis::project::Project;
use crate::analysis::spec::SpecFile;
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

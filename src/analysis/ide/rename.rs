//! Renaming a spec ID (its file, its members' files and every reference) and updating
//! links when files move. Edits name the text they replace, so the caller can place
//! them exactly in the current text (quotes kept).

use std::ops::Range;

use crate::analysis::project::Project;
use crate::analysis::spec::Place;
use crate::analysis::workspace::classify;

/// Replace the first occurrence of `find` inside `range` of `path` with `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    pub path: String,
    pub range: Range<usize>,
    pub find: String,
    pub with: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenamePlan {
    /// Files to move (project-relative), applied before the text edits' paths change.
    pub moves: Vec<(String, String)>,
    /// Text edits, addressed by the paths *before* the moves.
    pub edits: Vec<Replace>,
}

/// Checks a new spec ID.
pub fn validate_id(project: &Project, new_id: &str) -> Result<(), String> {
    if new_id.is_empty() || new_id.contains(['/', '\\', ':']) || new_id.chars().any(char::is_whitespace) {
        return Err(format!("`{new_id}` cannot be a spec ID: use letters, digits, `-`, `_` and `.` only"));
    }
    if new_id.ends_with(".md") {
        return Err("give the ID without `.md`".to_string());
    }
    if project.active(new_id).is_some() || project.archived(new_id).is_some() {
        return Err(format!("a spec with the ID `{new_id}` already exists"));
    }
    Ok(())
}

/// Renames spec `old` to `new`: its file and its members' files, and every
/// `depends_on`, `members`, `[[id]]` and bare mention of any of them in active specs.
pub fn rename_spec(project: &Project, old: &str, new: &str) -> Result<RenamePlan, String> {
    validate_id(project, new)?;
    let spec = project.active(old).ok_or_else(|| format!("no active spec has the ID `{old}`"))?;
    let mut renames: Vec<(String, String)> = vec![(old.to_string(), new.to_string())];
    for m in project.members_of(old) {
        renames.push((m.id.clone(), format!("{new}{}", &m.id[old.len()..])));
    }
    let mut plan = RenamePlan::default();
    let dir = spec.path.rsplit_once('/').map_or("", |(d, _)| d);
    plan.moves.push((spec.path.clone(), format!("{dir}/{new}.md")));
    for (from, to) in renames.iter().skip(1) {
        if let Some(m) = project.active(from) {
            let mdir = m.path.rsplit_once('/').map_or("", |(d, _)| d);
            plan.moves.push((m.path.clone(), format!("{mdir}/{to}.md")));
        }
    }
    for s in project.specs.iter().filter(|s| s.place != Place::Archived) {
        let refs = s.depends_on.iter().flatten().chain(s.members.iter().flatten()).chain(s.mentions.iter());
        for r in refs {
            if let Some((from, to)) = renames.iter().find(|(from, _)| *from == r.id) {
                plan.edits.push(Replace {
                    path: s.path.clone(),
                    range: r.range.clone(),
                    find: from.clone(),
                    with: to.clone(),
                });
            }
        }
    }
    // Specs also link to spec files (`informed_by: [.chant/specs/<ID>.md]`).
    for (from, to) in &plan.moves {
        plan.edits.extend(link_edits(project, from, to));
    }
    Ok(plan)
}

/// Edits of every link to `old` (a file, or a directory and everything below it) for
/// its move to `new`.
fn link_edits(project: &Project, old: &str, new: &str) -> Vec<Replace> {
    let mut out = Vec::new();
    for s in &project.specs {
        for l in &s.links {
            let Some(p) = &l.path else { continue };
            let moved = if p == old {
                Some(new.to_string())
            } else {
                p.strip_prefix(old).filter(|rest| rest.starts_with('/')).map(|rest| format!("{new}{rest}"))
            };
            if let Some(target) = moved {
                out.push(Replace {
                    path: s.path.clone(),
                    range: l.range.clone(),
                    find: l.raw.clone(),
                    with: target,
                });
            }
        }
    }
    out
}

/// Link updates for files moved from `old` to `new` (project-relative; a directory
/// moves everything below it). A moved spec file also renames its ID.
pub fn moved_files(project: &Project, moves: &[(String, String)]) -> Vec<Replace> {
    let mut out = Vec::new();
    for (old, new) in moves {
        out.extend(link_edits(project, old, new));
        if let (Some(from), Some(to)) = (classify(old), classify(new)) {
            if from.id != to.id && project.active(&from.id).is_some() && from.place != Place::Archived {
                for s in project.specs.iter().filter(|s| s.place != Place::Archived) {
                    let refs = s
                        .depends_on
                        .iter()
                        .flatten()
                        .chain(s.members.iter().flatten())
                        .chain(s.mentions.iter());
                    for r in refs.filter(|r| r.id == from.id) {
                        out.push(Replace {
                            path: s.path.clone(),
                            range: r.range.clone(),
                            find: from.id.clone(),
                            with: to.id.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

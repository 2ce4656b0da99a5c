//! What hovers and lenses say about a spec's life in git (branch, worktree, its
//! commits, whether its branch copy differs), and the hover of a `commits:` hash.
//! Plain text from [`GitFacts`]; without facts (not read yet, not a repository) the
//! git part is simply left out.

use std::fmt::Write;
use std::ops::Range;

use crate::analysis::frontmatter::Status;
use crate::analysis::git::time;
use crate::analysis::git::{GitFacts, Lookup, SpecGit};
use crate::analysis::project::Project;
use crate::analysis::spec::SpecFile;

/// A file a commit changed, with its line counts (`None`: binary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStat {
    pub path: String,
    pub lines: Option<(usize, usize)>,
}

/// The `commits:` entry at `offset`: the hash as written and its range.
pub fn commit_at(f: &SpecFile, offset: usize) -> Option<(String, Range<usize>)> {
    f.items("commits").into_iter().find(|(_, r)| r.start <= offset && offset <= r.end)
}

fn git_of<'f>(
    facts: &'f GitFacts,
    project: &Project,
    id: &str,
    own_text: Option<&str>,
) -> Option<SpecGit<'f>> {
    let s = project.active(id).or_else(|| project.archived(id))?;
    let branch = s.git.as_deref().and_then(|g| g.branch.as_deref());
    facts.spec(id, branch, own_text.map(str::as_bytes))
}

fn branch_text(facts: &GitFacts, g: &SpecGit) -> Option<String> {
    let b = g.branch?;
    let mut out = format!("branch `{}`", b.name);
    match (b.merged, b.ahead_behind) {
        (Some(true), _) => {
            let _ = write!(out, ", merged into `{}`", facts.main_branch);
        }
        (Some(false), Some((ahead, behind))) => {
            let _ = write!(out, ", {ahead} ahead and {behind} behind `{}`, not merged", facts.main_branch);
        }
        _ => {}
    }
    Some(out)
}

fn worktree_text(g: &SpecGit) -> Option<String> {
    let w = g.worktree?;
    Some(match w.changed_files {
        Some(0) => format!("worktree `{}`, clean", w.path),
        Some(n) => format!("worktree `{}`, {n} uncommitted file{}", w.path, if n == 1 { "" } else { "s" }),
        None => format!("worktree `{}` (its folder is gone)", w.path),
    })
}

fn commits_text(g: &SpecGit, now: i64) -> Option<String> {
    let newest = g.commits.first()?;
    let n = g.commits.len();
    Some(format!(
        "{n} commit{}, newest `{}` '{}' ({})",
        if n == 1 { "" } else { "s" },
        newest.short(),
        newest.subject,
        time::age(newest.time, now)
    ))
}

/// The git lines of a spec's hover; `own_text`: the spec's text when the hover is in
/// its own file (for the branch-copy comparison).
pub fn note(facts: &GitFacts, project: &Project, id: &str, own_text: Option<&str>) -> Option<String> {
    let g = git_of(facts, project, id, own_text)?;
    let mut lines: Vec<String> = Vec::new();
    match branch_text(facts, &g) {
        Some(b) => lines.push(b),
        None => lines.push(format!("no branch `{}`", g.branch_name)),
    }
    lines.extend(worktree_text(&g));
    lines.extend(commits_text(&g, facts.read_at));
    let in_progress = project.active(id).is_some_and(|s| s.chant_status() == Status::InProgress);
    if in_progress && g.branch_copy_differs == Some(true) {
        lines.push(format!(
            "chant reads this in-progress spec from branch `{}`, and the copy there differs from this file",
            g.branch_name
        ));
    }
    if g.branch.is_none() && g.worktree.is_none() && g.commits.is_empty() {
        return None;
    }
    Some(format!("**git**: {}", lines.join(" · ")))
}

/// The lens title for a spec's git state (`None`: nothing to say).
pub fn lens(facts: &GitFacts, project: &Project, id: &str, own_text: &str) -> Option<String> {
    let g = git_of(facts, project, id, Some(own_text))?;
    let mut parts: Vec<String> = Vec::new();
    if let Some(b) = g.branch {
        parts.push(match (b.merged, b.ahead_behind) {
            (Some(true), _) => format!("⎇ {} (merged)", b.name),
            (Some(false), Some((ahead, _))) => format!("⎇ {} (+{ahead}, unmerged)", b.name),
            _ => format!("⎇ {}", b.name),
        });
    }
    if let Some(w) = g.worktree {
        parts.push(match w.changed_files {
            Some(n) if n > 0 => format!("worktree: {n} uncommitted"),
            Some(_) => "worktree".to_string(),
            None => "worktree gone".to_string(),
        });
    }
    if let Some(newest) = g.commits.first() {
        let n = g.commits.len();
        parts.push(format!(
            "{n} commit{} · {} '{}' {}",
            if n == 1 { "" } else { "s" },
            newest.short(),
            crate::analysis::text::ellipsis(&newest.subject, 40),
            time::age(newest.time, facts.read_at)
        ));
    }
    if g.branch_copy_differs == Some(true)
        && project.active(id).is_some_and(|s| s.chant_status() == Status::InProgress)
    {
        parts.push("branch copy differs".to_string());
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The hover of a `commits:` hash: subject, author, date and, when read, the files it
/// changed with their line counts.
pub fn commit_hover(facts: &GitFacts, raw: &str, files: Option<&[FileStat]>) -> String {
    if facts.unavailable.is_some() {
        return format!("commit `{raw}` (no git repository facts)");
    }
    let c = match facts.lookup(raw) {
        Lookup::Found(c) => c,
        Lookup::Ambiguous => return format!("`{raw}` is the start of several commits"),
        Lookup::Missing if facts.truncated || facts.shallow => {
            return format!("`{raw}` is not in the history read (it is incomplete)")
        }
        Lookup::Missing => return format!("`{raw}` is not a commit of this repository"),
    };
    let mut out = format!(
        "**{}**\n\n`{}` · {} · {} ({})",
        c.subject,
        &c.id[..c.id.len().min(12)],
        c.author,
        time::date_time(c.time),
        time::age(c.time, facts.read_at)
    );
    if let Some(files) = files {
        let _ = write!(out, "\n\n{} file{} changed:", files.len(), if files.len() == 1 { "" } else { "s" });
        for f in files.iter().take(30) {
            match f.lines {
                Some((add, del)) => {
                    let _ = write!(out, "\n- `{}` +{add} −{del}", f.path);
                }
                None => {
                    let _ = write!(out, "\n- `{}` (binary)", f.path);
                }
            }
        }
        if files.len() > 30 {
            let _ = write!(out, "\n- … and {} more", files.len() - 30);
        }
    }
    out
}

//! Where chant's state and git disagree, and what changed since a spec completed:
//! diagnostics on a spec from its [`GitRefs`], and project-wide ones (stray branches
//! and worktrees, skipped history) for the config file.

use std::collections::BTreeMap;

use super::time;
use super::{CommitFact, GitFacts, LineQuery, Lookup};
use crate::analysis::diagnostic::{Code, Diagnostic, Fix, FixAction};
use crate::analysis::facts::{glob_options, normalize_link, LinkPath};
use crate::analysis::frontmatter::Status;
use crate::analysis::project::Project;
use crate::analysis::spec::{GitRefs, LinkRef, Place, Summary};

/// What a git rule needs besides the facts.
pub struct GitInputs<'a> {
    pub facts: &'a GitFacts,
    /// Specs with a live run (a lock held by a running process): their branch and
    /// worktree may still be in the making.
    pub running: &'a dyn Fn(&str) -> bool,
    /// The time "ago" is measured from (the time the facts were read, so that the
    /// same facts always give the same messages).
    pub now: i64,
}

/// The git findings of one spec.
pub fn spec_findings(s: &Summary, inputs: &GitInputs) -> Vec<Diagnostic> {
    let (Some(refs), facts) = (s.git.as_deref(), inputs.facts) else {
        return Vec::new();
    };
    if facts.unavailable.is_some() || s.place == Place::Archived {
        return Vec::new();
    }
    let mut out = Vec::new();
    unknown_commits(refs, facts, &mut out);
    match s.chant_status() {
        Status::Completed => {
            unmerged(s, refs, facts, &mut out);
            drift(s, refs, inputs, &mut out);
            lines_changed(refs, facts, &mut out);
        }
        Status::InProgress if !(inputs.running)(&s.id) => stopped_run(s, refs, facts, &mut out),
        _ => {}
    }
    out
}

fn unknown_commits(refs: &GitRefs, facts: &GitFacts, out: &mut Vec<Diagnostic>) {
    if !facts.history_usable() || facts.truncated {
        return;
    }
    for (raw, range) in &refs.commits {
        let message = match facts.lookup(raw) {
            Lookup::Found(_) => continue,
            Lookup::Ambiguous => format!(
                "`{raw}` is the start of several commits: chant abbreviates hashes as `git log --oneline` does, long enough to be unique when it writes them; write more of the hash"
            ),
            Lookup::Missing => format!(
                "`{raw}` is not a commit of this repository (no branch, remote branch or HEAD reaches it): it was rebased, squashed or never pushed here; chant's `commits:` is only a record, so the spec still counts as completed"
            ),
        };
        out.push(Diagnostic::new(Code::UnknownCommit, range.clone(), message));
    }
}

fn unmerged(s: &Summary, refs: &GitRefs, facts: &GitFacts, out: &mut Vec<Diagnostic>) {
    let name = refs.branch.clone().unwrap_or_else(|| format!("{}{}", facts.branch_prefix, s.id));
    let Some(branch) = facts.branches.get(&name) else {
        return;
    };
    if branch.merged != Some(false) {
        return;
    }
    let ahead = match branch.ahead_behind {
        Some((ahead, _)) => format!(" ({ahead} commit{} ahead)", if ahead == 1 { "" } else { "s" }),
        None => String::new(),
    };
    out.push(Diagnostic::new(
        Code::UnmergedBranch,
        refs.status_range.clone(),
        format!(
            "the spec is completed but branch `{name}`{ahead} is not merged into `{}`: its changes are not on the main branch yet. `chant merge {}` merges it (it checks out `{}` in your working tree first); `chant archive` refuses the spec until then",
            facts.main_branch, s.id, facts.main_branch
        ),
    ));
}

fn stopped_run(s: &Summary, refs: &GitRefs, facts: &GitFacts, out: &mut Vec<Diagnostic>) {
    let name = refs.branch.clone().unwrap_or_else(|| format!("{}{}", facts.branch_prefix, s.id));
    let message = if !facts.branches.contains_key(&name) {
        if refs.branch.is_none() {
            // A chain run works in the main tree without a branch; with no live run
            // and no branch, nothing says a run happened: say what chant will do.
            format!(
                "the spec is in progress but no run holds it and branch `{name}` does not exist: a run stopped before creating its branch, or was run as a chain in the main tree. chant will not start it again while it is in progress; `chant work {}` after setting it back to `pending`, or `chant finalize {}` if the work is done",
                s.id, s.id
            )
        } else {
            format!(
                "the spec is in progress on branch `{name}`, which does not exist: the run crashed or the branch was deleted. chant reads an in-progress spec from its branch, so it falls back to this file; set the status back to `pending` to run it again"
            )
        }
    } else if facts.worktree_of(&name).is_none() {
        format!(
            "the spec is in progress but branch `{name}` has no worktree and no run holds it: the run stopped (or its worktree was removed). `chant finalize {}` finishes it from the branch if the work is done; otherwise set it back to `pending` and run it again",
            s.id
        )
    } else {
        return;
    };
    out.push(Diagnostic::new(Code::StoppedRun, refs.status_range.clone(), message));
}

/// `path:line` references whose lines no longer read as they did when the spec
/// completed; where the same text stands elsewhere, a fix updates the numbers.
fn lines_changed(refs: &GitRefs, facts: &GitFacts, out: &mut Vec<Diagnostic>) {
    let Some(at) = refs.completed_at else { return };
    if !facts.history_usable() {
        return;
    }
    for r in &refs.line_refs {
        let LinkPath::Relative(path) = normalize_link(&r.path) else { continue };
        let q = LineQuery { path, first: r.lines.0, last: r.lines.1, at };
        let Some(fate) = facts.lines.get(&q) else { continue };
        let cited = if q.first == q.last {
            format!("line {}", q.first)
        } else {
            format!("lines {}-{}", q.first, q.last)
        };
        let numbers = |(a, b): (u32, u32)| if a == b { a.to_string() } else { format!("{a}-{b}") };
        let mut message = format!("{cited} of `{}` changed since this spec completed", q.path);
        if let Some(to) = fate.moved_to {
            message.push_str(&format!(
                ": the text it cited now stands at {}",
                if to.0 == to.1 { format!("line {}", to.0) } else { format!("lines {}-{}", to.0, to.1) }
            ));
        } else {
            message.push_str(": what this spec says about it may be out of date");
        }
        let mut d = Diagnostic::new(Code::LinesChanged, r.range.clone(), message);
        if let Some(to) = fate.moved_to {
            d.fixes.push(Fix::edit(
                format!("Cite {}:{}", q.path, numbers(to)),
                r.numbers.clone(),
                numbers(to),
            ));
        }
        out.push(d);
    }
}

/// Whether a commit belongs to spec `id`: named in its `commits:`, or written by chant
/// for it (its `chant(<ID>):` commits, their rebased copies, its merge).
fn own(c: &CommitFact, id: &str, refs: &GitRefs, prefix: &str) -> bool {
    super::spec_of_subject(&c.subject, prefix) == Some(id)
        || refs.commits.iter().any(|(raw, _)| {
            let raw = raw.trim().to_ascii_lowercase();
            raw.len() >= 4 && c.id.starts_with(&raw)
        })
}

/// One changed file: the commits that changed it since completion (newest first) and
/// whether it has uncommitted changes.
pub struct Changed<'f> {
    pub commits: Vec<&'f CommitFact>,
    pub uncommitted: bool,
}

/// What changed in one drift entry of spec `id` since it completed at `done`, by path
/// (`None` when the history to answer is not there).
pub fn drift_of<'f>(
    id: &str,
    refs: &GitRefs,
    facts: &'f GitFacts,
    link: &LinkRef,
) -> Option<BTreeMap<String, Changed<'f>>> {
    let done = refs.completed_at?;
    if !facts.history_usable() || facts.history_since.is_none_or(|since| done < since) {
        return None;
    }
    let path = link.path.as_ref()?;
    let is_glob = path.contains(['*', '?', '[']);
    let pattern = if is_glob { Some(glob::Pattern::new(path).ok()?) } else { None };
    let matches = |p: &str| match &pattern {
        Some(pat) => pat.matches_with(p, glob_options()),
        None => p == path,
    };
    let candidates: Vec<&String> = if is_glob {
        facts.changes.keys().chain(facts.dirty.iter()).filter(|p| matches(p)).collect()
    } else {
        facts.changes.get_key_value(path).map(|(k, _)| k).into_iter().chain(facts.dirty.get(path)).collect()
    };
    let mut changed = BTreeMap::new();
    for p in candidates {
        let commits: Vec<&CommitFact> = facts
            .path_commits(p)
            .filter(|c| c.time > done && !own(c, id, refs, &facts.branch_prefix))
            .collect();
        let uncommitted = facts.dirty.contains(p);
        if commits.is_empty() && !uncommitted {
            continue;
        }
        changed.insert(p.clone(), Changed { commits, uncommitted });
    }
    Some(changed)
}

fn drift(s: &Summary, refs: &GitRefs, inputs: &GitInputs, out: &mut Vec<Diagnostic>) {
    for link in &refs.drift {
        let Some(changed) = drift_of(&s.id, refs, inputs.facts, link) else {
            continue;
        };
        if changed.is_empty() {
            continue;
        }
        let mut d = Diagnostic::new(Code::Drift, link.range.clone(), drift_message(&changed, inputs.now));
        d.fixes.push(Fix {
            title: format!("Show what changed in {} since the spec completed", link.raw),
            action: FixAction::ShowChanges(Some(link.raw.clone())),
            automatic: false,
        });
        // chant has no way to run a completed spec again (no transition to in_progress):
        // back to pending, then the Run action.
        d.fixes.push(Fix::edit(
            format!(
                "Re-run {}: set its status back to pending (then Run it; chant work refuses completed specs)",
                s.id
            ),
            refs.status_range.clone(),
            "pending",
        ));
        out.push(d);
    }
}

fn what_changed(path: &str, c: &Changed, now: i64) -> String {
    let committed = c.commits.first().map(|newest| {
        let n = c.commits.len();
        format!(
            "changed in {n} commit{} (newest: `{}` '{}', {})",
            if n == 1 { "" } else { "s" },
            newest.short(),
            newest.subject,
            time::age(newest.time, now)
        )
    });
    match (committed, c.uncommitted) {
        (Some(committed), true) => format!("{path} {committed} and has uncommitted changes"),
        (Some(committed), false) => format!("{path} {committed}"),
        (None, _) => format!("{path} has uncommitted changes"),
    }
}

fn drift_message(changed: &BTreeMap<String, Changed>, now: i64) -> String {
    const SHOWN: usize = 5;
    let mut lines: Vec<String> = changed.iter().take(SHOWN).map(|(p, c)| what_changed(p, c, now)).collect();
    if changed.len() > SHOWN {
        lines.push(format!("and {} more files", changed.len() - SHOWN));
    }
    format!(
        "{} since this spec completed: what it was based on has drifted (re-run the spec to bring it up to date)",
        lines.join("; ")
    )
}

/// Findings for the project as a whole, shown on the config file: branches and
/// worktrees of specs that do not exist, and what git-based checks were skipped.
pub fn project_findings(project: &Project, facts: &GitFacts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for note in &facts.notes {
        out.push(Diagnostic::new(Code::GitSkipped, 0..0, note.clone()));
    }
    if facts.unavailable.is_some() {
        // Not a repository (or no commit yet): there is nothing git could disagree
        // with, and run actions already say why chant cannot run here. A repository
        // that is there but could not be read has said why in a note.
        return out;
    }
    let known = |id: &str| project.active(id).is_some() || project.archived(id).is_some();
    let mut names: Vec<&String> = facts.branches.keys().collect();
    names.sort();
    for name in names {
        let Some(id) = facts.spec_of_branch(name) else {
            continue;
        };
        if known(id) {
            continue;
        }
        let worktree = facts.worktree_of(name).map_or(String::new(), |w| {
            format!(" and its worktree `{}` (`git worktree remove --force {}` first)", w.path, w.path)
        });
        out.push(Diagnostic::new(
            Code::StrayBranch,
            0..0,
            format!(
                "branch `{name}` belongs to spec `{id}`, which is neither an active nor an archived spec: left behind by a deleted spec or a run of another clone. `git branch -D {name}` removes it{worktree}"
            ),
        ));
    }
    out
}

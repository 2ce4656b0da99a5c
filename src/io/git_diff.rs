//! Unified diffs for "Show changes": a spec's own commits, or what changed in one of
//! its drift entries since it completed (the commits that are not its own, then the
//! uncommitted changes). Read with git2, bounded in size.

use std::fmt::Write;
use std::path::Path;

use git2::{DiffFormat, DiffOptions, Oid, Repository};

use crate::analysis::git::rules::drift_of;
use crate::analysis::git::{CommitFact, GitFacts, Lookup};
use crate::analysis::spec::GitRefs;

/// The largest diff shown.
const MAX_BYTES: usize = 4 << 20;

/// What to show.
pub enum Wanted<'a> {
    /// The spec's `chant(<ID>):` commits and those its `commits:` names.
    Commits,
    /// What changed in the drift entry written as this since the spec completed.
    Drift(&'a str),
}

/// A diff to show: its text and how many commits it covers.
pub struct Shown {
    pub text: String,
    pub commits: usize,
}

fn push_limited(out: &mut String, s: &str) -> bool {
    if out.len() + s.len() > MAX_BYTES {
        out.push_str("\n… (the diff is cut here: it is larger than 4 MB)\n");
        return false;
    }
    out.push_str(s);
    true
}

/// The patch of `commit` against its first parent, limited to `paths` (repository
/// relative) when given.
fn patch(repo: &Repository, oid: Oid, paths: &[String]) -> Result<String, git2::Error> {
    let commit = repo.find_commit(oid)?;
    let tree = commit.tree()?;
    let parent = commit.parent(0).ok().map(|p| p.tree()).transpose()?;
    let mut opts = DiffOptions::new();
    for p in paths {
        opts.pathspec(p);
    }
    opts.disable_pathspec_match(!paths.is_empty());
    let diff = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts))?;
    printed(&diff)
}

/// A diff as unified-diff text, at most [`MAX_BYTES`].
fn printed(diff: &git2::Diff) -> Result<String, git2::Error> {
    let mut text = String::new();
    diff.print(DiffFormat::Patch, |_, _, line| {
        if matches!(line.origin(), '+' | '-' | ' ') {
            text.push(line.origin());
        }
        text.push_str(&String::from_utf8_lossy(line.content()));
        text.len() < MAX_BYTES
    })?;
    Ok(text)
}

fn header(c: &CommitFact) -> String {
    format!(
        "commit {}\nAuthor: {}\nDate:   {}\n\n    {}\n\n",
        c.id,
        c.author,
        crate::analysis::git::time::date_time(c.time),
        c.subject
    )
}

/// The diff of spec `id` (with git refs `refs`) in the repository holding `root`.
pub fn spec_changes(
    root: &Path,
    facts: &GitFacts,
    id: &str,
    refs: Option<&GitRefs>,
    wanted: Wanted,
) -> Result<Shown, String> {
    let repo = Repository::discover(root)
        .map_err(|e| format!("the repository could not be opened: {}", e.message()))?;
    let prefix = repo
        .workdir()
        .and_then(|w| {
            let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            canon(root).strip_prefix(canon(w)).ok().map(|r| r.to_string_lossy().replace('\\', "/"))
        })
        .map(|p| if p.is_empty() { p } else { format!("{p}/") })
        .unwrap_or_default();
    let mut out = String::new();
    match wanted {
        Wanted::Commits => {
            let mut commits: Vec<&CommitFact> = facts.spec_commits(id).filter(|c| !c.merge).collect();
            for (raw, _) in refs.map(|r| r.commits.as_slice()).unwrap_or_default() {
                if let Lookup::Found(c) = facts.lookup(raw) {
                    if !commits.iter().any(|k| k.id == c.id) {
                        commits.push(c);
                    }
                }
            }
            if commits.is_empty() {
                return Err(format!("no commit of {id} is in the history read"));
            }
            commits.sort_by_key(|c| c.time);
            for c in &commits {
                let oid = Oid::from_str(&c.id).map_err(|e| e.message().to_string())?;
                let text = patch(&repo, oid, &[]).map_err(|e| e.message().to_string())?;
                if !push_limited(&mut out, &(header(c) + &text)) {
                    break;
                }
            }
            Ok(Shown { text: out, commits: commits.len() })
        }
        Wanted::Drift(raw) => {
            let refs = refs.ok_or_else(|| format!("{id} records no completion"))?;
            let link =
                refs.drift.iter().find(|l| l.raw == raw).ok_or_else(|| {
                    format!("{id} has no `tracks`, `origin` or `informed_by` entry `{raw}`")
                })?;
            let changed = drift_of(id, refs, facts, link).ok_or_else(|| {
                "the history needed is not there (shallow clone, or not read yet)".to_string()
            })?;
            let paths: Vec<String> = changed.keys().map(|p| format!("{prefix}{p}")).collect();
            let mut commits: Vec<&CommitFact> =
                changed.values().flat_map(|c| c.commits.iter().copied()).collect();
            commits.sort_by_key(|c| c.time);
            commits.dedup_by(|a, b| a.id == b.id);
            let _ = writeln!(out, "What changed in `{raw}` since {id} completed:\n");
            for c in &commits {
                let oid = Oid::from_str(&c.id).map_err(|e| e.message().to_string())?;
                let text = patch(&repo, oid, &paths).map_err(|e| e.message().to_string())?;
                if !push_limited(&mut out, &(header(c) + &text)) {
                    return Ok(Shown { text: out, commits: commits.len() });
                }
            }
            let uncommitted: Vec<String> =
                changed.iter().filter(|(_, c)| c.uncommitted).map(|(p, _)| format!("{prefix}{p}")).collect();
            if !uncommitted.is_empty() {
                let text = working_tree_patch(&repo, &uncommitted).map_err(|e| e.message().to_string())?;
                push_limited(&mut out, &format!("Uncommitted changes:\n\n{text}"));
            }
            Ok(Shown { text: out, commits: commits.len() })
        }
    }
}

fn working_tree_patch(repo: &Repository, paths: &[String]) -> Result<String, git2::Error> {
    let head = repo.head()?.peel_to_tree()?;
    let mut opts = DiffOptions::new();
    for p in paths {
        opts.pathspec(p);
    }
    opts.disable_pathspec_match(true).include_untracked(true).show_untracked_content(true);
    let diff = repo.diff_tree_to_workdir_with_index(Some(&head), Some(&mut opts))?;
    printed(&diff)
}

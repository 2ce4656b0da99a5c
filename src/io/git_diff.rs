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

/// What "Show changes" covers: the commits (oldest first), the repository-relative
/// paths the diff is limited to (`None`: every path the commits changed), and the
/// uncommitted paths to add.
struct Selected<'f> {
    repo: Repository,
    commits: Vec<&'f CommitFact>,
    paths: Option<Vec<String>>,
    uncommitted: Vec<String>,
    /// The first line of the text (drift only).
    heading: Option<String>,
}

fn select<'f>(
    root: &Path,
    facts: &'f GitFacts,
    id: &str,
    refs: Option<&GitRefs>,
    wanted: Wanted,
) -> Result<Selected<'f>, String> {
    let repo = super::git_guard::discover(root)
        .map_err(|e| format!("the repository could not be opened: {}", e.message()))?;
    let prefix = repo.workdir().map(|w| super::git::project_prefix(w, root)).unwrap_or_default();
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
            Ok(Selected { repo, commits, paths: None, uncommitted: Vec::new(), heading: None })
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
            let uncommitted =
                changed.iter().filter(|(_, c)| c.uncommitted).map(|(p, _)| format!("{prefix}{p}")).collect();
            let heading = Some(format!("What changed in `{raw}` since {id} completed:\n"));
            Ok(Selected { repo, commits, paths: Some(paths), uncommitted, heading })
        }
    }
}

/// The diff of spec `id` (with git refs `refs`) in the repository holding `root`.
pub fn spec_changes(
    root: &Path,
    facts: &GitFacts,
    id: &str,
    refs: Option<&GitRefs>,
    wanted: Wanted,
) -> Result<Shown, String> {
    let sel = select(root, facts, id, refs, wanted)?;
    let mut out = String::new();
    if let Some(h) = &sel.heading {
        let _ = writeln!(out, "{h}");
    }
    let paths = sel.paths.as_deref().unwrap_or_default();
    for c in &sel.commits {
        let oid = Oid::from_str(&c.id).map_err(|e| e.message().to_string())?;
        let text = patch(&sel.repo, oid, paths).map_err(|e| e.message().to_string())?;
        if !push_limited(&mut out, &(header(c) + &text)) {
            return Ok(Shown { text: out, commits: sel.commits.len() });
        }
    }
    if !sel.uncommitted.is_empty() {
        let text = working_tree_patch(&sel.repo, &sel.uncommitted).map_err(|e| e.message().to_string())?;
        push_limited(&mut out, &format!("Uncommitted changes:\n\n{text}"));
    }
    Ok(Shown { text: out, commits: sel.commits.len() })
}

/// One file of a side-by-side view: its text before and after the changes (`None`:
/// the file did not exist then; binary and oversized files carry no text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePair {
    /// Project-relative when inside the project, else repository-relative.
    pub path: String,
    /// The file in the working tree (which may not exist any more).
    pub file: Option<std::path::PathBuf>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub binary: bool,
}

/// Files shown side by side at most.
const MAX_PAIRS: usize = 100;
/// The largest file text shown side by side.
const MAX_PAIR_BYTES: usize = 1 << 20;

/// The same changes as [`spec_changes`], file by file: each file as it was before the
/// oldest commit that changed it and as the newest one (or, for uncommitted changes, the
/// working tree) left it. For clients with a diff view.
pub fn spec_file_pairs(
    root: &Path,
    facts: &GitFacts,
    id: &str,
    refs: Option<&GitRefs>,
    wanted: Wanted,
) -> Result<(usize, Vec<FilePair>), String> {
    let sel = select(root, facts, id, refs, wanted)?;
    let repo = &sel.repo;
    let prefix = repo.workdir().map(|w| super::git::project_prefix(w, root)).unwrap_or_default();
    let err = |e: git2::Error| e.message().to_string();
    // Repository path -> (the tree before, the tree after), oldest and newest commit.
    let mut spans: Vec<(String, Oid, Option<Oid>)> = Vec::new();
    for c in &sel.commits {
        let commit = repo.find_commit(Oid::from_str(&c.id).map_err(err)?).map_err(err)?;
        let tree = commit.tree().map_err(err)?;
        let parent = commit.parent(0).ok().map(|p| p.tree()).transpose().map_err(err)?;
        let mut opts = DiffOptions::new();
        for p in sel.paths.as_deref().unwrap_or_default() {
            opts.pathspec(p);
        }
        opts.disable_pathspec_match(sel.paths.is_some());
        let diff = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts)).map_err(err)?;
        for delta in diff.deltas() {
            let Some(path) = delta.new_file().path().or_else(|| delta.old_file().path()) else { continue };
            let path = path.to_string_lossy().replace('\\', "/");
            let full = spans.len() >= MAX_PAIRS;
            match spans.iter_mut().find(|(p, _, _)| *p == path) {
                Some(span) => span.2 = Some(tree.id()),
                None if !full => {
                    spans.push((path, parent.as_ref().map_or(Oid::ZERO_SHA1, |t| t.id()), Some(tree.id())))
                }
                None => {}
            }
        }
    }
    let workdir = repo.workdir().map(Path::to_path_buf);
    let project = super::read::Project::new(root);
    for p in &sel.uncommitted {
        if spans.len() >= MAX_PAIRS {
            break;
        }
        match spans.iter_mut().find(|(q, _, _)| q == p) {
            Some(span) => span.2 = None,
            None => {
                let head = repo.head().and_then(|h| h.peel_to_tree()).map_err(err)?;
                spans.push((p.clone(), head.id(), None));
            }
        }
    }
    let blob_text = |tree: Oid, path: &str| -> (Option<String>, bool) {
        if tree.is_zero() {
            return (None, false);
        }
        let found = repo
            .find_tree(tree)
            .ok()
            .and_then(|t| t.get_path(Path::new(path)).ok())
            .and_then(|e| repo.find_blob(e.id()).ok());
        match found {
            None => (None, false),
            Some(b) if b.is_binary() || b.size() > MAX_PAIR_BYTES => (None, true),
            Some(b) => (Some(String::from_utf8_lossy(b.content()).into_owned()), false),
        }
    };
    let mut out = Vec::new();
    for (path, before_tree, after_tree) in spans {
        let (before, b1) = blob_text(before_tree, &path);
        let (after, b2) = match after_tree {
            Some(t) => blob_text(t, &path),
            None => match (path.strip_prefix(prefix.as_str()), &workdir) {
                (Some(rel), Some(_)) => match project.read(Path::new(rel), MAX_PAIR_BYTES) {
                    Ok(bytes) if bytes.contains(&0) => (None, true),
                    Ok(bytes) => (Some(String::from_utf8_lossy(&bytes).into_owned()), false),
                    Err(_) => (None, false),
                },
                _ => (None, false),
            },
        };
        let shown = path.strip_prefix(prefix.as_str()).map_or(path.clone(), str::to_string);
        let file = workdir.as_ref().map(|w| w.join(&path));
        out.push(FilePair { path: shown, file, before, after, binary: b1 || b2 });
    }
    Ok((sel.commits.len(), out))
}

fn working_tree_patch(repo: &Repository, paths: &[String]) -> Result<String, git2::Error> {
    if let Some(workdir) = repo.workdir() {
        for p in paths {
            super::git_guard::path_files(workdir, p).map_err(|why| git2::Error::from_str(&why))?;
        }
    }
    let head = repo.head()?.peel_to_tree()?;
    let mut opts = DiffOptions::new();
    for p in paths {
        opts.pathspec(p);
    }
    opts.disable_pathspec_match(true).include_untracked(true).show_untracked_content(true);
    let diff = repo.diff_tree_to_workdir_with_index(Some(&head), Some(&mut opts))?;
    printed(&diff)
}

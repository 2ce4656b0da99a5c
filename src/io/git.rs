//! Reads a project's git facts ([`GitFacts`]) with git2: commits and their subjects,
//! branches against the main branch, worktrees, the paths recent commits changed and
//! the working tree's uncommitted changes. Never runs a `git` process.
//!
//! A [`GitReader`] is kept per project: commits and diffs are immutable, so they are
//! cached by object ID and a refresh after one new commit reads one commit and one diff.
//! Every walk has a bound; what a bound cut is said in `GitFacts::notes`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{BranchType, Oid, Repository, Sort, StatusOptions};

use crate::analysis::git::{text_hash, BranchFact, CommitFact, GitFacts, WorktreeFact};

/// Commits read at most (newest first); older ones are not known.
pub const MAX_COMMITS: usize = 50_000;
/// Commits of HEAD's history diffed at most for drift.
pub const MAX_DIFFED: usize = 20_000;
/// Worktrees examined at most.
const MAX_WORKTREES: usize = 64;
/// Uncommitted paths kept at most.
const MAX_DIRTY: usize = 50_000;
/// Committer times are not ordered (rebases, clock skew): diffs go this much further
/// back than asked.
const SLACK: i64 = 86_400;
/// The largest spec copy read from a branch.
const MAX_SPEC_BYTES: usize = 4 << 20;

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRequest {
    pub root: PathBuf,
    pub main_branch: String,
    pub branch_prefix: String,
    /// Diff HEAD's history back to this time (the oldest `completed_at` of a completed
    /// spec with drift inputs); `None`: no diffs.
    pub since: Option<i64>,
    /// Lines cited by completed specs, as of their completion.
    pub lines: Vec<crate::analysis::git::LineQuery>,
}

/// A project's reader with its caches.
#[derive(Default)]
pub struct GitReader {
    commits: HashMap<Oid, CommitFact>,
    diffs: HashMap<Oid, Arc<[String]>>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl GitReader {
    pub fn new() -> GitReader {
        GitReader::default()
    }

    /// Reads the facts; never fails: what could not be read is said in the facts.
    pub fn read(&mut self, req: &GitRequest) -> GitFacts {
        let mut facts = match self.read_repo(req) {
            Ok(f) => f,
            Err(why) => GitFacts::unavailable(why),
        };
        facts.read_at = now();
        facts.main_branch.clone_from(&req.main_branch);
        facts.branch_prefix.clone_from(&req.branch_prefix);
        facts.index();
        facts
    }

    fn read_repo(&mut self, req: &GitRequest) -> Result<GitFacts, String> {
        let repo = match Repository::discover(&req.root) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                return Err("the project is not in a git repository".to_string())
            }
            Err(e) => return Err(format!("the git repository could not be opened: {}", e.message())),
        };
        let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
            return Err("the repository is bare (no working tree)".to_string());
        };
        let prefix = project_prefix(&workdir, &req.root);
        let head = match repo.head() {
            Ok(h) => h,
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
                return Err("the repository has no commit yet".to_string())
            }
            Err(e) => return Err(format!("HEAD could not be read: {}", e.message())),
        };
        let mut facts = GitFacts::default();
        facts.shallow = repo.is_shallow();
        facts.head_branch = if head.is_branch() { head.shorthand().ok().map(str::to_string) } else { None };
        if facts.shallow {
            facts.notes.push(
                "the repository is a shallow clone: unknown commit hashes and drift are not checked (fetch the whole history, e.g. `fetch-depth: 0`)"
                    .to_string(),
            );
        }
        let head_oid = head.target();
        let main_tip =
            repo.find_branch(&req.main_branch, BranchType::Local).ok().and_then(|b| b.get().target());
        facts.main_found = main_tip.is_some();
        if main_tip.is_none() {
            facts.notes.push(format!(
                "the main branch `{}` (`defaults.main_branch`) does not exist: whether spec branches are merged is not shown",
                req.main_branch
            ));
        }
        let worktrees = self.worktrees(&repo);
        self.walk(&repo, head_oid, &worktrees, &mut facts)?;
        let main_set = main_tip.map(|t| reachable(&repo, t)).unwrap_or_default();
        facts.branches = branches(&repo, &req.branch_prefix, &prefix, main_tip, &main_set);
        facts.worktrees = worktrees.into_iter().map(|(w, _)| w).collect();
        if let (Some(since), Some(head_oid), false) = (req.since, head_oid, facts.shallow) {
            self.changes(&repo, head_oid, since, &prefix, &mut facts);
        }
        (facts.dirty, facts.tracked_changes) = dirty(&repo, &prefix);
        if let (Some(head), false) = (head_oid, facts.shallow) {
            facts.lines = super::git_lines::fates(&repo, head, &workdir, &prefix, &req.lines);
        }
        Ok(facts)
    }

    /// Linked worktrees with their HEADs.
    fn worktrees(&self, repo: &Repository) -> Vec<(WorktreeFact, Option<Oid>)> {
        let Ok(names) = repo.worktrees() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for name in names.iter().flatten().flatten().take(MAX_WORKTREES) {
            let Ok(wt) = repo.find_worktree(name) else { continue };
            let path = wt.path().to_string_lossy().into_owned();
            let opened = wt.validate().ok().and_then(|()| Repository::open_from_worktree(&wt).ok());
            let Some(wrepo) = opened else {
                // The folder is gone: git still lists it until pruned; its branch is in
                // the worktree's own HEAD file, which libgit2 reads only when valid.
                out.push((WorktreeFact { path, branch: None, changed_files: None }, None));
                continue;
            };
            let head = wrepo.head().ok();
            let branch =
                head.as_ref().filter(|h| h.is_branch()).and_then(|h| h.shorthand().ok().map(str::to_string));
            let oid = head.as_ref().and_then(git2::Reference::target);
            let changed = count_changes(&wrepo);
            out.push((WorktreeFact { path, branch, changed_files: changed }, oid));
        }
        out
    }

    /// Every commit reachable from branches, remote branches, HEAD and worktree HEADs,
    /// newest first, up to [`MAX_COMMITS`].
    fn walk(
        &mut self,
        repo: &Repository,
        head: Option<Oid>,
        worktrees: &[(WorktreeFact, Option<Oid>)],
        facts: &mut GitFacts,
    ) -> Result<(), String> {
        let mut walk =
            repo.revwalk().map_err(|e| format!("the history could not be walked: {}", e.message()))?;
        let _ = walk.set_sorting(Sort::TIME);
        let _ = walk.push_glob("refs/heads/*");
        let _ = walk.push_glob("refs/remotes/*");
        for oid in head.into_iter().chain(worktrees.iter().filter_map(|w| w.1)) {
            let _ = walk.push(oid);
        }
        let mut seen = HashSet::new();
        for item in walk {
            let oid = match item {
                Ok(oid) => oid,
                Err(e) => {
                    facts.truncated = true;
                    facts.notes.push(format!("the history could not be read to the end: {}", e.message()));
                    break;
                }
            };
            if facts.commits.len() == MAX_COMMITS {
                facts.truncated = true;
                facts.notes.push(format!(
                    "the history has more than {MAX_COMMITS} commits: older commits are not read, so `commits:` hashes are not checked"
                ));
                break;
            }
            seen.insert(oid);
            if let Some(c) = self.commits.get(&oid) {
                facts.commits.push(c.clone());
                continue;
            }
            match repo.find_commit(oid) {
                Ok(c) => {
                    let fact = CommitFact {
                        id: oid.to_string(),
                        subject: String::from_utf8_lossy(c.summary_bytes().unwrap_or_default()).into_owned(),
                        author: String::from_utf8_lossy(c.author().name_bytes()).into_owned(),
                        time: c.committer().when().seconds(),
                        merge: c.parent_count() > 1,
                    };
                    self.commits.insert(oid, fact.clone());
                    facts.commits.push(fact);
                }
                Err(e) => {
                    facts.truncated = true;
                    facts.notes.push(format!("commit {oid} could not be read: {}", e.message()));
                }
            }
        }
        // Forget commits no ref reaches any more (rewritten history).
        self.commits.retain(|oid, _| seen.contains(oid));
        Ok(())
    }

    /// The paths each non-merge commit of HEAD's history changed, back to `since`.
    fn changes(&mut self, repo: &Repository, head: Oid, since: i64, prefix: &str, facts: &mut GitFacts) {
        let index: HashMap<Oid, u32> = facts
            .commits
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((Oid::from_str(&c.id).ok()?, i as u32)))
            .collect();
        let Ok(mut walk) = repo.revwalk() else { return };
        let _ = walk.set_sorting(Sort::TIME);
        if walk.push(head).is_err() {
            return;
        }
        let mut changes: HashMap<String, Vec<u32>> = HashMap::new();
        let mut used = HashSet::new();
        for (diffed, oid) in walk.flatten().enumerate() {
            let Ok(commit) = repo.find_commit(oid) else { break };
            if commit.committer().when().seconds() < since - SLACK {
                break;
            }
            if diffed == MAX_DIFFED {
                facts.notes.push(format!(
                    "drift is checked over the newest {MAX_DIFFED} commits of HEAD only: older completed specs are not checked"
                ));
                break;
            }
            if commit.parent_count() > 1 {
                continue;
            }
            let Some(&i) = index.get(&oid) else { continue };
            used.insert(oid);
            let paths = match self.diffs.get(&oid) {
                Some(p) => p.clone(),
                None => {
                    let p: Arc<[String]> = changed_paths(repo, &commit).into();
                    self.diffs.insert(oid, p.clone());
                    p
                }
            };
            for p in paths.iter() {
                if let Some(rel) = p.strip_prefix(prefix) {
                    changes.entry(rel.to_string()).or_default().push(i);
                }
            }
        }
        self.diffs.retain(|oid, _| used.contains(oid));
        facts.changes = changes;
        facts.history_since = Some(since);
    }
}

/// The project root's path inside the working tree, with a trailing `/` (or empty).
fn project_prefix(workdir: &Path, root: &Path) -> String {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    match canon(root).strip_prefix(canon(workdir)) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", rel.to_string_lossy().replace('\\', "/")),
        Err(_) => String::new(),
    }
}

/// Every commit reachable from `tip`.
fn reachable(repo: &Repository, tip: Oid) -> HashSet<Oid> {
    let Ok(mut walk) = repo.revwalk() else { return HashSet::new() };
    if walk.push(tip).is_err() {
        return HashSet::new();
    }
    walk.flatten().take(MAX_COMMITS * 2).collect()
}

fn branches(
    repo: &Repository,
    spec_prefix: &str,
    project_prefix: &str,
    main_tip: Option<Oid>,
    main_set: &HashSet<Oid>,
) -> HashMap<String, BranchFact> {
    let mut out = HashMap::new();
    let Ok(list) = repo.branches(Some(BranchType::Local)) else {
        return out;
    };
    for (branch, _) in list.flatten() {
        let Some(name) = branch.name().ok().flatten().map(str::to_string) else { continue };
        let Some(tip) = branch.get().target() else { continue };
        let merged = main_tip.map(|_| main_set.contains(&tip));
        let ahead_behind = match (main_tip, merged) {
            (Some(_), Some(true)) => Some((0, 0)),
            (Some(main), _) => repo.graph_ahead_behind(tip, main).ok(),
            (None, _) => None,
        };
        let spec_copy = name
            .strip_prefix(spec_prefix)
            .filter(|id| !id.is_empty())
            .and_then(|id| spec_blob_hash(repo, tip, &format!("{project_prefix}.chant/specs/{id}.md")));
        out.insert(name.clone(), BranchFact { name, tip: tip.to_string(), ahead_behind, merged, spec_copy });
    }
    out
}

fn spec_blob_hash(repo: &Repository, tip: Oid, path: &str) -> Option<u64> {
    let tree = repo.find_commit(tip).ok()?.tree().ok()?;
    let entry = tree.get_path(Path::new(path)).ok()?;
    let blob = repo.find_blob(entry.id()).ok()?;
    (blob.size() <= MAX_SPEC_BYTES).then(|| text_hash(blob.content()))
}

/// Repository-relative paths a commit changed against its first parent (both sides of
/// a rename).
fn changed_paths(repo: &Repository, commit: &git2::Commit) -> Vec<String> {
    let Ok(tree) = commit.tree() else { return Vec::new() };
    let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
    let Ok(diff) = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), None) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in diff.deltas() {
        for f in [d.old_file(), d.new_file()] {
            if let Some(p) = f.path().and_then(Path::to_str) {
                if out.last().is_none_or(|l: &String| l != p) {
                    out.push(p.to_string());
                }
            }
        }
    }
    out
}

fn status_options() -> StatusOptions {
    let mut o = StatusOptions::new();
    o.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false).exclude_submodules(true);
    o
}

fn count_changes(repo: &Repository) -> Option<usize> {
    repo.statuses(Some(&mut status_options())).ok().map(|s| s.len())
}

/// Project-relative paths with uncommitted changes in the main working tree, and how
/// many tracked files of the whole working tree have changes.
fn dirty(repo: &Repository, prefix: &str) -> (HashSet<String>, usize) {
    let Ok(statuses) = repo.statuses(Some(&mut status_options())) else {
        return (HashSet::new(), 0);
    };
    let tracked = statuses.iter().filter(|e| e.status() != git2::Status::WT_NEW).count();
    let paths = statuses
        .iter()
        .filter_map(|e| e.path().ok().and_then(|p| p.strip_prefix(prefix)).map(str::to_string))
        .take(MAX_DIRTY)
        .collect();
    (paths, tracked)
}

/// What to read for a project: its config's branch names, and how far back drift
/// needs diffs (the oldest completion among completed specs with drift inputs).
pub fn request(root: &Path, ws: &crate::analysis::workspace::Workspace) -> GitRequest {
    let since = ws
        .project
        .specs
        .iter()
        .filter(|s| s.chant_status() == crate::analysis::frontmatter::Status::Completed)
        .filter_map(|s| s.git.as_deref())
        .filter(|g| !g.drift.is_empty())
        .filter_map(|g| g.completed_at)
        .min();
    let mut lines: Vec<crate::analysis::git::LineQuery> = ws
        .project
        .specs
        .iter()
        .filter(|s| s.chant_status() == crate::analysis::frontmatter::Status::Completed)
        .filter_map(|s| s.git.as_deref())
        .filter_map(|g| Some((g.completed_at?, &g.line_refs)))
        .flat_map(|(at, refs)| {
            refs.iter().filter_map(move |r| match crate::analysis::facts::normalize_link(&r.path) {
                crate::analysis::facts::LinkPath::Relative(path) => {
                    Some(crate::analysis::git::LineQuery { path, first: r.lines.0, last: r.lines.1, at })
                }
                _ => None,
            })
        })
        .collect();
    lines.sort();
    lines.dedup();
    let config = ws.config();
    GitRequest {
        root: root.to_path_buf(),
        main_branch: config.main_branch.clone(),
        branch_prefix: config.branch_prefix.clone(),
        since,
        lines,
    }
}

/// Reads a project's git facts once and gives them to its workspace (what `check`
/// does; the server keeps a [`GitReader`] per project instead).
pub fn attach(root: &Path, ws: &mut crate::analysis::workspace::Workspace) {
    let facts = GitReader::new().read(&request(root, ws));
    let running = crate::io::run::lock_holders(root).into_keys().collect();
    ws.set_git(Some(Arc::new(facts)), running);
}

/// The files commit `hash` changed against its first parent, with line counts (at
/// most 200 files; files over 1 MB count as binary). `None` when it cannot be read.
pub fn commit_files(root: &Path, hash: &str) -> Option<Vec<crate::analysis::ide::git::FileStat>> {
    use crate::analysis::ide::git::FileStat;
    let repo = Repository::discover(root).ok()?;
    let commit = repo.revparse_single(hash.trim()).ok()?.peel_to_commit().ok()?;
    let tree = commit.tree().ok()?;
    let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
    let mut opts = git2::DiffOptions::new();
    opts.max_size(1 << 20);
    let diff = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut opts)).ok()?;
    let mut out = Vec::new();
    for i in 0..diff.deltas().len().min(200) {
        let Some(delta) = diff.get_delta(i) else { continue };
        let path = delta
            .new_file()
            .path()
            .or_else(|| delta.old_file().path())
            .map_or_else(String::new, |p| p.to_string_lossy().into_owned());
        let lines = match git2::Patch::from_diff(&diff, i) {
            Ok(Some(patch)) if !delta.flags().is_binary() => patch.line_stats().ok().map(|(_, a, d)| (a, d)),
            _ => None,
        };
        out.push(FileStat { path, lines });
    }
    Some(out)
}

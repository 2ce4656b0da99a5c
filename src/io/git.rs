//! Reads a project's git facts ([`GitFacts`]) with git2: commits and their subjects,
//! branches against the main branch, worktrees, the paths recent commits changed and
//! the working tree's uncommitted changes. Never runs a `git` process.
//!
//! A [`GitReader`] is kept per project: commits and diffs are immutable, so they are
//! cached by object ID and a refresh after one new commit reads one commit and one diff.
//! The commit graph is held in memory ([`history`]): merged or not and ahead/behind are
//! answered there, not by a libgit2 walk per branch. Diffs skip unchanged subtrees and
//! folders no drift input can match ([`diff`]); spec copies are read for the specs in
//! progress only. The working trees' uncommitted changes are scanned on a second
//! thread while the history is read ([`status`]: waited for at most a bound, never
//! two at once), and the repositories stay open between reads.
//! Every walk has a bound; what a bound cut is said in `GitFacts::notes`.

mod diff;
mod history;
mod status;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{BranchType, Oid, Repository};

use crate::analysis::git::{text_hash, BranchFact, GitFacts, WorktreeFact};
use diff::{Differ, Interest};
use history::{History, Key, Known, OidMap};

/// Commits read at most (newest first); older ones are not known.
pub const MAX_COMMITS: usize = 50_000;
/// Commits of HEAD's history diffed at most for drift.
pub const MAX_DIFFED: usize = 20_000;
/// Worktrees examined at most.
const MAX_WORKTREES: usize = 64;
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
    /// The project-relative paths and globs those diffs are for (the drift inputs);
    /// the diffs keep the paths these can match, and skip folders they cannot.
    pub paths: Vec<String>,
    /// Spec IDs whose copy on their `<branch_prefix><ID>` branch is compared with the
    /// working tree's (specs in progress: chant reads them from the branch).
    pub copies: Vec<String>,
    /// Lines cited by completed specs, as of their completion.
    pub lines: Vec<crate::analysis::git::LineQuery>,
}

/// Why a repository was not read: `Silent` when there is nothing to read (no
/// repository, no commit, no working tree), `Reported` when one is there but could
/// not be read (said on the project's config).
enum Unread {
    Silent(String),
    Reported(String),
}

/// A project's reader with its caches.
pub struct GitReader {
    /// Every commit read so far that a ref still reaches, with its parents.
    commits: OidMap<Known>,
    /// The paths each commit changed, for `interest`.
    diffs: OidMap<Arc<[String]>>,
    interest: Option<Interest>,
    /// Spec copies by branch tip and path.
    copies: HashMap<(Key, String), Option<u64>>,
    /// Commits ahead and behind, by branch tip and main tip.
    ahead_behind: HashMap<(Key, Key), (usize, usize)>,
    handles: Handles,
    /// The scan of uncommitted changes of an earlier read that had not ended when that
    /// read gave up waiting.
    scan: Option<status::Scan>,
    /// How long a read waits for its scan of uncommitted changes.
    patience: std::time::Duration,
}

/// How long a read waits for the scan of uncommitted changes by default.
pub const STATUS_PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// Repositories kept open between reads.
#[derive(Default)]
struct Handles {
    history: Option<Repository>,
    status: Option<Repository>,
    /// By worktree name and path.
    worktrees: HashMap<(String, String), Repository>,
}

/// libgit2 hashes every object it reads to check its ID (git itself does not; zlib's
/// checksum still catches a damaged object). Off for the whole process, once: the
/// history walk and the diffs read tens of thousands of objects.
fn no_hash_checks() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| git2::opts::strict_hash_verification(false));
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Default for GitReader {
    fn default() -> GitReader {
        GitReader::new()
    }
}

impl GitReader {
    /// A reader that waits [`STATUS_PATIENCE`] for a scan of uncommitted changes.
    pub fn new() -> GitReader {
        GitReader::with_patience(STATUS_PATIENCE)
    }

    /// A reader that waits at most `patience` for a scan of uncommitted changes.
    pub fn with_patience(patience: std::time::Duration) -> GitReader {
        GitReader {
            commits: OidMap::default(),
            diffs: OidMap::default(),
            interest: None,
            copies: HashMap::new(),
            ahead_behind: HashMap::new(),
            handles: Handles::default(),
            scan: None,
            patience,
        }
    }

    /// Reads the facts; never fails: what could not be read is said in the facts.
    pub fn read(&mut self, req: &GitRequest) -> GitFacts {
        no_hash_checks();
        let mut facts = match self.read_repo(req) {
            Ok(f) => f,
            Err(Unread::Silent(why)) => GitFacts::unavailable(why),
            Err(Unread::Reported(why)) => {
                let mut f = GitFacts::unavailable(why.clone());
                f.notes.push(why);
                f
            }
        };
        facts.read_at = now();
        facts.main_branch.clone_from(&req.main_branch);
        facts.branch_prefix.clone_from(&req.branch_prefix);
        facts.index();
        facts
    }

    fn read_repo(&mut self, req: &GitRequest) -> Result<GitFacts, Unread> {
        let found = match super::git_guard::discover(&req.root) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                return Err(Unread::Silent("the project is not in a git repository".to_string()))
            }
            Err(e) => {
                return Err(Unread::Reported(format!(
                    "the git repository could not be opened: {}",
                    e.message()
                )))
            }
        };
        // The handles of the last read, when it was the same repository: they keep
        // libgit2's object cache and loaded index. (The check above covered them.)
        let same = |kept: &Option<Repository>| kept.as_ref().is_some_and(|k| k.path() == found.path());
        let status_repo = match same(&self.handles.status) {
            true => self.handles.status.take(),
            false => Repository::discover(&req.root).ok(),
        };
        let repo = match same(&self.handles.history) {
            true => self.handles.history.take().unwrap_or(found),
            false => found,
        };
        let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
            return Err(Unread::Silent("the repository is bare (no working tree)".to_string()));
        };
        let prefix = project_prefix(&workdir, &req.root);
        let head = match repo.head() {
            Ok(h) => h,
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
                return Err(Unread::Silent("the repository has no commit yet".to_string()))
            }
            Err(e) => return Err(Unread::Reported(format!("HEAD could not be read: {}", e.message()))),
        };
        let mut facts = GitFacts::default();
        facts.shallow = repo.is_shallow();
        facts.head_branch = if head.is_branch() { head.shorthand().ok().map(str::to_string) } else { None };
        let head_oid = head.target();
        facts.head = head_oid.map(|o| o.to_string());
        drop(head);
        if facts.shallow {
            facts.notes.push(
                "the repository is a shallow clone: unknown commit hashes and drift are not checked (fetch the whole history, e.g. `fetch-depth: 0`)"
                    .to_string(),
            );
        }
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
        let heads: Vec<Option<Oid>> = worktrees.iter().map(|w| w.head).collect();
        // Uncommitted changes (a scan of each working tree) on their own thread, while
        // this one reads history; waited for at most `patience` ([`status`]).
        let mut metas = Vec::with_capacity(worktrees.len());
        let mut wt_repos = Vec::with_capacity(worktrees.len());
        for w in worktrees {
            metas.push((w.name, w.fact));
            wt_repos.push(w.repo);
        }
        let scan = status::start(&mut self.scan, status_repo, wt_repos, prefix.clone());
        let refs = Refs::gather(&repo, head_oid, &heads);
        let history = self.walk(&repo, &refs, &mut facts);
        facts.branches = self.branches(&repo, req, &refs, &prefix, main_tip, history.as_ref());
        if let (Some(since), Some(head_oid), false) = (req.since, head_oid, facts.shallow) {
            self.changes(&repo, req, history.as_ref(), head_oid, since, &prefix, &mut facts);
        }
        if let (Some(head), false) = (head_oid, facts.shallow) {
            facts.lines = super::git_lines::fates(&repo, head, &workdir, &prefix, &req.lines);
        }
        let scanned = status::finish(&mut self.scan, self.patience, scan, &mut facts);
        self.handles.worktrees.clear();
        let mut counts = Vec::new();
        if let Some(s) = scanned {
            (facts.dirty, facts.tracked_changes) = (s.dirty, s.tracked);
            self.handles.status = s.status;
            counts = s.counts;
            for ((name, fact), r) in metas.iter().zip(s.repos) {
                if let Some(r) = r {
                    self.handles.worktrees.insert((name.clone(), fact.path.clone()), r);
                }
            }
        }
        for (i, (_, mut fact)) in metas.into_iter().enumerate() {
            fact.changed_files = counts.get(i).copied().flatten();
            facts.worktrees.push(fact);
        }
        self.handles.history = Some(repo);
        Ok(facts)
    }

    /// Linked worktrees with their HEADs and opened repositories (kept from the last
    /// read when still valid); changed files are counted later.
    fn worktrees(&mut self, repo: &Repository) -> Vec<Worktree> {
        let Ok(names) = repo.worktrees() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for name in names.iter().flatten().flatten().take(MAX_WORKTREES) {
            let Ok(wt) = repo.find_worktree(name) else { continue };
            let path = wt.path().to_string_lossy().into_owned();
            let kept = self.handles.worktrees.remove(&(name.to_string(), path.clone()));
            let opened =
                wt.validate().ok().and_then(|()| kept.or_else(|| Repository::open_from_worktree(&wt).ok()));
            let Some(wrepo) = opened else {
                // The folder is gone: git still lists it until pruned; its branch is in
                // the worktree's own HEAD file, which libgit2 reads only when valid.
                let fact = WorktreeFact { path, branch: None, changed_files: None };
                out.push(Worktree { name: name.to_string(), fact, head: None, repo: None });
                continue;
            };
            let head = wrepo.head().ok();
            let branch =
                head.as_ref().filter(|h| h.is_branch()).and_then(|h| h.shorthand().ok().map(str::to_string));
            let oid = head.as_ref().and_then(git2::Reference::target);
            drop(head);
            let fact = WorktreeFact { path, branch, changed_files: None };
            out.push(Worktree { name: name.to_string(), fact, head: oid, repo: Some(wrepo) });
        }
        out
    }

    /// Every commit reachable from branches, remote branches, HEAD and worktree HEADs,
    /// newest first, up to [`MAX_COMMITS`]. `None` when a commit could not be read (no
    /// commits are then known).
    fn walk(&mut self, repo: &Repository, refs: &Refs, facts: &mut GitFacts) -> Option<History> {
        // The tips as libgit2's revwalk takes them: refs peeled to commits, others
        // skipped (a known commit needs no reading).
        let commit = |t: Oid| match self.commits.contains_key(&Key::of(t)) {
            true => Some(Key::of(t)),
            false => repo.find_object(t, None).ok()?.peel_to_commit().ok().map(|c| Key::of(c.id())),
        };
        let mut tips: Vec<Key> = refs.tips.iter().filter_map(|&t| commit(t)).collect();
        tips.sort_unstable();
        tips.dedup();
        let history = match History::read(repo, &tips, &mut self.commits) {
            Ok(h) => h,
            Err(e) => {
                facts.truncated = true;
                facts.notes.push(format!("the history could not be read to the end: {}", e.message()));
                return None;
            }
        };
        // Forget commits no ref reaches any more (rewritten history).
        self.commits.retain(|oid, _| history.index.contains_key(oid));
        if history.oids.len() > MAX_COMMITS {
            facts.truncated = true;
            facts.notes.push(format!(
                "the history has more than {MAX_COMMITS} commits: older commits are not read, so `commits:` hashes are not checked"
            ));
        }
        facts.commits = history.oids.iter().take(MAX_COMMITS).map(|o| self.commits[o].fact.clone()).collect();
        Some(history)
    }

    fn branches(
        &mut self,
        repo: &Repository,
        req: &GitRequest,
        refs: &Refs,
        project_prefix: &str,
        main_tip: Option<Oid>,
        history: Option<&History>,
    ) -> HashMap<String, BranchFact> {
        // Merged and ahead/behind from the commit graph in memory; libgit2's walks when
        // the history could not be read.
        let main_idx = main_tip.and_then(|t| history?.index.get(&Key::of(t)).copied());
        let main_reach = main_idx.zip(history).map(|(m, h)| h.reach(m));
        let main_set = match (main_tip, &main_reach) {
            (Some(t), None) => reachable(repo, t),
            _ => HashSet::new(),
        };
        let copies: HashSet<&str> = req.copies.iter().map(String::as_str).collect();
        let (mut used, mut used_counts) = (HashSet::new(), HashSet::new());
        let mut out = HashMap::new();
        for (name, tip) in &refs.branches {
            let (name, tip) = (name.clone(), *tip);
            let in_memory =
                history.and_then(|h| Some((h, *h.index.get(&Key::of(tip))?, main_reach.as_deref()?)));
            let merged = main_tip.map(|_| match in_memory {
                Some((_, t, reach)) => reach[t as usize],
                None => main_set.contains(&tip),
            });
            let ahead_behind = match (main_tip, merged, in_memory) {
                (Some(_), Some(true), _) => Some((0, 0)),
                (Some(main), _, Some((h, t, reach))) => {
                    let key = (Key::of(tip), Key::of(main));
                    used_counts.insert(key);
                    Some(*self.ahead_behind.entry(key).or_insert_with(|| h.ahead_behind(t, reach)))
                }
                (Some(main), _, None) => repo.graph_ahead_behind(tip, main).ok(),
                (None, _, _) => None,
            };
            let spec_copy = name
                .strip_prefix(req.branch_prefix.as_str())
                .filter(|id| !id.is_empty() && copies.contains(id))
                .and_then(|id| {
                    let key = (Key::of(tip), format!("{project_prefix}.chant/specs/{id}.md"));
                    let copy = match self.copies.get(&key) {
                        Some(c) => *c,
                        None => spec_blob_hash(repo, tip, &key.1),
                    };
                    self.copies.insert(key.clone(), copy);
                    used.insert(key);
                    copy
                });
            out.insert(
                name.clone(),
                BranchFact { name, tip: tip.to_string(), ahead_behind, merged, spec_copy },
            );
        }
        self.copies.retain(|k, _| used.contains(k));
        self.ahead_behind.retain(|k, _| used_counts.contains(k));
        out
    }

    /// The paths each non-merge commit of HEAD's history changed, back to `since`
    /// (those `req.paths` can match).
    #[allow(clippy::too_many_arguments, reason = "one call site, all of it read state")]
    fn changes(
        &mut self,
        repo: &Repository,
        req: &GitRequest,
        history: Option<&History>,
        head: Oid,
        since: i64,
        prefix: &str,
        facts: &mut GitFacts,
    ) {
        let interest = Interest::new(prefix, &req.paths);
        if self.interest.as_ref() != Some(&interest) {
            self.diffs.clear();
        }
        let mut changes: HashMap<String, Vec<u32>> = HashMap::new();
        let mut used = HashSet::new();
        if let Some(h) = history {
            let reach = h.index.get(&Key::of(head)).map(|&i| h.reach(i)).unwrap_or_default();
            let mut differ = Differ::new(repo, &interest);
            let head_history = (0..h.oids.len()).filter(|&i| reach[i]);
            for (diffed, i) in head_history.enumerate() {
                let oid = h.oids[i];
                let c = &self.commits[&oid];
                if c.fact.time < since - SLACK {
                    break;
                }
                if diffed == MAX_DIFFED {
                    facts.notes.push(format!(
                        "drift is checked over the newest {MAX_DIFFED} commits of HEAD only: older completed specs are not checked"
                    ));
                    break;
                }
                if c.fact.merge || i >= MAX_COMMITS {
                    continue;
                }
                used.insert(oid);
                let paths = match self.diffs.get(&oid) {
                    Some(p) => p.clone(),
                    None => {
                        let parent = c.parents.first().and_then(|p| self.commits.get(p)).map(|p| p.tree);
                        let p: Arc<[String]> = differ.changed(parent, c.tree).unwrap_or_default().into();
                        self.diffs.insert(oid, p.clone());
                        p
                    }
                };
                for p in paths.iter() {
                    if let Some(rel) = p.strip_prefix(prefix) {
                        changes.entry(rel.to_string()).or_default().push(i as u32);
                    }
                }
            }
        }
        self.diffs.retain(|oid, _| used.contains(oid));
        self.interest = Some(interest);
        facts.changes = changes;
        facts.history_since = Some(since);
    }
}

/// A linked worktree: its fact, HEAD and opened repository.
struct Worktree {
    name: String,
    fact: WorktreeFact,
    head: Option<Oid>,
    repo: Option<Repository>,
}

/// The refs a read starts from, read once: local branches with their tips, and every
/// commit the history walk starts at (branches, remote branches, HEAD, worktree HEADs).
struct Refs {
    branches: Vec<(String, Oid)>,
    tips: Vec<Oid>,
}

impl Refs {
    fn gather(repo: &Repository, head: Option<Oid>, worktree_heads: &[Option<Oid>]) -> Refs {
        let mut refs = Refs { branches: Vec::new(), tips: Vec::new() };
        for glob in ["refs/heads/*", "refs/remotes/*"] {
            let Ok(list) = repo.references_glob(glob) else { continue };
            for r in list.flatten() {
                if let (Some(name), Some(tip)) =
                    (r.name().ok().and_then(|n| n.strip_prefix("refs/heads/")), r.target())
                {
                    refs.branches.push((name.to_string(), tip));
                }
                refs.tips.extend(r.resolve().ok().and_then(|r| r.target()));
            }
        }
        refs.tips.extend(head.into_iter().chain(worktree_heads.iter().flatten().copied()));
        refs
    }
}

/// The project root's path inside the working tree, with a trailing `/` (or empty).
pub(crate) fn project_prefix(workdir: &Path, root: &Path) -> String {
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

fn spec_blob_hash(repo: &Repository, tip: Oid, path: &str) -> Option<u64> {
    let tree = repo.find_commit(tip).ok()?.tree().ok()?;
    let entry = tree.get_path(Path::new(path)).ok()?;
    let blob = repo.find_blob(entry.id()).ok()?;
    (blob.size() <= MAX_SPEC_BYTES).then(|| text_hash(blob.content()))
}

/// What to read for a project: its config's branch names, how far back drift needs
/// diffs (the oldest completion among completed specs with drift inputs) and for which
/// paths, and the specs in progress (their branch copies).
pub fn request(root: &Path, ws: &crate::analysis::workspace::Workspace) -> GitRequest {
    use crate::analysis::frontmatter::Status;
    let drifting = ws
        .project
        .specs
        .iter()
        .filter(|s| s.chant_status() == Status::Completed)
        .filter_map(|s| s.git.as_deref())
        .filter(|g| !g.drift.is_empty() && g.completed_at.is_some());
    let since = drifting.clone().filter_map(|g| g.completed_at).min();
    let mut paths: Vec<String> =
        drifting.flat_map(|g| g.drift.iter().filter_map(|l| l.path.clone())).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut copies: Vec<String> = ws
        .project
        .specs
        .iter()
        .filter(|s| s.place == crate::analysis::spec::Place::Active && s.chant_status() == Status::InProgress)
        .map(|s| s.id.clone())
        .collect();
    copies.sort_unstable();
    copies.dedup();
    let mut lines: Vec<crate::analysis::git::LineQuery> = ws
        .project
        .specs
        .iter()
        .filter(|s| s.chant_status() == Status::Completed)
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
        paths,
        copies,
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
    let repo = super::git_guard::discover(root).ok()?;
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

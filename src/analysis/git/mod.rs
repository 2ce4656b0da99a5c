//! A spec's life in git, as plain data: what `io::git` read from the repository
//! (commits with chant's subjects, branches, worktrees, the paths each recent commit
//! changed, uncommitted changes), and the pure questions asked of it. The rules that
//! turn these facts into diagnostics are in [`rules`]; hovers and lenses read
//! [`SpecGit`].
//!
//! Every path here is project-relative with `/` separators (the repository may hold
//! the project in a subfolder); commit times are committer times in seconds since
//! the epoch (UTC).

pub mod rules;
pub mod time;

use std::collections::{HashMap, HashSet};

/// One commit of the repository's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitFact {
    /// Full hexadecimal object ID.
    pub id: String,
    pub subject: String,
    pub author: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    pub merge: bool,
}

impl CommitFact {
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }
}

/// A local branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchFact {
    pub name: String,
    /// Full object ID of the tip.
    pub tip: String,
    /// Commits on the branch and not on the main branch, and the reverse (`None` when
    /// the main branch is missing).
    pub ahead_behind: Option<(usize, usize)>,
    /// The main branch contains the tip.
    pub merged: Option<bool>,
    /// For `<branch_prefix><ID>` branches of specs in progress (chant reads those from
    /// the branch): a hash of `.chant/specs/<ID>.md` on the branch (see [`text_hash`]),
    /// `None` when the branch has no such file or its spec is not in progress.
    pub spec_copy: Option<u64>,
}

/// A linked worktree (git's own list, matched to branches by name, never by path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorktreeFact {
    /// Absolute path.
    pub path: String,
    pub branch: Option<String>,
    /// Files with uncommitted changes; `None` when the worktree's folder is gone
    /// (prunable) or could not be read.
    pub changed_files: Option<usize>,
}

/// What the repository says, read once per HEAD, refs and index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GitFacts {
    /// Why git facts could not be read (not a repository, no commit yet, …), said once.
    pub unavailable: Option<String>,
    /// When the facts were read (seconds since the epoch): ages in messages are
    /// measured from it.
    pub read_at: i64,
    /// Notes about what was skipped and why (shallow clone, history cut at a bound,
    /// missing main branch), shown once per project.
    pub notes: Vec<String>,
    /// History is incomplete: findings that need it (unknown hashes, drift, changed
    /// lines) are skipped.
    pub shallow: bool,
    /// The commit walk stopped at its bound: a hash not found may still exist.
    pub truncated: bool,
    /// `defaults.main_branch` as configured, and whether it exists.
    pub main_branch: String,
    pub main_found: bool,
    /// The branch checked out in the main working tree (`None`: detached HEAD).
    pub head_branch: Option<String>,
    /// The commit HEAD points at (full hexadecimal), when there is one.
    pub head: Option<String>,
    pub branch_prefix: String,
    /// Every commit reachable from a branch, remote-tracking branch, HEAD or worktree
    /// HEAD, newest first.
    pub commits: Vec<CommitFact>,
    /// Indexes into `commits`, sorted by ID (for abbreviated hashes).
    by_id: Vec<u32>,
    /// Commits whose subject names a spec (`chant(<ID>): …`, `Merge <prefix><ID>`,
    /// `chant: Record agent transcript for <ID>`), newest first.
    by_spec: HashMap<String, Vec<u32>>,
    pub branches: HashMap<String, BranchFact>,
    pub worktrees: Vec<WorktreeFact>,
    /// Paths changed by each non-merge commit of HEAD's history since `history_since`,
    /// newest first: the paths a drift input can match (and others in the folders a
    /// drift glob names), not every path.
    pub changes: HashMap<String, Vec<u32>>,
    /// Commits older than this were not diffed (`None`: none were, for lack of a
    /// completed spec that needs them).
    pub history_since: Option<i64>,
    /// Paths with uncommitted changes in the main working tree (untracked included,
    /// ignored files not).
    pub dirty: HashSet<String>,
    /// Tracked files with uncommitted changes anywhere in the main working tree (what
    /// makes checking out the main branch unsafe).
    pub tracked_changes: usize,
    /// What became of the lines `path:line` references of completed specs cited when
    /// they completed, by query.
    pub lines: HashMap<LineQuery, LineFate>,
}

/// Lines `first..=last` (1-based) of a project-relative file as they were at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineQuery {
    pub path: String,
    pub first: u32,
    pub last: u32,
    pub at: i64,
}

/// Cited lines that no longer read as they did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFate {
    /// Where the same lines stand now, when they stand at exactly one place.
    pub moved_to: Option<(u32, u32)>,
}

/// How an abbreviated hash resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    Found(&'a CommitFact),
    Ambiguous,
    Missing,
}

impl GitFacts {
    /// Facts that say only why there are none.
    pub fn unavailable(why: impl Into<String>) -> GitFacts {
        GitFacts { unavailable: Some(why.into()), ..GitFacts::default() }
    }

    /// The same facts, whenever they were read (a refresh that found nothing new).
    pub fn same_as(&self, other: &GitFacts) -> bool {
        GitFacts { read_at: other.read_at, ..self.clone() } == *other
    }

    /// Builds the lookup indexes once `commits` is filled.
    pub fn index(&mut self) {
        let mut by_id: Vec<u32> = (0..self.commits.len() as u32).collect();
        by_id.sort_unstable_by(|&a, &b| self.commits[a as usize].id.cmp(&self.commits[b as usize].id));
        self.by_id = by_id;
        let mut by_spec: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, c) in self.commits.iter().enumerate() {
            if let Some(id) = spec_of_subject(&c.subject, &self.branch_prefix) {
                by_spec.entry(id.to_string()).or_default().push(i as u32);
            }
        }
        self.by_spec = by_spec;
    }

    /// Facts are present and the history is whole enough to say a hash is missing or
    /// a file changed.
    pub fn history_usable(&self) -> bool {
        self.unavailable.is_none() && !self.shallow
    }

    /// Resolves an abbreviated (or full) hexadecimal hash.
    pub fn lookup(&self, hash: &str) -> Lookup<'_> {
        let hash = hash.trim().to_ascii_lowercase();
        if hash.len() < 4 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Lookup::Missing;
        }
        let start = self.by_id.partition_point(|&i| self.commits[i as usize].id.as_str() < hash.as_str());
        let mut found = self.by_id[start..]
            .iter()
            .map(|&i| &self.commits[i as usize])
            .take_while(|c| c.id.starts_with(&hash));
        match (found.next(), found.next()) {
            (Some(c), None) => Lookup::Found(c),
            (Some(_), Some(_)) => Lookup::Ambiguous,
            _ => Lookup::Missing,
        }
    }

    /// The commits whose subjects name spec `id`, newest first.
    pub fn spec_commits(&self, id: &str) -> impl Iterator<Item = &CommitFact> {
        self.by_spec.get(id).into_iter().flatten().map(|&i| &self.commits[i as usize])
    }

    /// The commits that changed `path` (see [`GitFacts::changes`]), newest first.
    pub fn path_commits(&self, path: &str) -> impl Iterator<Item = &CommitFact> {
        self.changes.get(path).into_iter().flatten().map(|&i| &self.commits[i as usize])
    }

    /// The spec branch `<prefix><id>`.
    pub fn spec_branch(&self, id: &str) -> Option<&BranchFact> {
        self.branches.get(&format!("{}{id}", self.branch_prefix))
    }

    pub fn worktree_of(&self, branch: &str) -> Option<&WorktreeFact> {
        self.worktrees.iter().find(|w| w.branch.as_deref() == Some(branch))
    }

    /// The spec ID that a `<branch_prefix><ID>` branch belongs to.
    pub fn spec_of_branch<'b>(&self, branch: &'b str) -> Option<&'b str> {
        branch.strip_prefix(self.branch_prefix.as_str()).filter(|id| !id.is_empty())
    }
}

/// The spec a commit subject written by chant (or its agents) names: `chant(<ID>): …`,
/// `Merge <prefix><ID>` (a merge that could not fast-forward) and
/// `chant: Record agent transcript for <ID>`.
pub fn spec_of_subject<'s>(subject: &'s str, branch_prefix: &str) -> Option<&'s str> {
    if let Some(rest) = subject.strip_prefix("chant(") {
        let end = rest.find("):")?;
        let id = &rest[..end];
        return (!id.is_empty() && !id.contains(char::is_whitespace)).then_some(id);
    }
    if let Some(rest) = subject.strip_prefix("Merge ") {
        let id = rest.strip_prefix(branch_prefix)?.trim_end();
        return (!id.is_empty() && !id.contains(char::is_whitespace)).then_some(id);
    }
    let id = subject.strip_prefix("chant: Record agent transcript for ")?.trim_end();
    (!id.is_empty() && !id.contains(char::is_whitespace)).then_some(id)
}

/// The hash the branch-copy comparison uses (the same on both sides).
pub fn text_hash(text: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::analysis::hash::FastHasher::default();
    h.write(text);
    h.finish()
}

/// A spec's state in git, for hovers and lenses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecGit<'f> {
    pub branch_name: String,
    pub branch: Option<&'f BranchFact>,
    pub worktree: Option<&'f WorktreeFact>,
    /// The spec's `chant(<ID>):` (and merge) commits, newest first.
    pub commits: Vec<&'f CommitFact>,
    /// For a spec in progress: the copy on its branch differs from the text here.
    pub branch_copy_differs: Option<bool>,
}

impl GitFacts {
    /// What git says about spec `id` whose `branch:` field is `branch` and whose text
    /// here is `text` (for the branch-copy comparison; `None` skips it).
    pub fn spec(&self, id: &str, branch: Option<&str>, text: Option<&[u8]>) -> Option<SpecGit<'_>> {
        if self.unavailable.is_some() {
            return None;
        }
        let branch_name = branch.map(str::to_string).unwrap_or_else(|| format!("{}{id}", self.branch_prefix));
        let fact = self.branches.get(&branch_name);
        let differs = match (fact.and_then(|b| b.spec_copy), text) {
            (Some(copy), Some(text)) => Some(copy != text_hash(text)),
            _ => None,
        };
        Some(SpecGit {
            worktree: self.worktree_of(&branch_name),
            branch: fact,
            branch_name,
            commits: self.spec_commits(id).collect(),
            branch_copy_differs: differs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str, subject: &str) -> CommitFact {
        CommitFact {
            id: id.to_string(),
            subject: subject.to_string(),
            author: "a".into(),
            time: 0,
            merge: false,
        }
    }

    #[test]
    fn lookup_by_prefix() {
        let mut f = GitFacts { branch_prefix: "chant/".into(), ..GitFacts::default() };
        f.commits = vec![
            commit("5e58057aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "chant(2026-01-01-001-abc): do it"),
            commit("5e58058bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "Merge chant/2026-01-01-001-abc"),
            commit("0123456ccccccccccccccccccccccccccccccccc", "unrelated"),
        ];
        f.index();
        assert!(matches!(f.lookup("5e58057"), Lookup::Found(c) if c.subject.starts_with("chant(")));
        assert_eq!(f.lookup("5e5805"), Lookup::Ambiguous);
        assert_eq!(f.lookup("5E58058"), f.lookup("5e58058"));
        assert_eq!(f.lookup("fffffff"), Lookup::Missing);
        assert_eq!(f.lookup("5e5"), Lookup::Missing);
        assert_eq!(f.spec_commits("2026-01-01-001-abc").count(), 2);
    }

    #[test]
    fn subjects() {
        assert_eq!(spec_of_subject("chant(x-1): update spec status to in_progress", "chant/"), Some("x-1"));
        assert_eq!(spec_of_subject("Merge chant/x-1", "chant/"), Some("x-1"));
        assert_eq!(spec_of_subject("Merge branch 'main'", "chant/"), None);
        assert_eq!(spec_of_subject("chant: Record agent transcript for x-1", "chant/"), Some("x-1"));
        assert_eq!(spec_of_subject("chant: Add spec x-1", "chant/"), None);
        assert_eq!(spec_of_subject("chant(): nothing", "chant/"), None);
    }
}

//! The paths a commit changed against its first parent, from the two trees: a subtree
//! whose ID is the same on both sides is skipped unread, and so is a folder no asked-for
//! path can lie in (libgit2's tree-to-tree diff reads every entry of both trees). The
//! paths are those of `git diff-tree -r` without rename detection: a file, link or
//! submodule entry whose ID or mode differs, or that is on one side only (a file
//! replaced by a folder is the file and everything in the folder).

use std::cmp::Ordering;
use std::collections::HashMap;

use git2::{Oid, Repository, Tree, TreeEntry};

/// The repository-relative paths a diff keeps: those under a folder prefix, and exact
/// files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Interest {
    /// Folders (ending in `/`; empty: everything).
    folders: Vec<String>,
    files: Vec<String>,
}

impl Interest {
    /// From project-relative paths and globs (chant's glob syntax: `*`, `?`, `[…]`),
    /// below the project's `prefix` in the repository.
    pub fn new(prefix: &str, paths: &[String]) -> Interest {
        let mut folders = Vec::new();
        let mut files = Vec::new();
        for p in paths {
            match p.find(['*', '?', '[']) {
                // The folders before the first component with a wildcard.
                Some(at) => {
                    folders.push(format!("{prefix}{}", &p[..p[..at].rfind('/').map_or(0, |s| s + 1)]))
                }
                None => files.push(format!("{prefix}{p}")),
            }
        }
        folders.sort_unstable();
        folders.dedup();
        files.sort_unstable();
        files.dedup();
        Interest { folders, files }
    }

    /// Whether a path in folder `dir` (ending in `/`) may be kept.
    fn enters(&self, dir: &str) -> bool {
        self.folders.iter().any(|f| f.starts_with(dir) || dir.starts_with(f.as_str()))
            || self.files.iter().any(|f| f.starts_with(dir))
    }

    fn keeps(&self, path: &str) -> bool {
        self.folders.iter().any(|f| path.starts_with(f.as_str())) || self.files.iter().any(|f| f == path)
    }
}

/// Trees read for the last diff are kept for the next one: walking history newest
/// first, a commit's parent tree is the next commit's tree.
pub(super) struct Differ<'r> {
    repo: &'r Repository,
    interest: &'r Interest,
    last: HashMap<Oid, Tree<'r>>,
    now: HashMap<Oid, Tree<'r>>,
}

impl<'r> Differ<'r> {
    pub fn new(repo: &'r Repository, interest: &'r Interest) -> Differ<'r> {
        Differ { repo, interest, last: HashMap::new(), now: HashMap::new() }
    }

    /// The kept paths (UTF-8 ones only) that differ between tree `old` (`None`: a
    /// root commit) and tree `new`. `None` when a tree cannot be read.
    pub fn changed(&mut self, old: Option<Oid>, new: Oid) -> Option<Vec<String>> {
        self.last = std::mem::take(&mut self.now);
        let mut out = Vec::new();
        self.walk(old, Some(new), "", &mut out).ok()?;
        Some(out)
    }

    fn tree(&mut self, id: Option<Oid>) -> Result<Option<Tree<'r>>, git2::Error> {
        let Some(id) = id else { return Ok(None) };
        let tree = match self.now.get(&id).or_else(|| self.last.get(&id)) {
            Some(t) => t.clone(),
            None => self.repo.find_tree(id)?,
        };
        self.now.insert(id, tree.clone());
        Ok(Some(tree))
    }

    fn walk(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        base: &str,
        out: &mut Vec<String>,
    ) -> Result<(), git2::Error> {
        let (a, b) = (self.tree(old)?, self.tree(new)?);
        let (a_len, b_len) = (a.as_ref().map_or(0, Tree::len), b.as_ref().map_or(0, Tree::len));
        let (mut i, mut j) = (0, 0);
        while i < a_len || j < b_len {
            let x = a.as_ref().and_then(|t| t.get(i)).filter(|_| i < a_len);
            let y = b.as_ref().and_then(|t| t.get(j)).filter(|_| j < b_len);
            let order = match (&x, &y) {
                (Some(x), Some(y)) => git_order(x, y),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            let (x, y) = match order {
                Ordering::Less => (x, None),
                Ordering::Greater => (None, y),
                Ordering::Equal => (x, y),
            };
            i += usize::from(x.is_some());
            j += usize::from(y.is_some());
            if let (Some(x), Some(y)) = (&x, &y) {
                if x.id() == y.id() && x.filemode_raw() == y.filemode_raw() {
                    continue;
                }
            }
            let Some(e) = x.as_ref().or(y.as_ref()) else { break };
            let Ok(name) = std::str::from_utf8(e.name_bytes()) else { continue };
            if is_tree(e) {
                let dir = format!("{base}{name}/");
                if self.interest.enters(&dir) {
                    let (xo, yo) = (x.as_ref().map(TreeEntry::id), y.as_ref().map(TreeEntry::id));
                    self.walk(xo, yo, &dir, out)?;
                }
            } else {
                let path = format!("{base}{name}");
                if self.interest.keeps(&path) {
                    out.push(path);
                }
            }
        }
        Ok(())
    }
}

fn is_tree(e: &TreeEntry) -> bool {
    e.filemode_raw() & 0o170_000 == 0o040_000
}

/// Git's tree order: names compared as bytes, a tree's name as if it ended in `/`.
fn git_order(a: &TreeEntry, b: &TreeEntry) -> Ordering {
    let (an, bn) = (a.name_bytes(), b.name_bytes());
    let key = |name: &[u8], tree: bool, k: usize| match name.get(k) {
        Some(&c) => Some(c),
        None if tree && k == name.len() => Some(b'/'),
        None => None,
    };
    let (at, bt) = (is_tree(a), is_tree(b));
    let mut k = 0;
    loop {
        match (key(an, at, k), key(bn, bt, k)) {
            (Some(x), Some(y)) if x == y => k += 1,
            (x, y) => return x.cmp(&y),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interest_from_paths_and_globs() {
        let i =
            Interest::new("proj/", &["src/*.rs".into(), "docs/**/*.md".into(), "a.md".into(), "x*".into()]);
        assert_eq!(i.folders, vec!["proj/", "proj/docs/", "proj/src/"]);
        assert_eq!(i.files, vec!["proj/a.md"]);
        let i = Interest::new("", &["src/*.rs".into(), "lib/x.rs".into()]);
        assert!(i.enters("src/") && i.enters("src/deep/") && i.enters("lib/"));
        assert!(!i.enters(".chant/") && !i.enters("docs/"));
        assert!(i.keeps("src/a.rs") && i.keeps("lib/x.rs") && !i.keeps("lib/y.rs"));
    }
}

//! File facts from the disk, for [`crate::analysis::facts::FileFacts`]. Directory
//! listings are read once and cached (one `read_dir` per directory instead of one
//! `stat` per link). Only entries the listing calls symlinks are resolved: one whose
//! real path lies outside the project is [`FileKind::Outside`], and nothing below it
//! is ever listed or read. Files are read through [`crate::io::read`] (regular files
//! only, never past a cap).

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::analysis::facts::{
    caps, glob_walk, FileFacts, FileKind, GlobMatches, GlobTree, Listed, Preview, ReadProblem,
};
use crate::io::read::{self, Known, Project};

struct Listing {
    /// Device and inode of the directory.
    id: (u64, u64),
    entries: HashMap<String, FileKind>,
}

/// A directory as the cache knows it.
#[derive(Clone)]
enum Dir {
    Listed(Arc<Listing>),
    Missing,
    /// Not listed: it leads outside the project, or cannot be read.
    Blocked(FileKind),
}

pub struct DiskFacts {
    root: PathBuf,
    project: Project,
    dirs: RwLock<HashMap<String, Dir>>,
    globs: RwLock<HashMap<(String, usize), GlobMatches>>,
}

/// What a directory entry is, from the listing's file type; symlinks are resolved and
/// checked against the project (`None`: a dangling link).
fn entry_kind(project: &Project, e: &std::fs::DirEntry) -> Option<FileKind> {
    let t = match e.file_type() {
        Ok(t) => t,
        Err(err) => return Some(FileKind::Unreadable(err.kind())),
    };
    if t.is_dir() {
        return Some(FileKind::Dir);
    }
    if t.is_file() {
        return Some(FileKind::File);
    }
    if !t.is_symlink() {
        return Some(FileKind::Special(read::special(&t).unwrap_or("not a regular file")));
    }
    let real = match std::fs::canonicalize(e.path()) {
        Ok(real) => real,
        Err(err) => {
            return match read::problem(&err) {
                ReadProblem::Missing => None,
                _ => Some(FileKind::Unreadable(err.kind())),
            }
        }
    };
    if !project.holds(&real) {
        return Some(FileKind::Outside);
    }
    Some(match std::fs::metadata(&real) {
        Ok(m) if m.is_dir() => FileKind::Dir,
        Ok(m) if m.is_file() => FileKind::File,
        Ok(m) => FileKind::Special(read::special(&m.file_type()).unwrap_or("not a regular file")),
        Err(err) => FileKind::Unreadable(err.kind()),
    })
}

/// Whether the cached folder `key`, an ancestor of `changed`, does not hold the entry that
/// leads down to it (or was missing itself): created since it was listed.
fn lacks_the_way_to(key: &str, dir: &Dir, changed: &str) -> bool {
    let rest = if key.is_empty() {
        changed
    } else {
        match changed.strip_prefix(key).and_then(|r| r.strip_prefix('/')) {
            Some(rest) => rest,
            None => return false,
        }
    };
    let Some((next, _)) = rest.split_once('/') else { return false };
    match dir {
        Dir::Listed(l) => !l.entries.contains_key(next),
        Dir::Missing => true,
        Dir::Blocked(_) => false,
    }
}

impl DiskFacts {
    pub fn new(root: &Path) -> Self {
        DiskFacts {
            root: root.to_path_buf(),
            project: Project::new(root),
            dirs: RwLock::new(HashMap::new()),
            globs: RwLock::new(HashMap::new()),
        }
    }

    /// The project root, for reading files that are not reached through a listing
    /// (specs, by absolute path): inside the project only, regular files only.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// After the paths `changed` (project-relative) changed on disk: forgets the listings
    /// that may have changed (each path's folder, the path itself and anything below it,
    /// and a folder further up that does not know the folder below it: it was created)
    /// and every glob result, then lists again the folders that were listed before, so
    /// that the next analysis finds them cached. Call it without the state lock.
    pub fn refresh(&self, changed: &[String]) {
        let parent = |p: &str| p.rfind('/').map_or(String::new(), |i| p[..i].to_string());
        let stale: Vec<String> = match self.dirs.write() {
            Ok(mut d) => {
                let hit = |key: &str, dir: &Dir| {
                    changed.iter().any(|c| {
                        key == parent(c)
                            || key == c
                            || (key.len() > c.len()
                                && key.starts_with(c.as_str())
                                && key.as_bytes()[c.len()] == b'/')
                            || lacks_the_way_to(key, dir, c)
                    })
                };
                let stale: Vec<String> =
                    d.iter().filter(|(k, dir)| hit(k, dir)).map(|(k, _)| k.clone()).collect();
                for k in &stale {
                    d.remove(k);
                }
                stale
            }
            Err(_) => return,
        };
        if let Ok(mut g) = self.globs.write() {
            g.clear();
        }
        for dir in stale {
            self.listing(&dir);
        }
    }

    fn listing(&self, dir: &str) -> Dir {
        if let Some(cached) = self.dirs.read().ok().and_then(|d| d.get(dir).cloned()) {
            return cached;
        }
        let listed = self.list_now(dir);
        if let Ok(mut d) = self.dirs.write() {
            d.insert(dir.to_string(), listed.clone());
        }
        listed
    }

    fn list_now(&self, dir: &str) -> Dir {
        // A folder is listed only when the folder above says it is one, inside the
        // project (that listing is cached too).
        if !dir.is_empty() {
            match self.kind(dir) {
                Some(FileKind::Dir) => {}
                Some(k @ (FileKind::Outside | FileKind::Unreadable(_))) => return Dir::Blocked(k),
                _ => return Dir::Missing,
            }
        }
        let full = if dir.is_empty() { self.root.clone() } else { self.root.join(dir) };
        let entries = match std::fs::read_dir(&full) {
            Ok(entries) => entries,
            Err(e) => {
                return match read::problem(&e) {
                    ReadProblem::Missing => Dir::Missing,
                    _ => Dir::Blocked(FileKind::Unreadable(e.kind())),
                }
            }
        };
        let id = std::fs::metadata(&full).map(|m| (m.dev(), m.ino())).unwrap_or_default();
        let mut map = HashMap::new();
        for e in entries {
            let e = match e {
                Ok(e) => e,
                Err(err) => return Dir::Blocked(FileKind::Unreadable(err.kind())),
            };
            // A name that is not UTF-8 cannot be written in a spec's links.
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            if let Some(k) = entry_kind(&self.project, &e) {
                map.insert(name, k);
            }
        }
        Dir::Listed(Arc::new(Listing { id, entries: map }))
    }

    /// The `.gitignore` rules that apply inside `dir`, deepest folder first (and the
    /// repository's `.git/info/exclude` last).
    fn ignore_rules(&self, dir: &str) -> Vec<ignore::gitignore::Gitignore> {
        let mut levels = vec![String::new()];
        let mut at = String::new();
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            at = if at.is_empty() { part.to_string() } else { format!("{at}/{part}") };
            levels.push(at.clone());
        }
        let mut rules = Vec::new();
        let files = levels.iter().rev().map(|l| {
            (l.clone(), if l.is_empty() { ".gitignore".to_string() } else { format!("{l}/.gitignore") })
        });
        for (level, file) in files.chain(std::iter::once((String::new(), ".git/info/exclude".to_string()))) {
            let Ok(text) = self.read(&file, caps::IGNORE) else { continue };
            let mut b = ignore::gitignore::GitignoreBuilder::new(self.root.join(&level));
            for line in text.lines() {
                let _ = b.add_line(None, line);
            }
            if let Ok(gi) = b.build() {
                rules.push(gi);
            }
        }
        rules
    }
}

impl GlobTree for DiskFacts {
    fn entry_kind(&self, path: &str) -> Option<FileKind> {
        FileFacts::kind(self, path)
    }

    fn list(&self, dir: &str) -> Option<Listed> {
        match self.listing(dir) {
            Dir::Listed(l) => {
                Some(Listed { id: l.id, entries: l.entries.iter().map(|(n, k)| (n.clone(), *k)).collect() })
            }
            Dir::Missing | Dir::Blocked(_) => None,
        }
    }
}

impl FileFacts for DiskFacts {
    fn kind(&self, path: &str) -> Option<FileKind> {
        if path.is_empty() {
            return Some(FileKind::Dir);
        }
        let (dir, name) = match path.rfind('/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path),
        };
        match self.listing(dir) {
            Dir::Listed(l) => l.entries.get(name).copied(),
            Dir::Missing => None,
            Dir::Blocked(k) => Some(k),
        }
    }

    fn glob(&self, pattern: &str, limit: usize) -> GlobMatches {
        let key = (pattern.to_string(), limit);
        if let Some(hit) = self.globs.read().ok().and_then(|g| g.get(&key).cloned()) {
            return hit;
        }
        let result = glob_walk(self, pattern, limit);
        if let Ok(mut g) = self.globs.write() {
            g.insert(key, result.clone());
        }
        result
    }

    fn read(&self, path: &str, cap: usize) -> Result<String, ReadProblem> {
        match self.kind(path) {
            Some(FileKind::File) => {}
            Some(k) => return Err(k.problem().unwrap_or(ReadProblem::Missing)),
            None => return Err(ReadProblem::Missing),
        }
        let bytes = read::read(&self.root.join(path), Known::Nothing, cap)?;
        String::from_utf8(bytes).map_err(|_| ReadProblem::Unreadable(std::io::ErrorKind::InvalidData))
    }

    fn preview(&self, path: &str, max: usize) -> Option<Preview> {
        if self.kind(path) != Some(FileKind::File) {
            return None;
        }
        let (head, size) = read::head(&self.root.join(path), Known::Nothing, max).ok()?;
        Some(Preview::of(&head, size))
    }

    fn list_dir(&self, dir: &str) -> Vec<(String, FileKind)> {
        let Dir::Listed(listing) = self.listing(dir) else { return Vec::new() };
        let rules = self.ignore_rules(dir);
        let base = if dir.is_empty() { self.root.clone() } else { self.root.join(dir) };
        let mut out: Vec<(String, FileKind)> = listing
            .entries
            .iter()
            .filter(|(name, kind)| matches!(kind, FileKind::File | FileKind::Dir) && *name != ".git")
            .filter(|(name, kind)| {
                let full = base.join(name);
                let is_dir = **kind == FileKind::Dir;
                for gi in &rules {
                    match gi.matched(&full, is_dir) {
                        ignore::Match::Ignore(_) => return false,
                        ignore::Match::Whitelist(_) => return true,
                        ignore::Match::None => {}
                    }
                }
                true
            })
            .map(|(n, k)| (n.clone(), *k))
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_facts() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        std::fs::create_dir_all(root.join("docs/sub")).expect("mkdir");
        std::fs::write(root.join("docs/a.md"), "A").expect("write");
        std::fs::write(root.join("docs/sub/b.md"), "B").expect("write");
        let f = DiskFacts::new(root);
        assert_eq!(f.kind("docs/a.md"), Some(FileKind::File));
        assert_eq!(f.kind("docs/sub"), Some(FileKind::Dir));
        assert_eq!(f.kind("docs/zz.md"), None);
        assert_eq!(f.kind("nope/zz.md"), None);
        assert_eq!(f.glob("docs/**/*.md", 10).paths, vec!["docs/a.md", "docs/sub/b.md"]);
        assert_eq!(f.glob("docs/*.md", 10).paths, vec!["docs/a.md"]);
        assert_eq!(f.glob("*/sub", 10).paths, vec!["docs/sub"]);
        assert_eq!(f.glob("docs/**", 10).paths, vec!["docs/sub"]);
        assert_eq!(f.glob("**/b.md", 10).paths, vec!["docs/sub/b.md"]);
        assert_eq!(f.glob("nope/*", 10).paths, Vec::<String>::new());
        assert!(!f.glob("**/*", 2).complete);
        // The same answers as the `glob` crate's own walk.
        for pattern in ["docs/**/*.md", "docs/*.md", "*/sub", "**/b.md", "docs/[a-z].md", "d?cs/*", "docs/**"]
        {
            let full = format!("{}/{pattern}", glob::Pattern::escape(root.to_str().expect("utf8")));
            let mut expected: Vec<String> = glob::glob_with(&full, crate::analysis::facts::glob_options())
                .expect("pattern")
                .flatten()
                .map(|p| p.strip_prefix(root).expect("under root").to_string_lossy().into_owned())
                .collect();
            expected.sort();
            assert_eq!(f.glob(pattern, 100).paths, expected, "{pattern}");
        }
        assert_eq!(f.read("docs/a.md", 10).as_deref(), Ok("A"));
        std::fs::write(root.join("docs/new.md"), "").expect("write");
        assert_eq!(f.kind("docs/new.md"), None, "cached listing");
        f.refresh(&["docs/new.md".to_string()]);
        assert_eq!(f.kind("docs/new.md"), Some(FileKind::File));
        // A refresh after a change forgets exactly what may have changed, and lists it again.
        assert_eq!(f.kind("docs/sub/b.md"), Some(FileKind::File));
        std::fs::remove_file(root.join("docs/sub/b.md")).expect("rm");
        std::fs::write(root.join("docs/c.md"), "").expect("write");
        assert_eq!(f.kind("docs/sub/b.md"), Some(FileKind::File), "cached");
        f.refresh(&["docs/sub/b.md".to_string(), "docs/c.md".to_string()]);
        assert_eq!(f.kind("docs/sub/b.md"), None);
        assert_eq!(f.kind("docs/c.md"), Some(FileKind::File));
        assert_eq!(f.glob("docs/**/*.md", 10).paths, vec!["docs/a.md", "docs/c.md", "docs/new.md"]);
        std::fs::remove_dir_all(root.join("docs/sub")).expect("rm");
        f.refresh(&["docs/sub".to_string()]);
        assert_eq!(f.kind("docs/sub"), None);
        // A file in new folders: the folders above learn about them too.
        assert_eq!(f.kind("new/deeper/x.md"), None);
        std::fs::create_dir_all(root.join("new/deeper")).expect("mkdir");
        std::fs::write(root.join("new/deeper/x.md"), "").expect("write");
        f.refresh(&["new/deeper/x.md".to_string()]);
        assert_eq!(f.kind("new/deeper/x.md"), Some(FileKind::File));
        std::fs::write(root.join(".gitignore"), "ignored/\n").expect("write");
        std::fs::create_dir_all(root.join("ignored")).expect("mkdir");
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        f.refresh(&[".gitignore".to_string(), "ignored".to_string(), ".git".to_string()]);
        let names: Vec<String> = f.list_dir("").into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec![".gitignore", "docs", "new"]);
        std::fs::write(root.join("docs/.gitignore"), "*.md\n!a.md\n").expect("write");
        f.refresh(&["docs/.gitignore".to_string()]);
        let names: Vec<String> = f.list_dir("docs").into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec![".gitignore", "a.md"]);
        let p = f.preview("docs/a.md", 100).expect("preview");
        assert_eq!((p.size, p.head.as_str(), p.binary), (1, "A", false));
    }

    #[test]
    fn symlink_loops_end_and_links_out_of_the_project_are_not_followed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let outside = tmp.path().join("outside");
        let root = tmp.path().join("proj");
        std::fs::create_dir_all(outside.join("deep")).expect("mkdir");
        std::fs::write(outside.join("secret.md"), "OUTSIDE-MARKER").expect("write");
        std::fs::write(outside.join("deep/more.md"), "OUTSIDE-MARKER").expect("write");
        std::fs::create_dir_all(root.join("docs/sub")).expect("mkdir");
        std::fs::write(root.join("docs/a.md"), "A").expect("write");
        std::fs::write(root.join("docs/sub/b.md"), "B").expect("write");
        let link =
            |target: &Path, name: &str| std::os::unix::fs::symlink(target, root.join(name)).expect("symlink");
        // Two links back to their own folder: a naive walk of `docs/**` never ends.
        link(Path::new("."), "docs/a");
        link(Path::new("."), "docs/b");
        link(Path::new(".."), "docs/sub/up");
        link(&outside, "docs/out");
        link(&outside.join("secret.md"), "docs/secret.md");
        link(Path::new("sub/b.md"), "docs/inside.md");
        link(Path::new("nowhere"), "docs/dangling.md");
        nix::unistd::mkfifo(&root.join("docs/pipe.md"), nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
        let f = DiskFacts::new(&root);
        let g = f.glob("docs/**/*.md", 1000);
        assert_eq!(g.paths, vec!["docs/a.md", "docs/inside.md", "docs/sub/b.md"]);
        assert!(g.complete && !g.bounded);
        let skipped: Vec<(&str, FileKind)> = g.skipped.iter().map(|(p, k)| (p.as_str(), *k)).collect();
        assert_eq!(
            skipped,
            vec![
                ("docs/out", FileKind::Outside),
                ("docs/pipe.md", FileKind::Special("a FIFO")),
                ("docs/secret.md", FileKind::Outside),
            ]
        );
        assert_eq!(f.kind("docs/out"), Some(FileKind::Outside));
        assert_eq!(f.kind("docs/out/deep/more.md"), Some(FileKind::Outside));
        assert_eq!(f.kind("docs/dangling.md"), None);
        assert_eq!(f.kind("docs/a/a/b/sub/up/a.md"), Some(FileKind::File));
        assert_eq!(f.read("docs/secret.md", 100), Err(ReadProblem::Outside));
        assert_eq!(f.read("docs/out/secret.md", 100), Err(ReadProblem::Outside));
        assert_eq!(f.read("docs/pipe.md", 100), Err(ReadProblem::NotAFile("a FIFO")));
        assert_eq!(f.read("docs/inside.md", 100).as_deref(), Ok("B"));
        assert!(f.preview("docs/secret.md", 100).is_none());
        assert!(f.preview("docs/pipe.md", 100).is_none());
        assert!(f.list("docs/out").is_none(), "an outside folder is never listed");
        let names: Vec<String> = f.list_dir("docs").into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["a", "a.md", "b", "inside.md", "sub"]);
        // Everything under a link that leads out stays unlisted, whatever the pattern.
        assert!(f.glob("docs/out/**", 100).paths.is_empty());
        assert!(f.glob("docs/*/secret.md", 100).paths.is_empty());
    }
}

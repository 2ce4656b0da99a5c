//! File facts from the disk, for [`crate::analysis::facts::FileFacts`]. Directory
//! listings are read once and cached (one `read_dir` per directory instead of one
//! `stat` per link); symlinks are followed with a `stat`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::analysis::facts::{glob_walk, FileFacts, FileKind, GlobMatches, GlobTree, Preview};

type Listing = HashMap<String, FileKind>;

pub struct DiskFacts {
    root: PathBuf,
    dirs: RwLock<HashMap<String, Option<Arc<Listing>>>>,
    globs: RwLock<HashMap<(String, usize), GlobMatches>>,
}

impl DiskFacts {
    pub fn new(root: &Path) -> Self {
        DiskFacts {
            root: root.to_path_buf(),
            dirs: RwLock::new(HashMap::new()),
            globs: RwLock::new(HashMap::new()),
        }
    }

    /// After the paths `changed` (project-relative) changed on disk: forgets the listings
    /// that may have changed (each path's folder, the path itself and anything below it)
    /// and every glob result, then lists again the folders that were listed before, so
    /// that the next analysis finds them cached. Call it without the state lock.
    pub fn refresh(&self, changed: &[String]) {
        let parent = |p: &str| p.rfind('/').map_or(String::new(), |i| p[..i].to_string());
        let stale: Vec<String> = match self.dirs.write() {
            Ok(mut d) => {
                let hit = |key: &str| {
                    changed.iter().any(|c| {
                        key == parent(c)
                            || key == c
                            || (key.len() > c.len()
                                && key.starts_with(c.as_str())
                                && key.as_bytes()[c.len()] == b'/')
                    })
                };
                let stale: Vec<String> = d.keys().filter(|k| hit(k)).cloned().collect();
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

    fn listing(&self, dir: &str) -> Option<Arc<Listing>> {
        if let Some(cached) = self.dirs.read().ok().and_then(|d| d.get(dir).cloned()) {
            return cached;
        }
        let full = if dir.is_empty() { self.root.clone() } else { self.root.join(dir) };
        let listing = std::fs::read_dir(&full).ok().map(|entries| {
            let mut map = Listing::new();
            for e in entries.flatten() {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                let kind = match e.file_type() {
                    Ok(t) if t.is_dir() => Some(FileKind::Dir),
                    Ok(t) if t.is_symlink() => match std::fs::metadata(e.path()) {
                        Ok(m) if m.is_dir() => Some(FileKind::Dir),
                        Ok(_) => Some(FileKind::File),
                        Err(_) => None,
                    },
                    Ok(_) => Some(FileKind::File),
                    Err(_) => None,
                };
                if let Some(k) = kind {
                    map.insert(name, k);
                }
            }
            Arc::new(map)
        });
        if let Ok(mut d) = self.dirs.write() {
            d.insert(dir.to_string(), listing.clone());
        }
        listing
    }
}

impl GlobTree for DiskFacts {
    fn entry_kind(&self, path: &str) -> Option<FileKind> {
        FileFacts::kind(self, path)
    }

    fn list(&self, dir: &str) -> Option<Vec<(String, FileKind)>> {
        self.listing(dir).map(|l| l.iter().map(|(n, k)| (n.clone(), *k)).collect())
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
        self.listing(dir)?.get(name).copied()
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

    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(path)).ok()
    }

    fn preview(&self, path: &str, max: usize) -> Option<Preview> {
        use std::io::Read;
        let file = std::fs::File::open(self.root.join(path)).ok()?;
        let size = file.metadata().ok()?.len();
        let mut head = Vec::with_capacity(max.min(size as usize));
        file.take(max as u64).read_to_end(&mut head).ok()?;
        Some(Preview::of(&head, size))
    }

    fn list_dir(&self, dir: &str) -> Vec<(String, FileKind)> {
        let full = if dir.is_empty() { self.root.clone() } else { self.root.join(dir) };
        let walker = ignore::WalkBuilder::new(&full)
            .max_depth(Some(1))
            .hidden(false)
            .parents(true)
            .git_global(false)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        let mut out: Vec<(String, FileKind)> = walker
            .flatten()
            .filter(|e| e.depth() == 1)
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_string();
                let kind =
                    if e.file_type()?.is_dir() || e.path().is_dir() { FileKind::Dir } else { FileKind::File };
                Some((name, kind))
            })
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
        assert_eq!(f.read("docs/a.md").as_deref(), Some("A"));
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
        std::fs::write(root.join(".gitignore"), "ignored/\n").expect("write");
        std::fs::create_dir_all(root.join("ignored")).expect("mkdir");
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        let names: Vec<String> = f.list_dir("").into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec![".gitignore", "docs"]);
        let p = f.preview("docs/a.md", 100).expect("preview");
        assert_eq!((p.size, p.head.as_str(), p.binary), (1, "A", false));
    }
}

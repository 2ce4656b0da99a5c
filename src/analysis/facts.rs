//! What the analysis may ask about the project's files, behind a trait so that
//! `analysis/` stays free of IO: the disk implementation lives in `io::facts`, and
//! [`MemFacts`] answers from fixture strings in tests.
//!
//! Paths are project-root-relative with `/` separators, already normalised (no `.`
//! or `..` components, no leading `./`).

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    File,
    Dir,
}

/// Paths a glob matched, sorted, at most the requested number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobMatches {
    pub paths: Vec<String>,
    /// False when the search stopped at the limit.
    pub complete: bool,
}

pub trait FileFacts: Sync {
    /// What exists at `path`, following symlinks; `None` when nothing does.
    fn kind(&self, path: &str) -> Option<FileKind>;
    /// Files and directories matching a glob the way chant's `glob` crate walk does
    /// (`*` stays inside one path component, `**` spans directories).
    fn glob(&self, pattern: &str, limit: usize) -> GlobMatches;
    /// A text file's contents (for JSON schemas and agent logs).
    fn read(&self, path: &str) -> Option<String>;
    /// The size of a file and its first `max` bytes (lossy UTF-8), for previews.
    fn preview(&self, path: &str, max: usize) -> Option<Preview>;
    /// How many lines a text file has (for `path:line` references); `None` when it
    /// cannot be read.
    fn line_count(&self, path: &str) -> Option<usize> {
        let text = self.read(path)?;
        Some(text.lines().count())
    }
    /// The entries of one directory that are not ignored by `.gitignore` (and not the
    /// `.git` folder), sorted by name; for path completion.
    fn list_dir(&self, dir: &str) -> Vec<(String, FileKind)>;
}

/// The start of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub size: u64,
    pub head: String,
    /// The head holds a NUL byte or invalid UTF-8: not a text file.
    pub binary: bool,
}

impl Preview {
    pub fn of(bytes: &[u8], size: u64) -> Preview {
        let binary = bytes.contains(&0)
            || std::str::from_utf8(bytes).is_err() && {
                // A multi-byte character cut at the end is still text.
                let valid = std::str::from_utf8(bytes).err().map_or(bytes.len(), |e| e.valid_up_to());
                bytes.len() - valid > 3
            };
        Preview { size, head: String::from_utf8_lossy(bytes).into_owned(), binary }
    }
}

/// The glob options that make a pattern match like a directory walk.
pub fn glob_options() -> glob::MatchOptions {
    glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    }
}

/// An in-memory file tree for tests: every file's text by path; directories are the
/// prefixes of file paths.
#[derive(Debug, Clone, Default)]
pub struct MemFacts {
    files: BTreeMap<String, String>,
}

impl MemFacts {
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        MemFacts { files: files.into_iter().map(|(p, t)| (p.to_string(), t.to_string())).collect() }
    }

    fn is_dir(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        path.is_empty()
            || self.files.range(prefix.clone()..).next().is_some_and(|(p, _)| p.starts_with(&prefix))
    }
}

impl GlobTree for MemFacts {
    fn entry_kind(&self, path: &str) -> Option<FileKind> {
        FileFacts::kind(self, path)
    }

    fn list(&self, dir: &str) -> Option<Vec<(String, FileKind)>> {
        if !self.is_dir(dir) {
            return None;
        }
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let mut entries: Vec<(String, FileKind)> = Vec::new();
        for path in self.files.range(prefix.clone()..).map(|(p, _)| p).take_while(|p| p.starts_with(&prefix))
        {
            let rest = &path[prefix.len()..];
            let entry = match rest.find('/') {
                Some(i) => (rest[..i].to_string(), FileKind::Dir),
                None => (rest.to_string(), FileKind::File),
            };
            if entries.last() != Some(&entry) && !entries.contains(&entry) {
                entries.push(entry);
            }
        }
        Some(entries)
    }
}

impl FileFacts for MemFacts {
    fn kind(&self, path: &str) -> Option<FileKind> {
        if self.files.contains_key(path) {
            return Some(FileKind::File);
        }
        self.is_dir(path).then_some(FileKind::Dir)
    }

    fn glob(&self, pattern: &str, limit: usize) -> GlobMatches {
        glob_walk(self, pattern, limit)
    }

    fn read(&self, path: &str) -> Option<String> {
        self.files.get(path).cloned()
    }

    fn preview(&self, path: &str, max: usize) -> Option<Preview> {
        let text = self.files.get(path)?;
        let mut end = max.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Some(Preview::of(&text.as_bytes()[..end], text.len() as u64))
    }

    fn list_dir(&self, dir: &str) -> Vec<(String, FileKind)> {
        let mut entries = GlobTree::list(self, dir).unwrap_or_default();
        entries.sort();
        entries
    }
}

/// What a glob walk needs from a file tree.
pub trait GlobTree {
    fn entry_kind(&self, path: &str) -> Option<FileKind>;
    /// `(name, kind)` of each entry of a directory, `None` when it is not one.
    fn list(&self, dir: &str) -> Option<Vec<(String, FileKind)>>;
}

/// Matches a glob component by component, the way the `glob` crate walks: a literal
/// component must exist, a wildcard component matches names in one directory, `**`
/// matches any depth (zero included; a trailing `**` matches directories only).
pub fn glob_walk(tree: &dyn GlobTree, pattern: &str, limit: usize) -> GlobMatches {
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let mut out = Vec::new();
    let mut complete = true;
    glob_step(tree, "", &parts, limit, &mut out, &mut complete);
    out.sort();
    out.dedup();
    GlobMatches { paths: out, complete }
}

fn glob_step(
    tree: &dyn GlobTree,
    dir: &str,
    parts: &[&str],
    limit: usize,
    out: &mut Vec<String>,
    complete: &mut bool,
) {
    if out.len() >= limit {
        *complete = false;
        return;
    }
    let join = |name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    let Some((first, rest)) = parts.split_first() else {
        if !dir.is_empty() {
            out.push(dir.to_string());
        }
        return;
    };
    if !first.contains(['*', '?', '[']) {
        let path = join(first);
        match tree.entry_kind(&path) {
            Some(FileKind::Dir) => glob_step(tree, &path, rest, limit, out, complete),
            Some(FileKind::File) if rest.is_empty() => glob_step(tree, &path, rest, limit, out, complete),
            _ => {}
        }
        return;
    }
    let Some(entries) = tree.list(dir) else {
        return;
    };
    if *first == "**" {
        let mut dirs: Vec<&String> =
            entries.iter().filter(|(_, k)| *k == FileKind::Dir).map(|(n, _)| n).collect();
        dirs.sort();
        if rest.is_empty() {
            for name in dirs {
                glob_step(tree, &join(name), rest, limit, out, complete);
                glob_step(tree, &join(name), parts, limit, out, complete);
            }
            return;
        }
        glob_step(tree, dir, rest, limit, out, complete);
        for name in dirs {
            glob_step(tree, &join(name), parts, limit, out, complete);
        }
        return;
    }
    let Ok(pat) = glob::Pattern::new(first) else {
        return;
    };
    let mut hits: Vec<&String> = entries
        .iter()
        .filter(|(name, kind)| {
            (rest.is_empty() || *kind == FileKind::Dir) && pat.matches_with(name, glob_options())
        })
        .map(|(n, _)| n)
        .collect();
    hits.sort();
    for name in hits {
        glob_step(tree, &join(name), rest, limit, out, complete);
    }
}

/// Normalises a link as written in a spec into a project-relative path, or says why
/// it cannot be one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkPath {
    Relative(String),
    Absolute,
    /// Leaves the project root through `..`.
    Outside,
    Empty,
}

pub fn normalize_link(raw: &str) -> LinkPath {
    if raw.is_empty() {
        return LinkPath::Empty;
    }
    if raw.starts_with('/')
        || raw.starts_with('~')
        || (raw.len() > 2 && raw.as_bytes()[1] == b':' && raw.as_bytes()[2] == b'\\')
    {
        return LinkPath::Absolute;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return LinkPath::Outside;
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return LinkPath::Empty;
    }
    LinkPath::Relative(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_facts() {
        let f = MemFacts::new([("docs/a.md", "x"), ("docs/sub/b.md", "yy"), ("src/main.rs", "")]);
        assert_eq!(f.kind("docs/a.md"), Some(FileKind::File));
        assert_eq!(f.kind("docs"), Some(FileKind::Dir));
        assert_eq!(f.kind("doc"), None);
        assert_eq!(f.glob("docs/*.md", 10).paths, vec!["docs/a.md"]);
        assert_eq!(f.glob("docs/**/*.md", 10).paths, vec!["docs/a.md", "docs/sub/b.md"]);
        assert_eq!(f.glob("*", 10).paths, vec!["docs", "src"]);
        assert_eq!(f.glob("docs/**", 10).paths, vec!["docs/sub"]);
        assert_eq!(f.glob("**/b.md", 10).paths, vec!["docs/sub/b.md"]);
        let g = f.glob("**/*", 2);
        assert!(!g.complete);
    }

    #[test]
    fn normalize() {
        assert_eq!(normalize_link("./docs//a.md"), LinkPath::Relative("docs/a.md".into()));
        assert_eq!(normalize_link("docs/../src/x"), LinkPath::Relative("src/x".into()));
        assert_eq!(normalize_link("../x"), LinkPath::Outside);
        assert_eq!(normalize_link("/etc/passwd"), LinkPath::Absolute);
        assert_eq!(normalize_link("~/x"), LinkPath::Absolute);
        assert_eq!(normalize_link("."), LinkPath::Empty);
    }
}

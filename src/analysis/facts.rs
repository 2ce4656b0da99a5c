//! What the analysis may ask about the project's files, behind a trait so that
//! `analysis/` stays free of IO: the disk implementation lives in `io::facts`, and
//! [`MemFacts`] answers from fixture strings in tests.
//!
//! Paths are project-root-relative with `/` separators, already normalised (no `.`
//! or `..` components, no leading `./`).

use std::collections::{BTreeMap, HashSet};

/// chant-lsp's limits on what it reads (a repository is untrusted input: a file may be
/// endless, a folder may loop back on itself). Past a limit a file is skipped with a
/// `too-large` diagnostic and a walk stops with a `walk-limit` one; never silently.
pub mod caps {
    /// Specs and config files (and editor buffers of specs).
    pub const SPEC: usize = 4 << 20;
    /// An `output_schema` file.
    pub const SCHEMA: usize = 1 << 20;
    /// An agent log (`.chant/logs/<ID>.log`).
    pub const LOG: usize = 16 << 20;
    /// A `.gitignore` read for path completion.
    pub const IGNORE: usize = 1 << 20;
    /// Directory entries one glob walk looks at.
    pub const WALK_ENTRIES: usize = 100_000;
    /// Folders a walk descends below where it starts (globs, nested spec folders).
    pub const WALK_DEPTH: usize = 32;

    /// A cap for messages: "4 MB".
    pub fn shown(cap: usize) -> String {
        if cap >= 1 << 20 {
            format!("{} MB", cap >> 20)
        } else {
            format!("{} KB", cap >> 10)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    File,
    Dir,
    /// Neither a regular file nor a directory (`"a FIFO"`, `"a socket"`, `"a device"`):
    /// never opened (reading a FIFO blocks, a device may never end).
    Special(&'static str),
    /// A symbolic link (or a path through one) whose real path lies outside the project:
    /// never followed, never read.
    Outside,
    /// Something is there, but it cannot be looked at (permission denied, a name too long,
    /// a symlink loop).
    Unreadable(std::io::ErrorKind),
}

impl FileKind {
    /// Why a read of a path of this kind fails (`None` for a file).
    pub fn problem(self) -> Option<ReadProblem> {
        match self {
            FileKind::File => None,
            FileKind::Dir => Some(ReadProblem::NotAFile("a directory")),
            FileKind::Special(what) => Some(ReadProblem::NotAFile(what)),
            FileKind::Outside => Some(ReadProblem::Outside),
            FileKind::Unreadable(e) => Some(ReadProblem::Unreadable(e)),
        }
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadProblem {
    Missing,
    /// What it is instead of a regular file: `"a directory"`, `"a FIFO"`, …
    NotAFile(&'static str),
    /// Larger than the cap (chant-lsp reads at most `cap + 1` bytes to find out).
    TooLarge {
        cap: usize,
    },
    /// Its real path lies outside the project.
    Outside,
    /// Permission denied, a name too long, a symlink loop…
    Unreadable(std::io::ErrorKind),
}

impl ReadProblem {
    /// The problem for messages, after the path: "is a FIFO, not a regular file".
    pub fn describe(self) -> String {
        match self {
            ReadProblem::Missing => "does not exist".to_string(),
            ReadProblem::NotAFile(what) => format!("is {what}, not a regular file"),
            ReadProblem::TooLarge { cap } => {
                format!("is larger than {}, chant-lsp's limit", caps::shown(cap))
            }
            ReadProblem::Outside => "leads outside the project (through a symbolic link)".to_string(),
            ReadProblem::Unreadable(kind) => format!("cannot be read ({kind})"),
        }
    }
}

/// Paths a glob matched, sorted, at most the requested number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobMatches {
    pub paths: Vec<String>,
    /// False when the search stopped at the limit (or at a walk bound).
    pub complete: bool,
    /// The walk reached [`caps::WALK_ENTRIES`] or [`caps::WALK_DEPTH`] before it was done.
    pub bounded: bool,
    /// Entries the walk would have gone into or matched, but did not (outside the
    /// project, unreadable, not a file): the first few, by path.
    pub skipped: Vec<(String, FileKind)>,
}

/// How many skipped entries a glob result keeps.
const SKIPPED_KEPT: usize = 8;

pub trait FileFacts: Sync {
    /// What exists at `path`, following symlinks that stay inside the project; `None`
    /// when nothing does.
    fn kind(&self, path: &str) -> Option<FileKind>;
    /// Files and directories matching a glob the way chant's `glob` crate walk does
    /// (`*` stays inside one path component, `**` spans directories), without following
    /// a folder twice (symlink loops) and within the walk bounds ([`caps`]).
    fn glob(&self, pattern: &str, limit: usize) -> GlobMatches;
    /// A text file's contents (for JSON schemas and agent logs), at most `cap` bytes.
    fn read(&self, path: &str, cap: usize) -> Result<String, ReadProblem>;
    /// The size of a file and its first `max` bytes (lossy UTF-8), for previews.
    fn preview(&self, path: &str, max: usize) -> Option<Preview>;
    /// How many lines a text file has (for `path:line` references); `None` when it
    /// cannot be read.
    fn line_count(&self, path: &str) -> Option<usize> {
        let text = self.read(path, caps::SPEC).ok()?;
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
/// prefixes of file paths. Other kinds (a FIFO, a link leading outside, an unreadable
/// folder) are set with [`MemFacts::with`], so IO failures can be tested anywhere.
#[derive(Debug, Clone, Default)]
pub struct MemFacts {
    files: BTreeMap<String, String>,
    kinds: BTreeMap<String, FileKind>,
}

impl MemFacts {
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        MemFacts {
            files: files.into_iter().map(|(p, t)| (p.to_string(), t.to_string())).collect(),
            kinds: BTreeMap::new(),
        }
    }

    /// Makes `path` something other than a file with a text (or a folder of files).
    pub fn with(mut self, path: &str, kind: FileKind) -> Self {
        self.kinds.insert(path.to_string(), kind);
        self
    }

    fn is_dir(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        let first_file = self.files.range(prefix.clone()..).next().map(|(p, _)| p);
        let first_set = self.kinds.range(prefix.clone()..).next().map(|(p, _)| p);
        path.is_empty() || [first_file, first_set].into_iter().flatten().any(|p| p.starts_with(&prefix))
    }

    /// The kind set on `path` or on a folder above it, as it shows at `path`.
    fn set_kind(&self, path: &str) -> Option<Option<FileKind>> {
        if let Some(k) = self.kinds.get(path) {
            return Some(Some(*k));
        }
        let mut at = path;
        while let Some(i) = at.rfind('/') {
            at = &at[..i];
            match self.kinds.get(at) {
                Some(k @ (FileKind::Outside | FileKind::Unreadable(_))) => return Some(Some(*k)),
                Some(FileKind::Special(_) | FileKind::File) => return Some(None),
                _ => {}
            }
        }
        None
    }
}

impl GlobTree for MemFacts {
    fn entry_kind(&self, path: &str) -> Option<FileKind> {
        FileFacts::kind(self, path)
    }

    fn list(&self, dir: &str) -> Option<Listed> {
        if FileFacts::kind(self, dir) != Some(FileKind::Dir) {
            return None;
        }
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let mut entries: Vec<(String, FileKind)> = Vec::new();
        let paths = self.files.range(prefix.clone()..).map(|(p, _)| p).take_while(|p| p.starts_with(&prefix));
        let set = self.kinds.range(prefix.clone()..).map(|(p, _)| p).take_while(|p| p.starts_with(&prefix));
        for path in paths.chain(set) {
            let rest = &path[prefix.len()..];
            let name = rest.split('/').next().unwrap_or(rest);
            if entries.iter().any(|(n, _)| n == name) {
                continue;
            }
            if let Some(kind) = FileFacts::kind(self, &format!("{prefix}{name}")) {
                entries.push((name.to_string(), kind));
            }
        }
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        dir.hash(&mut h);
        Some(Listed { id: (0, h.finish()), entries })
    }
}

impl FileFacts for MemFacts {
    fn kind(&self, path: &str) -> Option<FileKind> {
        if let Some(set) = self.set_kind(path) {
            return set;
        }
        if self.files.contains_key(path) {
            return Some(FileKind::File);
        }
        self.is_dir(path).then_some(FileKind::Dir)
    }

    fn glob(&self, pattern: &str, limit: usize) -> GlobMatches {
        glob_walk(self, pattern, limit)
    }

    fn read(&self, path: &str, cap: usize) -> Result<String, ReadProblem> {
        match self.kind(path) {
            None => Err(ReadProblem::Missing),
            Some(k) => match k.problem() {
                Some(p) => Err(p),
                None => {
                    let text = self.files.get(path).cloned().unwrap_or_default();
                    if text.len() > cap {
                        return Err(ReadProblem::TooLarge { cap });
                    }
                    Ok(text)
                }
            },
        }
    }

    fn preview(&self, path: &str, max: usize) -> Option<Preview> {
        if self.kind(path) != Some(FileKind::File) {
            return None;
        }
        let text = self.files.get(path)?;
        let mut end = max.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Some(Preview::of(&text.as_bytes()[..end], text.len() as u64))
    }

    fn list_dir(&self, dir: &str) -> Vec<(String, FileKind)> {
        let mut entries: Vec<(String, FileKind)> = GlobTree::list(self, dir)
            .map(|l| l.entries)
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, k)| matches!(k, FileKind::File | FileKind::Dir))
            .collect();
        entries.sort();
        entries
    }
}

/// One directory as a glob walk sees it.
pub struct Listed {
    /// Which directory this is, whatever path reached it (device and inode on disk): a
    /// walk never enters one twice for the same rest of the pattern, so symlink loops end.
    pub id: (u64, u64),
    pub entries: Vec<(String, FileKind)>,
}

/// What a glob walk needs from a file tree.
pub trait GlobTree {
    fn entry_kind(&self, path: &str) -> Option<FileKind>;
    /// The entries of a directory (`None` when it is not one, or cannot be listed).
    fn list(&self, dir: &str) -> Option<Listed>;
}

struct Walk<'a> {
    tree: &'a dyn GlobTree,
    limit: usize,
    out: Vec<String>,
    complete: bool,
    bounded: bool,
    skipped: Vec<(String, FileKind)>,
    /// Directories walked, with how many pattern components were left.
    seen: HashSet<((u64, u64), usize)>,
    entries: usize,
}

/// Matches a glob component by component, the way the `glob` crate walks: a literal
/// component must exist, a wildcard component matches names in one directory, `**`
/// matches any depth (zero included; a trailing `**` matches directories only). Each
/// directory is walked once per rest of the pattern (symlink loops end), entries that
/// lead outside the project or cannot be read are skipped (and named), and the walk stops
/// at [`caps::WALK_ENTRIES`] entries or [`caps::WALK_DEPTH`] levels.
pub fn glob_walk(tree: &dyn GlobTree, pattern: &str, limit: usize) -> GlobMatches {
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let mut w = Walk {
        tree,
        limit,
        out: Vec::new(),
        complete: true,
        bounded: false,
        skipped: Vec::new(),
        seen: HashSet::new(),
        entries: 0,
    };
    w.step("", &parts, 0);
    w.out.sort();
    w.out.dedup();
    w.skipped.sort();
    w.skipped.dedup();
    w.skipped.truncate(SKIPPED_KEPT);
    GlobMatches { paths: w.out, complete: w.complete && !w.bounded, bounded: w.bounded, skipped: w.skipped }
}

impl Walk<'_> {
    fn skip(&mut self, path: String, kind: FileKind) {
        if self.skipped.len() < SKIPPED_KEPT * 4 {
            self.skipped.push((path, kind));
        }
    }

    fn step(&mut self, dir: &str, parts: &[&str], depth: usize) {
        if self.out.len() >= self.limit {
            self.complete = false;
            return;
        }
        if self.bounded {
            return;
        }
        if depth > caps::WALK_DEPTH {
            self.bounded = true;
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
                self.out.push(dir.to_string());
            }
            return;
        };
        if !first.contains(['*', '?', '[']) {
            let path = join(first);
            match self.tree.entry_kind(&path) {
                Some(FileKind::Dir) => self.step(&path, rest, depth + 1),
                Some(FileKind::File) if rest.is_empty() => self.step(&path, rest, depth + 1),
                Some(k @ (FileKind::Outside | FileKind::Unreadable(_))) => self.skip(path, k),
                Some(k @ FileKind::Special(_)) if rest.is_empty() => self.skip(path, k),
                _ => {}
            }
            return;
        }
        let Some(listed) = self.tree.list(dir) else {
            return;
        };
        if !self.seen.insert((listed.id, parts.len())) {
            return;
        }
        self.entries += listed.entries.len();
        if self.entries > caps::WALK_ENTRIES {
            self.bounded = true;
            return;
        }
        let mut entries = listed.entries;
        entries.sort();
        if *first == "**" {
            for (name, kind) in &entries {
                if matches!(kind, FileKind::Outside | FileKind::Unreadable(_)) {
                    self.skip(join(name), *kind);
                }
            }
            let dirs: Vec<&String> =
                entries.iter().filter(|(_, k)| *k == FileKind::Dir).map(|(n, _)| n).collect();
            if rest.is_empty() {
                for name in dirs {
                    self.step(&join(name), rest, depth + 1);
                    self.step(&join(name), parts, depth + 1);
                }
                return;
            }
            self.step(dir, rest, depth);
            for name in dirs {
                self.step(&join(name), parts, depth + 1);
            }
            return;
        }
        let Ok(pat) = glob::Pattern::new(first) else {
            return;
        };
        for (name, kind) in &entries {
            if !pat.matches_with(name, glob_options()) {
                continue;
            }
            match kind {
                FileKind::Dir => self.step(&join(name), rest, depth + 1),
                FileKind::File if rest.is_empty() => self.step(&join(name), rest, depth + 1),
                FileKind::Outside | FileKind::Unreadable(_) => self.skip(join(name), *kind),
                FileKind::Special(_) if rest.is_empty() => self.skip(join(name), *kind),
                _ => {}
            }
        }
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
        assert_eq!(f.read("docs/sub/b.md", 2).as_deref(), Ok("yy"));
        assert_eq!(f.read("docs/sub/b.md", 1), Err(ReadProblem::TooLarge { cap: 1 }));
        assert_eq!(f.read("docs", 10), Err(ReadProblem::NotAFile("a directory")));
        assert_eq!(f.read("nope", 10), Err(ReadProblem::Missing));
    }

    #[test]
    fn mem_facts_hold_io_failures() {
        let denied = FileKind::Unreadable(std::io::ErrorKind::PermissionDenied);
        let f = MemFacts::new([("docs/a.md", "x"), ("docs/locked/b.md", "y")])
            .with("docs/pipe.md", FileKind::Special("a FIFO"))
            .with("docs/out", FileKind::Outside)
            .with("docs/locked", denied);
        assert_eq!(f.kind("docs/out/etc.md"), Some(FileKind::Outside));
        assert_eq!(f.kind("docs/locked/b.md"), Some(denied));
        assert_eq!(f.kind("docs/pipe.md/x"), None);
        assert_eq!(f.read("docs/pipe.md", 10), Err(ReadProblem::NotAFile("a FIFO")));
        assert_eq!(f.read("docs/out/x", 10), Err(ReadProblem::Outside));
        let g = f.glob("docs/**/*.md", 10);
        assert_eq!(g.paths, vec!["docs/a.md"]);
        assert_eq!(
            g.skipped,
            vec![
                ("docs/locked".to_string(), denied),
                ("docs/out".to_string(), FileKind::Outside),
                ("docs/pipe.md".to_string(), FileKind::Special("a FIFO")),
            ]
        );
        let names: Vec<String> = f.list_dir("docs").into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["a.md"]);
    }

    /// Every folder holds `a` and `b`, which are the folder itself (`a -> .`), and `x.md`.
    struct Loop;

    impl GlobTree for Loop {
        fn entry_kind(&self, path: &str) -> Option<FileKind> {
            Some(if path.ends_with(".md") { FileKind::File } else { FileKind::Dir })
        }
        fn list(&self, _: &str) -> Option<Listed> {
            let entries = vec![
                ("a".into(), FileKind::Dir),
                ("b".into(), FileKind::Dir),
                ("x.md".into(), FileKind::File),
            ];
            Some(Listed { id: (1, 1), entries })
        }
    }

    /// Every folder holds two new folders (a tree without end, no loop).
    struct Endless;

    impl GlobTree for Endless {
        fn entry_kind(&self, _: &str) -> Option<FileKind> {
            Some(FileKind::Dir)
        }
        fn list(&self, dir: &str) -> Option<Listed> {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            dir.hash(&mut h);
            Some(Listed {
                id: (2, h.finish()),
                entries: vec![("a".into(), FileKind::Dir), ("b".into(), FileKind::Dir)],
            })
        }
    }

    #[test]
    fn walks_end_on_loops_and_at_their_bounds() {
        let g = glob_walk(&Loop, "docs/**/*.md", 1000);
        assert_eq!(g.paths, vec!["docs/x.md"]);
        assert!(g.complete && !g.bounded);
        let g = glob_walk(&Endless, "**/*.md", 1000);
        assert!(g.paths.is_empty());
        assert!(g.bounded && !g.complete);
        // A long chain of single folders stops at the depth bound.
        let deep = vec!["*"; caps::WALK_DEPTH + 5].join("/");
        let g = glob_walk(&Endless, &deep, 1);
        assert!(g.bounded, "{g:?}");
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

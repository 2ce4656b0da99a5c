//! The server's state: open documents (ropes with versions), one checked workspace per
//! chant project root, the settings, the client's abilities, and what was last
//! published for each file. It changes only through [`State::apply`] (`changes.rs`),
//! sits behind one mutex that is never held across an `.await`, and does no IO: texts
//! from the disk, BOM probes, git and lock facts are read before the lock is taken.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::capabilities::{ClientCaps, Encoding};
use super::from_proto;
use super::settings::Settings;
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::facts::caps;
use crate::analysis::selection::Selection;
use crate::analysis::spec::{self, Context, SpecFile, Summary};
use crate::analysis::workspace::{self, Workspace};
use crate::io::facts::DiskFacts;
use crate::io::run::RunFacts;

/// An open document.
pub struct Doc {
    /// The URI exactly as the client sent it (published diagnostics must use it).
    pub uri: Uri,
    pub rope: Rope,
    pub version: i32,
    /// Bumped on every change; a debounced re-check runs only if it did not move.
    pub generation: u64,
    /// The file on disk starts with a byte order mark (probed when the document is opened
    /// and when its file changes); editors hide it from the buffer.
    pub disk_bom: bool,
    /// `rope.to_string()`, kept until the next change.
    text: Option<Arc<String>>,
}

impl Doc {
    pub fn new(uri: Uri, text: &str, version: i32, disk_has_bom: bool) -> Doc {
        Doc {
            uri,
            rope: Rope::from_str(text),
            version,
            generation: 0,
            disk_bom: disk_has_bom,
            text: Some(Arc::new(text.to_string())),
        }
    }

    /// Whether the buffer lacks the BOM the file on disk starts with (chant reads the
    /// file's bytes, BOM included).
    pub fn hides_bom(&mut self) -> bool {
        self.disk_bom && !self.text().starts_with('\u{feff}')
    }

    pub fn text(&mut self) -> Arc<String> {
        if self.text.is_none() {
            self.text = Some(Arc::new(self.rope.to_string()));
        }
        self.text.clone().unwrap_or_default()
    }

    pub fn apply(&mut self, changes: Vec<lsp::TextDocumentContentChangeEvent>, version: i32, enc: Encoding) {
        for c in changes {
            from_proto::apply_change(&mut self.rope, c.range, &c.text, enc);
        }
        self.version = version;
        self.generation += 1;
        self.text = None;
    }
}

/// One chant project.
pub struct Root {
    pub path: PathBuf,
    pub facts: Arc<DiskFacts>,
    pub ws: Workspace,
    /// What was last published per project-relative (or absolute, for the global
    /// config) path, after settings were applied.
    pub published: HashMap<String, Vec<Diagnostic>>,
    /// Git and lock facts for the run actions.
    pub runs: RunFacts,
    /// The read (see [`State::disk_read`]) that `runs` came from.
    pub runs_read: u64,
    /// The read the project was loaded with: file reads that started before it are stale.
    pub loaded_read: u64,
    /// The read the git facts (kept in `ws`) came from.
    pub git_read: u64,
    /// What the project's `chant-lsp.toml` selects (under the editor's settings).
    pub selection: Selection,
}

impl Root {
    pub fn context(&self) -> Context<'_> {
        Context { config: self.ws.config(), prompts: &self.ws.prompts, facts: self.facts.as_ref() }
    }

    /// The project-relative path of a file under this root.
    pub fn rel(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.path).ok()?;
        Some(rel.to_str()?.replace('\\', "/"))
    }

    pub fn abs(&self, rel: &str) -> PathBuf {
        if Path::new(rel).is_absolute() {
            PathBuf::from(rel)
        } else {
            self.path.join(rel)
        }
    }

    /// Analyses `text` as the spec at `rel` (`None` if `rel` is not a spec path).
    /// `hidden_bom`: `text` is an editor buffer without the byte order mark the file on
    /// disk starts with.
    pub fn analyze(&self, rel: &str, text: &str, hidden_bom: bool) -> Option<(Summary, Vec<Diagnostic>)> {
        let src = workspace::classify(rel)?;
        Some(if hidden_bom {
            workspace::analyze_hidden_bom(&self.context(), &src, text)
        } else {
            workspace::analyze_source(&self.context(), &src, Ok(text.as_bytes()))
        })
    }
}

pub struct State {
    pub encoding: Encoding,
    pub caps: ClientCaps,
    pub settings: Settings,
    /// What the last settings said that could not be used (shown to the person once).
    pub settings_problems: Vec<String>,
    pub initialization_options: Option<serde_json::Value>,
    pub folders: Vec<PathBuf>,
    pub roots: Vec<Root>,
    /// Roots being loaded (not yet in `roots`, or being reloaded).
    pub loading: HashSet<PathBuf>,
    /// Roots asked to load while loading: loaded once more when that load ends.
    pub load_again: HashSet<PathBuf>,
    pub docs: HashMap<PathBuf, Doc>,
    pub home: Option<PathBuf>,
    /// Per file, the read its current analysis came from: disk reads are numbered when
    /// they start, and a read that started earlier never replaces one that started later
    /// (reads happen outside the lock, and batches may finish out of order).
    pub disk_reads_applied: HashMap<PathBuf, u64>,
    /// The number the next disk read gets.
    next_read: u64,
}

impl State {
    pub fn new(home: Option<PathBuf>) -> State {
        State {
            encoding: Encoding::Utf16,
            caps: ClientCaps::default(),
            settings: Settings::default(),
            settings_problems: Vec::new(),
            initialization_options: None,
            folders: Vec::new(),
            roots: Vec::new(),
            loading: HashSet::new(),
            load_again: HashSet::new(),
            docs: HashMap::new(),
            home,
            disk_reads_applied: HashMap::new(),
            next_read: 1,
        }
    }

    /// Numbers a disk read that is about to start (see `disk_reads_applied`).
    pub fn disk_read(&mut self) -> u64 {
        self.next_read += 1;
        self.next_read
    }

    /// The loaded root containing `path` (the deepest one).
    pub fn root_of(&self, path: &Path) -> Option<usize> {
        self.roots
            .iter()
            .enumerate()
            .filter(|(_, r)| path.starts_with(&r.path))
            .max_by_key(|(_, r)| r.path.as_os_str().len())
            .map(|(i, _)| i)
    }

    /// The project a file lies in, to read it from the disk (inside that project only).
    pub fn project_of(&self, path: &Path) -> Option<crate::io::read::Project> {
        self.root_of(path).map(|i| self.roots[i].facts.project().clone())
    }

    /// The root and project-relative path of a spec file.
    pub fn spec_at(&self, path: &Path) -> Option<(usize, String)> {
        let root = self.root_of(path)?;
        let rel = self.roots[root].rel(path)?;
        workspace::classify(&rel)?;
        Some((root, rel))
    }

    /// Analyses the spec at `path` whose text is `text` for a feature request (`None`
    /// past `caps::SPEC`: such a spec gets its `too-large` diagnostic and no features, so
    /// no request on it costs more than the cap allows).
    pub fn with_spec<R>(&self, path: &Path, text: &str, f: impl FnOnce(&Root, &SpecFile) -> R) -> Option<R> {
        if text.len() > caps::SPEC {
            return None;
        }
        let (root, rel) = self.spec_at(path)?;
        let src = workspace::classify(&rel)?;
        let r = &self.roots[root];
        let (file, _) = spec::analyze(&r.context(), &src.id, &src.rel, src.place, text);
        Some(f(r, &file))
    }

    /// The URI and version to publish a file under.
    pub fn uri_for(&self, abs: &Path) -> Option<(Uri, Option<i32>)> {
        match self.docs.get(abs) {
            Some(d) => Some((d.uri.clone(), Some(d.version))),
            None => Some((Uri::from_file_path(abs)?, None)),
        }
    }

    pub fn uri(&self, root: usize, rel: &str) -> Option<Uri> {
        self.uri_for(&self.roots[root].abs(rel)).map(|(u, _)| u)
    }

    /// The open document at `abs`, as a URI and a rope (cheap to clone).
    pub fn open_file(&self, abs: &Path) -> Option<(Uri, Rope)> {
        self.docs.get(abs).map(|d| (d.uri.clone(), d.rope.clone()))
    }
}

/// Project roots for a workspace folder: the project containing it, or the projects
/// nested below it (not inside ignored or hidden folders other than `.chant`).
pub fn discover_roots(folder: &Path) -> Vec<PathBuf> {
    if let Some(root) = crate::io::root::find_root(folder) {
        return vec![root];
    }
    let mut out = Vec::new();
    // No ignore file is read (a `.gitignore` may be a FIFO, and this walk runs before
    // any project is known); symlinks are not followed.
    let walker = ignore::WalkBuilder::new(folder)
        .max_depth(Some(6))
        .hidden(true)
        .git_global(false)
        .git_ignore(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .follow_links(false)
        .require_git(false)
        .filter_entry(|e| !matches!(e.file_name().to_str(), Some("node_modules" | "target" | ".git")))
        .build();
    for e in walker.flatten() {
        if e.file_type().is_some_and(|t| t.is_dir()) && e.path().join(".chant").is_dir() {
            out.push(e.path().to_path_buf());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a file event can matter: chant's own busy files are ignored.
pub fn relevant(rel: &str) -> bool {
    !(rel.starts_with(".git/")
        || rel.starts_with(".chant/.locks/")
        || rel.starts_with(".chant/pids/")
        || rel.starts_with(".chant/tmp/")
        || rel.starts_with(".chant/processes/")
        || rel.starts_with(".chant/store/")
        || rel.starts_with(".chant/.store/")
        || rel.ends_with(".md.tmp")
        || rel.contains("/.chant-status-")
        || rel.contains("/node_modules/")
        || rel.starts_with("target/"))
}

/// Whether a file event changes the facts of the run actions (locks, logs, git).
pub fn touches_runs(rel: &str) -> bool {
    rel.starts_with(".chant/.locks")
        || rel.starts_with(".chant/logs")
        || rel == ".git"
        || rel == ".git/HEAD"
        || rel.starts_with(".git/refs/")
}

/// Whether a file event may change the git facts: refs, HEAD, the index, worktrees,
/// or any project file (uncommitted changes).
pub fn touches_git(rel: &str) -> bool {
    match rel.strip_prefix(".git") {
        Some("" | "/HEAD" | "/index" | "/packed-refs" | "/shallow") => true,
        Some(rest) => rest.starts_with("/refs/") || rest.starts_with("/worktrees/"),
        None => relevant(rel),
    }
}

/// The facts a spec's local rules read: does `rel` (a changed file, a spec file too)
/// matter to spec `s`?
pub fn links_to(s: &Summary, rel: &str) -> bool {
    s.links.iter().any(|l| match &l.path {
        Some(p) if p.contains(['*', '?', '[']) => true,
        Some(p) => p == rel || rel.starts_with(&format!("{p}/")) || p.starts_with(&format!("{rel}/")),
        None => false,
    }) || s.prompt.as_ref().is_some_and(|p| rel == format!(".chant/prompts/{p}.md"))
        || rel == format!(".chant/logs/{}.log", s.id)
}

/// Whether the server keeps the text of an open file of the project at `root`: specs,
/// everything under `.chant/` and the project file do; other files (source files) are
/// only ever asked about by position.
pub fn keeps_text(path: &Path, root: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return true };
    let rel = rel.to_string_lossy();
    rel.starts_with(".chant/")
        || rel == crate::analysis::selection::PROJECT_FILE
        || workspace::classify(&rel).is_some()
}

/// File contents read from the disk for a change (`Err(ReadProblem::Missing)` when the
/// file is gone; other problems when it was not read: too large, outside the project, not
/// a regular file), and the number of that read ([`State::disk_read`], taken before
/// reading).
#[derive(Default)]
pub struct Texts {
    pub read: u64,
    pub files: HashMap<PathBuf, Result<Vec<u8>, crate::analysis::facts::ReadProblem>>,
}

impl Texts {
    pub fn new(
        read: u64,
        files: impl IntoIterator<Item = (PathBuf, Result<Vec<u8>, crate::analysis::facts::ReadProblem>)>,
    ) -> Texts {
        Texts { read, files: files.into_iter().collect() }
    }
}

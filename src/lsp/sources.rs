//! Project files that are not specs ("source files"): the lenses on their first line
//! naming the specs that change or read them, their references, and "which spec wrote
//! this line" (blame, as a command and, with `sourceFiles.blame`, as a hover). Their
//! text is never kept: every answer here needs only a position.
//!
//! Blame runs on a blocking thread, never under the state lock; results are cached per
//! file state (size, modification time) and HEAD commit, and a request waits for one at
//! most [`BLAME_PATIENCE`]: a blame still running then fills the cache for the next.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use ropey::Rope;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::server::Backend;
use super::to_proto;
use crate::analysis::ide::navigation::Location;
use crate::analysis::ide::sources::{self, SourceSpec};
use crate::io::git_blame;
pub use crate::io::git_blame::LineOrigin;

/// How long a hover waits for blame before answering without it.
pub const BLAME_PATIENCE: Duration = Duration::from_millis(600);
/// Blame results kept (the cache is emptied when it would grow past this).
const BLAME_CACHE: usize = 512;

/// A project file that is not a spec, in a loaded project.
pub struct Source {
    pub root: PathBuf,
    pub rel: String,
}

/// The source file at `uri`, when source-file features are on and the file is in a
/// loaded project, outside `.chant/`.
pub fn source(b: &Backend, uri: &Uri) -> Option<Source> {
    let path = super::from_proto::path(uri)?;
    let st = b.state();
    if !st.settings.source_files.enabled {
        return None;
    }
    let r = &st.roots[st.root_of(&path)?];
    let rel = r.rel(&path)?;
    if rel.is_empty() || rel.starts_with(".chant/") || rel.starts_with(".git/") {
        return None;
    }
    Some(Source { root: r.path.clone(), rel })
}

/// The specs naming a source file, with a spec running now (here or elsewhere) first.
fn specs_of(b: &Backend, s: &Source) -> Vec<SourceSpec> {
    let st = b.state();
    let Some(r) = st.roots.iter().find(|r| r.path == s.root) else { return Vec::new() };
    let running = |id: &str| {
        let run = b.run_state(&st, &r.path, id);
        run.running_here || run.running_elsewhere.is_some()
    };
    sources::specs_of(&r.ws.project, &s.rel, st.settings.archived, &running)
}

/// Lenses on the first line of a source file (none when no spec names it).
pub fn code_lenses(b: &Backend, uri: &Uri) -> Option<Vec<lsp::CodeLens>> {
    let s = source(b, uri)?;
    let specs = specs_of(b, &s);
    let enc = b.state().encoding;
    let empty = Rope::new();
    let lenses = sources::lenses(&specs)
        .into_iter()
        .map(|l| {
            let lens = crate::analysis::ide::lenses::Lens { range: 0..0, title: l.title, call: l.call };
            let target =
                l.spec.and_then(|p| Uri::from_file_path(s.root.join(p))).unwrap_or_else(|| uri.clone());
            to_proto::code_lens(lens, &target, &empty, enc)
        })
        .collect();
    Some(lenses)
}

/// "Find references" on a source file's first line: the entries of the specs naming it.
pub fn references(b: &Backend, uri: &Uri, position: lsp::Position) -> Option<Vec<lsp::Location>> {
    if position.line != 0 {
        return None;
    }
    let s = source(b, uri)?;
    let found: Vec<Location> = specs_of(b, &s)
        .into_iter()
        .flat_map(|spec| {
            let path = spec.path;
            spec.entries.into_iter().map(move |range| Location { path: path.clone(), range: Some(range) })
        })
        .collect();
    Some(super::handlers::locations(b, &s.root, found))
}

/// Blame answers by file, line, file state and git read (failures are not kept).
#[derive(Default)]
pub struct BlameCache {
    done: HashMap<BlameKey, Result<LineOrigin, String>>,
    running: HashSet<BlameKey>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct BlameKey {
    path: PathBuf,
    line: u32,
    size: u64,
    modified: Option<SystemTime>,
    /// HEAD's commit as the git facts last saw it: blame of the saved file depends on
    /// nothing else (uncommitted changes elsewhere do not matter).
    head: Option<String>,
}

/// What blame says of `line` of a source file: from the cache, else blamed on a
/// blocking thread; `patience`: how long to wait (`None`: until done).
pub async fn blame(
    b: &Backend,
    s: &Source,
    line: u32,
    patience: Option<Duration>,
) -> Option<Result<LineOrigin, String>> {
    let path = s.root.join(&s.rel);
    let meta = std::fs::metadata(&path).ok()?;
    let head = {
        let st = b.state();
        let r = st.roots.iter().find(|r| r.path == s.root)?;
        r.ws.git_facts().and_then(|g| g.head.clone())
    };
    let key = BlameKey { path, line, size: meta.len(), modified: meta.modified().ok(), head };
    let cache: Arc<Mutex<BlameCache>> = b.inner.blames.clone();
    {
        let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(done) = c.done.get(&key) {
            return Some(done.clone());
        }
        if c.running.contains(&key) && patience.is_some() {
            return None;
        }
        c.running.insert(key.clone());
    }
    let (root, rel) = (s.root.clone(), s.rel.clone());
    let task = tokio::task::spawn_blocking(move || {
        let found = git_blame::blame_line(&root, &rel, line);
        let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
        c.running.remove(&key);
        if c.done.len() >= BLAME_CACHE {
            c.done.clear();
        }
        // Only answers are kept: why blame failed can change without the file or
        // HEAD changing (a repository made, a FIFO removed).
        if found.is_ok() {
            c.done.insert(key, found.clone());
        }
        found
    });
    match patience {
        Some(p) => tokio::time::timeout(p, task).await.ok()?.ok(),
        None => task.await.ok(),
    }
}

/// The markdown for what blame found on `line`, and the spec it names.
pub fn origin_text(b: &Backend, s: &Source, line: u32, origin: &LineOrigin) -> (String, Option<PathBuf>) {
    let st = b.state();
    let Some(r) = st.roots.iter().find(|r| r.path == s.root) else {
        return ("The project is not loaded.".to_string(), None);
    };
    let commit = match origin {
        LineOrigin::Commit { id, subject, author, time, .. } => {
            Some((id.as_str(), subject.as_str(), author.as_str(), *time))
        }
        LineOrigin::Uncommitted => None,
    };
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let prefix = &r.ws.config().branch_prefix;
    let (text, by) = sources::line_origin_text(&r.ws.project, line, commit, prefix, now);
    let spec = by.and_then(|w| w.index).map(|i| r.path.join(&r.ws.project.specs[i].path));
    (text, spec)
}

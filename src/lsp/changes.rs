//! How the state changes: [`State::apply`] takes one [`Change`] (a document opened,
//! edited, checked after typing paused, closed; files changed on disk; settings; a
//! project loaded; folders removed; run facts refreshed) and returns the [`Effects`]
//! the server carries out: diagnostics to publish, projects to (re)load, watchers to
//! drop, events to retry, views to refresh. Synchronous, free of tokio and of IO: what
//! it needs from the disk comes in the change, read before the state lock was taken
//! (`State::disk_reads` says what). `tests/changes.rs` drives it without a server.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::settings::Settings;
use super::state::{self, Doc, Root, State};
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::facts::ReadProblem;
use crate::analysis::git::GitFacts;
use crate::analysis::ide::specs;
use crate::analysis::selection::{Selection, PROJECT_FILE};
use crate::analysis::workspace;
use crate::io::facts::DiskFacts;
use crate::io::load::Loaded;
use crate::io::run::RunFacts;

/// More changed specs than this in one batch reload the project instead.
pub const RELOAD_THRESHOLD: usize = 64;

pub use super::state::Texts;

pub enum Change {
    /// `root`: the project the file is in, when no loaded project holds it.
    Opened {
        path: PathBuf,
        uri: Uri,
        text: String,
        version: i32,
        disk_bom: bool,
        root: Option<PathBuf>,
    },
    Edited {
        path: PathBuf,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
        version: i32,
    },
    /// Typing paused: re-check the document if it is still at `generation`.
    Paused {
        path: PathBuf,
        generation: u64,
    },
    /// `disk`: the file's content now (it is checked as chant reads it again).
    Closed {
        path: PathBuf,
        disk: Texts,
    },
    /// Files changed on disk; `texts` holds what [`State::disk_reads`] asked for.
    Disk {
        paths: Vec<PathBuf>,
        texts: Texts,
    },
    Settings(Settings),
    /// A project finished loading (or failed to: the message).
    /// `read`: the number of the read (taken before loading started); `project_file`:
    /// what its `chant-lsp.toml` selects.
    Loaded {
        root: PathBuf,
        result: Result<Box<Loaded>, String>,
        runs: RunFacts,
        read: u64,
        project_file: Selection,
    },
    FoldersRemoved(Vec<PathBuf>),
    /// A workspace folder was added; `roots`: the projects found in it.
    FolderAdded {
        folder: PathBuf,
        roots: Vec<PathBuf>,
    },
    /// `read`: the number of the read; facts read earlier than those kept are dropped.
    RunFacts {
        root: PathBuf,
        facts: RunFacts,
        read: u64,
    },
    /// A project's git facts were read (`read` as for `RunFacts`).
    Git {
        root: PathBuf,
        facts: Arc<GitFacts>,
        read: u64,
    },
}

/// What the server must do after a change.
#[derive(Default)]
pub struct Effects {
    pub publish: Vec<Outgoing>,
    /// Projects to load or reload.
    pub load: Vec<PathBuf>,
    /// Projects forgotten: stop watching them.
    pub unwatch: Vec<PathBuf>,
    /// Changed paths to handle again later (their project is still loading, or a file
    /// the change needed was not read).
    pub later: Vec<PathBuf>,
    /// Re-check this document when typing pauses.
    pub debounce: Option<(PathBuf, u64)>,
    /// Projects whose run facts (locks, logs, git) must be read again.
    pub run_facts: Vec<PathBuf>,
    /// Projects whose git facts (history, branches, worktrees, uncommitted changes)
    /// must be read again.
    pub git: Vec<PathBuf>,
    /// Lenses and hints may show something else now.
    pub refresh_views: bool,
    /// Projects whose specs view (sections, ready queue, buttons) may show something
    /// else now: the server tells the client (`chant-lsp/projectChanged`, coalesced).
    pub projects: Vec<PathBuf>,
}

/// Diagnostics to publish for one project, converted to the protocol outside the lock
/// (`publish.rs`).
pub struct Outgoing {
    pub root: PathBuf,
    pub files: Vec<OutFile>,
    /// Open documents among the files and their related locations, by relative path.
    pub open: HashMap<String, (Uri, Rope)>,
}

pub struct OutFile {
    pub rel: String,
    pub uri: Uri,
    pub version: Option<i32>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The reads a disk change needs, done by the server outside the state lock
/// ([`DiskWork::perform`]).
#[derive(Default)]
pub struct DiskWork {
    /// Spec files to read, each with its project (reads stay inside it).
    pub files: Vec<(PathBuf, crate::io::read::Project)>,
    /// Per project, the changed paths whose folders' cached listings are refreshed.
    pub listings: Vec<(Arc<DiskFacts>, Vec<String>)>,
}

/// How a batch of changed paths is handled, per project.
#[derive(Default)]
struct Plan {
    /// Per project: every changed path (for the cached folder listings).
    changed: Vec<(usize, Vec<String>)>,
    reload: Vec<usize>,
    /// Per project: changed specs, and specs whose links point at changed files.
    recheck: Vec<(usize, Vec<String>, Vec<String>)>,
    later: Vec<PathBuf>,
    views: bool,
    run_facts: Vec<PathBuf>,
    git: Vec<PathBuf>,
}

impl State {
    pub fn apply(&mut self, change: Change) -> Effects {
        let mut fx = Effects::default();
        match change {
            Change::Opened { path, uri, text, version, disk_bom, root } => {
                // A source file's lenses and references need no text: none is kept.
                let base = self.root_of(&path).map(|i| self.roots[i].path.clone()).or_else(|| root.clone());
                if base.as_deref().is_none_or(|b| state::keeps_text(&path, b)) {
                    self.docs.insert(path.clone(), Doc::new(uri, &text, version, disk_bom));
                }
                match root.filter(|r| self.root_of(&path).is_none() && !self.loading.contains(r)) {
                    Some(root) => fx.load.push(root),
                    None => self.recheck(&path, &mut fx),
                }
            }
            Change::Edited { path, changes, version } => {
                let enc = self.encoding;
                if let Some(doc) = self.docs.get_mut(&path) {
                    doc.apply(changes, version, enc);
                    fx.debounce = Some((path, doc.generation));
                }
            }
            Change::Paused { path, generation } => {
                if self.docs.get(&path).is_some_and(|d| d.generation == generation) {
                    self.recheck(&path, &mut fx);
                }
            }
            Change::Closed { path, disk } => {
                self.docs.remove(&path);
                // Back to what the disk says (a deleted file is dropped).
                self.recheck_with(&path, &disk, &mut fx);
            }
            Change::Disk { paths, texts } => self.disk_changed(paths, &texts, &mut fx),
            Change::Settings(settings) => {
                let archived_changed = self.settings.archived != settings.archived;
                self.settings = settings;
                for idx in 0..self.roots.len() {
                    if archived_changed {
                        self.roots[idx].ws.include_archived = self.settings.archived;
                    }
                    self.collect(idx, None, &mut fx);
                }
                fx.refresh_views = true;
                fx.projects.extend(self.roots.iter().map(|r| r.path.clone()));
            }
            Change::Loaded { root, result, runs, read, project_file } => {
                self.loading.remove(&root);
                // A load that ends after its folder was removed (and holds no open
                // document) brings nothing back.
                let gone = !self.folders.is_empty()
                    && !self.folders.iter().any(|f| root.starts_with(f))
                    && !self.docs.keys().any(|d| d.starts_with(&root));
                if gone {
                    self.load_again.remove(&root);
                    return fx;
                }
                if self.load_again.remove(&root) {
                    fx.load.push(root.clone());
                }
                if let Ok(l) = result {
                    fx.projects.push(root.clone());
                    self.loaded(root, *l, runs, read, project_file, &mut fx);
                }
                fx.refresh_views = true;
            }
            Change::FoldersRemoved(removed) => self.unload_folders(&removed, &mut fx),
            Change::FolderAdded { folder, roots } => {
                self.folders.push(folder);
                fx.load.extend(roots);
            }
            Change::RunFacts { root, facts, read } => self.run_facts_arrived(&root, facts, read, &mut fx),
            Change::Git { root, facts, read } => self.git_arrived(&root, facts, read, &mut fx),
        }
        fx
    }

    /// Marks `root` as loading; false when it is loading already, and then it is loaded
    /// again once this load is done (what it read may be out of date).
    pub fn begin_load(&mut self, root: &Path) -> bool {
        if self.loading.insert(root.to_path_buf()) {
            return true;
        }
        self.load_again.insert(root.to_path_buf());
        false
    }

    fn loaded(
        &mut self,
        root: PathBuf,
        l: Loaded,
        runs: RunFacts,
        read: u64,
        selection: Selection,
        fx: &mut Effects,
    ) {
        let new = Root {
            path: l.root,
            facts: Arc::new(l.facts),
            ws: l.workspace,
            published: HashMap::new(),
            runs,
            runs_read: read,
            loaded_read: read,
            git_read: 0,
            selection,
        };
        // The load read every file: reads that started before it are older.
        self.disk_reads_applied.retain(|p, _| !p.starts_with(&root));
        let idx = match self.roots.iter().position(|r| r.path == root) {
            Some(i) => {
                // Keep what the client shows, to diff against.
                let published = std::mem::take(&mut self.roots[i].published);
                let git = self.roots[i].ws.git_facts().cloned();
                let git_read = self.roots[i].git_read;
                self.roots[i] = new;
                self.roots[i].published = published;
                // Until the facts are read again, the last ones hold.
                if let Some(git) = git {
                    let running = self.roots[i].runs.locks.keys().cloned().collect();
                    self.roots[i].ws.set_git(Some(git), running);
                    self.roots[i].git_read = git_read;
                }
                i
            }
            None => {
                self.roots.push(new);
                self.roots.len() - 1
            }
        };
        // Open buffers win over the disk.
        let open: Vec<String> = self
            .docs
            .keys()
            .filter(|p| p.starts_with(&root))
            .filter_map(|p| self.roots[idx].rel(p))
            .filter(|rel| workspace::classify(rel).is_some())
            .collect();
        for rel in open {
            self.refresh_spec(idx, &rel, &Texts::default(), fx);
        }
        self.collect(idx, None, fx);
        fx.git.push(root);
    }

    /// Re-checks an open document (or a file whose text is in `texts`) and publishes
    /// what changed.
    fn recheck(&mut self, path: &Path, fx: &mut Effects) {
        self.recheck_with(path, &Texts::default(), fx)
    }

    fn recheck_with(&mut self, path: &Path, texts: &Texts, fx: &mut Effects) {
        let Some((idx, rel)) = self.spec_at(path) else { return };
        let before = self.roots[idx].ws.project.specs.len();
        let Some(affected) = self.refresh_spec(idx, &rel, texts, fx) else {
            fx.later.push(path.to_path_buf());
            return;
        };
        let all = self.roots[idx].ws.project.specs.len() != before;
        self.collect(idx, (!all).then_some(&affected[..]), fx);
    }

    /// Re-analyses one spec from its open buffer, or from its text in `texts` (`None`
    /// there: the file is gone, and the spec is removed). Returns the specs whose
    /// diagnostics may have changed, or `None` when the text was not read. A project whose
    /// specs view read something else of the spec now goes in `fx.projects`.
    fn refresh_spec(&mut self, idx: usize, rel: &str, texts: &Texts, fx: &mut Effects) -> Option<Vec<usize>> {
        let seen = |r: &Root| r.ws.index_of(rel).map(|i| specs::fingerprint(&r.ws.project.specs[i]));
        let before = seen(&self.roots[idx]);
        let affected = self.reanalyze(idx, rel, texts)?;
        fx.projects.extend((seen(&self.roots[idx]) != before).then(|| self.roots[idx].path.clone()));
        Some(affected)
    }

    fn reanalyze(&mut self, idx: usize, rel: &str, texts: &Texts) -> Option<Vec<usize>> {
        let abs = self.roots[idx].abs(rel);
        let r = &mut self.roots[idx];
        if let Some(doc) = self.docs.get_mut(&abs) {
            let (hidden_bom, text) = (doc.hides_bom(), doc.text());
            return Some(match r.analyze(rel, &text, hidden_bom) {
                Some((summary, local)) => r.ws.update(summary, local),
                None => Vec::new(),
            });
        }
        let src = workspace::classify(rel)?;
        let on_disk = texts.files.get(&abs)?;
        // A read that started before the one already applied is stale: keep what is.
        let applied = self.disk_reads_applied.entry(abs).or_insert(r.loaded_read);
        if *applied > texts.read {
            return Some(Vec::new());
        }
        *applied = texts.read;
        match on_disk {
            Err(ReadProblem::Missing) => Some(r.ws.remove(rel)),
            read => {
                let bytes = read.as_ref().map(Vec::as_slice).map_err(|p| *p);
                let (summary, local) = workspace::analyze_source(&r.context(), &src, bytes);
                Some(r.ws.update(summary, local))
            }
        }
    }

    /// What must be read before `Change::Disk` for these paths can be applied: the spec
    /// files, and the folder listings the changes may have made stale.
    pub fn disk_reads(&self, paths: &[PathBuf]) -> DiskWork {
        let plan = self.plan(paths);
        let mut work = DiskWork::default();
        for (idx, specs, linked) in &plan.recheck {
            let r = &self.roots[*idx];
            // Open documents linking to a changed file are checked from their buffer.
            let linked = linked.iter().map(|rel| r.abs(rel)).filter(|abs| !self.docs.contains_key(abs));
            let project = r.facts.project();
            work.files
                .extend(specs.iter().map(|rel| r.abs(rel)).chain(linked).map(|abs| (abs, project.clone())));
        }
        for (idx, changed) in plan.changed {
            work.listings.push((self.roots[idx].facts.clone(), changed));
        }
        work
    }

    fn plan(&self, paths: &[PathBuf]) -> Plan {
        let mut paths = paths.to_vec();
        paths.sort();
        paths.dedup();
        let paths = &paths[..];
        let mut plan = Plan::default();
        let global = self.home.as_ref().map(|h| h.join(".config/chant/config.md"));
        let all_reload = global.as_ref().is_some_and(|g| paths.contains(g));
        for p in paths {
            // Changes under a project being (re)loaded wait until it is loaded: the load
            // may have read the file before it changed.
            let owner = self.root_of(p).map(|i| &self.roots[i].path);
            let loading = self.loading.iter().any(|r| p.starts_with(r) && owner.is_none_or(|o| o == r));
            if loading {
                plan.later.push(p.clone());
            }
        }
        for (idx, r) in self.roots.iter().enumerate() {
            if self.loading.contains(&r.path) {
                continue;
            }
            // Only the paths this project owns (not those of a nested project).
            let rels: Vec<String> =
                paths.iter().filter(|p| self.root_of(p) == Some(idx)).filter_map(|p| r.rel(p)).collect();
            // Lenses and hints change with project files, and with `.chant/.locks` (runs
            // started outside the editor); `.git/` churn during a run changes nothing.
            plan.views |= rels.iter().any(|rel| state::relevant(rel) || rel.starts_with(".chant/.locks/"));
            if rels.iter().any(|rel| state::touches_runs(rel)) {
                plan.run_facts.push(r.path.clone());
            }
            if rels.iter().any(|rel| state::touches_git(rel)) {
                plan.git.push(r.path.clone());
            }
            let rels: Vec<String> = rels.into_iter().filter(|rel| state::relevant(rel)).collect();
            if !rels.is_empty() {
                plan.changed.push((idx, rels.clone()));
            }
            if all_reload {
                plan.reload.push(idx);
                continue;
            }
            if rels.is_empty() {
                continue;
            }
            let (specs, others): (Vec<String>, Vec<String>) =
                rels.into_iter().partition(|rel| workspace::classify(rel).is_some());
            // `chant-lsp.toml` too: the load reads it.
            if others.iter().any(|rel| {
                rel == ".chant/config.md" || rel.starts_with(".chant/prompts/") || rel == PROJECT_FILE
            }) || specs.len() > RELOAD_THRESHOLD
            {
                plan.reload.push(idx);
                continue;
            }
            // Specs whose links name a changed file: a spec file too (one that appears
            // or goes changes `missing-file` on a `context: [.chant/specs/…]` link).
            let linked: Vec<String> =
                r.ws.project
                    .specs
                    .iter()
                    .filter(|s| specs.iter().chain(&others).any(|o| state::links_to(s, o)))
                    .map(|s| s.path.clone())
                    .filter(|rel| !specs.contains(rel))
                    .collect();
            plan.recheck.push((idx, specs, linked));
        }
        plan
    }

    fn disk_changed(&mut self, paths: Vec<PathBuf>, texts: &Texts, fx: &mut Effects) {
        let plan = self.plan(&paths);
        fx.later.extend(plan.later);
        fx.refresh_views |= plan.views;
        fx.load.extend(plan.reload.iter().map(|&i| self.roots[i].path.clone()));
        for (idx, specs, linked) in plan.recheck {
            let before = self.roots[idx].ws.project.specs.len();
            let mut affected: Vec<usize> = Vec::new();
            let mut rebuilt = false;
            for (rel, changed_file) in
                specs.iter().map(|r| (r, true)).chain(linked.iter().map(|r| (r, false)))
            {
                let abs = self.roots[idx].abs(rel);
                let on_disk = texts.files.get(&abs);
                let gone = matches!(on_disk, Some(Err(ReadProblem::Missing)));
                if let Some(doc) = self.docs.get_mut(&abs) {
                    // An open buffer wins over the disk, unless the file is gone; the
                    // disk says whether the editor hides a BOM.
                    let mut bom_changed = false;
                    if let Some(Ok(bytes)) = on_disk {
                        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
                        bom_changed = bom != doc.disk_bom;
                        doc.disk_bom = bom;
                    }
                    if changed_file && !gone && !bom_changed {
                        continue;
                    }
                }
                let known = self.roots[idx].ws.index_of(rel).is_some();
                match self.refresh_spec(idx, rel, texts, fx) {
                    Some(changed) => affected.extend(changed),
                    None => fx.later.push(abs),
                }
                rebuilt |= !known || gone;
            }
            let all = rebuilt || self.roots[idx].ws.project.specs.len() != before;
            affected.sort_unstable();
            affected.dedup();
            self.collect(idx, (!all).then_some(&affected[..]), fx);
        }
        fx.run_facts.extend(plan.run_facts);
        fx.git.extend(plan.git);
    }

    /// What must be published for root `idx` so the client shows its current
    /// diagnostics: only files whose diagnostics changed (`specs: None` checks every
    /// spec; `Some` only those), the config files, and files that dropped out (`None`:
    /// any published file that is no longer a spec; `Some`: the spec files the
    /// workspace removed since the last call). Costs what changed, not the project.
    pub(super) fn collect(&mut self, idx: usize, specs: Option<&[usize]>, fx: &mut Effects) {
        let removed = self.roots[idx].ws.take_removed();
        let mut current: Vec<(String, Vec<Diagnostic>)> = Vec::new();
        {
            let r = &self.roots[idx];
            let settings = &self.settings;
            let selection = settings.selection().over(&r.selection);
            let filtered = |diags: Vec<Diagnostic>| -> Vec<Diagnostic> {
                diags
                    .into_iter()
                    .filter(|d| selection.allows(d.code))
                    .filter_map(|d| settings.apply(d))
                    .collect()
            };
            let indexes: Vec<usize> = match specs {
                Some(s) => s.to_vec(),
                None => (0..r.ws.project.specs.len()).collect(),
            };
            for i in indexes {
                let Some(s) = r.ws.project.specs.get(i) else { continue };
                current.push((s.path.clone(), filtered(r.ws.diagnostics(i))));
            }
            for c in r.ws.config_diagnostics(r.facts.as_ref()) {
                current.push((c.path, filtered(c.diagnostics)));
            }
            // The config files themselves, even when clean (to clear old findings).
            for c in &r.ws.config_reports {
                if !current.iter().any(|(p, _)| *p == c.path) {
                    current.push((c.path.clone(), Vec::new()));
                }
            }
        }
        // Files published that are not specs: the config files.
        let others: HashSet<String> = current
            .iter()
            .filter(|(p, _)| self.roots[idx].ws.index_of(p).is_none())
            .map(|(p, _)| p.clone())
            .collect();
        let mut files = Vec::new();
        for (rel, diags) in current {
            let unchanged = match self.roots[idx].published.get(&rel) {
                Some(old) => *old == diags,
                None => diags.is_empty(),
            };
            if unchanged {
                continue;
            }
            let abs = self.roots[idx].abs(&rel);
            if let Some((uri, version)) = self.uri_for(&abs) {
                files.push(OutFile { rel: rel.clone(), uri, version, diagnostics: diags.clone() });
            }
            if diags.is_empty() {
                self.roots[idx].published.remove(&rel);
            } else {
                self.roots[idx].published.insert(rel, diags);
            }
        }
        // Files that are no longer specs (deleted, moved): clear them.
        let r = &self.roots[idx];
        let is_gone =
            |p: &String| r.ws.index_of(p).is_none() && !others.contains(p) && r.published.contains_key(p);
        let gone: Vec<String> = match specs {
            None => r.published.keys().filter(|p| is_gone(p)).cloned().collect(),
            Some(_) => removed.into_iter().filter(|p| is_gone(p)).collect(),
        };
        for rel in gone {
            self.roots[idx].published.remove(&rel);
            let abs = self.roots[idx].abs(&rel);
            if let Some((uri, version)) = self.uri_for(&abs) {
                files.push(OutFile { rel, uri, version, diagnostics: Vec::new() });
            }
        }
        if files.is_empty() {
            return;
        }
        // The open documents the conversion needs: the files, and related locations.
        let r = &self.roots[idx];
        let mut open = HashMap::new();
        for f in &files {
            let rels = std::iter::once(&f.rel)
                .chain(f.diagnostics.iter().flat_map(|d| d.related.iter().map(|x| &x.path)));
            for rel in rels {
                if !open.contains_key(rel) {
                    if let Some(doc) = self.docs.get(&r.abs(rel)) {
                        open.insert(rel.clone(), (doc.uri.clone(), doc.rope.clone()));
                    }
                }
            }
        }
        fx.publish.push(Outgoing { root: r.path.clone(), files, open });
    }
}

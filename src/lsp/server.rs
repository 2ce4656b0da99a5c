//! The `LanguageServer` implementation: lifecycle, document sync, settings, file
//! events and project loading. Feature requests live in `features.rs`.
//!
//! Document order is sacred: `did_open` / `did_change` / `did_close` apply their edit
//! under the state lock before their first `.await`, and no lock is held across an
//! `.await`. Diagnostics go out through one publisher task, in the order they were
//! computed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities;
use super::convert::Encoding;
use super::log::log;
use super::settings::Settings;
use super::state::{self, discover_roots, Doc, Publish, Root, State};
use crate::io::load::{self, Options};

/// How long typing must pause before a spec is re-checked.
pub const DEBOUNCE: Duration = Duration::from_millis(150);
/// File events are gathered this long after the last one (at most `EVENT_MAX_WAIT`).
const EVENT_QUIET: Duration = Duration::from_millis(60);
const EVENT_MAX_WAIT: Duration = Duration::from_millis(400);
/// More changed specs than this in one batch reload the project instead.
const RELOAD_THRESHOLD: usize = 64;
/// How long `shutdown` waits for stopped runs: SIGTERM, SIGKILL after the grace period,
/// and a little for the reaping (clients give `shutdown` about 2 s before killing us).
const GRACE_AND_REAP: Duration = Duration::from_millis(1500);

pub(super) enum Out {
    Diagnostics(Vec<Publish>),
    /// Answered once everything queued before it has been sent.
    Flush(oneshot::Sender<()>),
}

#[derive(Default)]
struct Pending {
    paths: Vec<PathBuf>,
    scheduled: bool,
    last: Option<Instant>,
}

pub struct Inner {
    pub(super) client: Client,
    state: Mutex<State>,
    out: mpsc::UnboundedSender<Out>,
    pending: Mutex<Pending>,
    /// Server-side watchers, by project root.
    watcher: Mutex<Vec<(PathBuf, notify::RecommendedWatcher)>>,
    pub(super) runs: Mutex<super::runs::Runs>,
}

#[derive(Clone)]
pub struct Backend {
    pub(super) inner: Arc<Inner>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
        let publisher = client.clone();
        tokio::spawn(async move {
            while let Some(out) = rx.recv().await {
                match out {
                    Out::Diagnostics(batch) => {
                        for p in batch {
                            publisher.publish_diagnostics(p.uri, p.diagnostics, p.version).await;
                        }
                    }
                    Out::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        Backend {
            inner: Arc::new(Inner {
                client,
                state: Mutex::new(State::new()),
                out: tx,
                pending: Mutex::new(Pending::default()),
                watcher: Mutex::new(Vec::new()),
                runs: Mutex::new(Default::default()),
            }),
        }
    }

    /// The state, recovering it if a panic poisoned the lock.
    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn send(&self, batch: Vec<Publish>) {
        if !batch.is_empty() {
            let _ = self.inner.out.send(Out::Diagnostics(batch));
        }
    }

    /// Waits until every publish queued so far has been written.
    async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.inner.out.send(Out::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    fn options(state: &State) -> Options {
        // The editor features read the whole summaries.
        Options { include_archived: state.settings.archived, home: state.home.clone(), check_only: false }
    }

    /// Loads (or reloads) the project at `root`, with progress when the client shows it.
    pub(super) async fn load_root(&self, root: PathBuf) {
        let (opts, progress) = {
            let mut st = self.state();
            if !st.loading.insert(root.clone()) {
                return;
            }
            (Self::options(&st), st.caps.work_done_progress)
        };
        let started = Instant::now();
        let token = lsp::ProgressToken::String(format!("chant-lsp/load/{}", root.display()));
        let progress = if progress && self.inner.client.create_work_done_progress(token.clone()).await.is_ok()
        {
            Some(
                self.inner
                    .client
                    .progress(token, "chant-lsp")
                    .with_message(format!("reading {}", root.display()))
                    .begin()
                    .await,
            )
        } else {
            None
        };
        // Watch before reading, so no change made during the load is missed.
        self.start_watcher(&root);
        let path = root.clone();
        let loaded = tokio::task::spawn_blocking(move || load::load(&path, &opts)).await;
        let summary = match loaded {
            Ok(Ok(l)) => {
                let mut st = self.state();
                st.loading.remove(&root);
                let new = Root {
                    path: l.root.clone(),
                    facts: Arc::new(l.facts),
                    ws: l.workspace,
                    published: Default::default(),
                };
                let idx = match st.roots.iter().position(|r| r.path == root) {
                    Some(i) => {
                        // Keep what the client shows, to diff against.
                        let published = std::mem::take(&mut st.roots[i].published);
                        st.roots[i] = new;
                        st.roots[i].published = published;
                        i
                    }
                    None => {
                        st.roots.push(new);
                        st.roots.len() - 1
                    }
                };
                // Open buffers win over the disk.
                let open: Vec<String> = st
                    .docs
                    .keys()
                    .filter(|p| p.starts_with(&root))
                    .filter_map(|p| st.roots[idx].rel(p))
                    .filter(|rel| crate::analysis::workspace::classify(rel).is_some())
                    .collect();
                for rel in open {
                    st.refresh_spec(idx, &rel);
                }
                let batch = st.collect(idx, None);
                let specs = st.roots[idx].ws.active_specs();
                let problems: usize = st.roots[idx].published.values().map(Vec::len).sum();
                self.send(batch);
                format!("{specs} specs, {problems} problems ({} ms)", started.elapsed().as_millis())
            }
            Ok(Err(e)) => {
                self.state().loading.remove(&root);
                log!(Error, "cannot load {}: {e:#}", root.display());
                format!("cannot load {}: {e:#}", root.display())
            }
            Err(e) => {
                self.state().loading.remove(&root);
                log!(Error, "loading {} failed: {e}", root.display());
                format!("loading {} failed", root.display())
            }
        };
        self.flush().await;
        log!(Info, "{}: {summary}", root.display());
        if let Some(p) = progress {
            p.finish_with_message(summary).await;
        }
        self.refresh_views().await;
    }

    /// Asks the client to re-request hints and lenses (they depend on other specs). A
    /// client that never answers holds nothing up.
    async fn refresh_views(&self) {
        let (hints, lenses) = {
            let st = self.state();
            (st.caps.inlay_hint_refresh, st.caps.code_lens_refresh)
        };
        let patience = Duration::from_secs(2);
        if hints {
            let _ = tokio::time::timeout(patience, self.inner.client.inlay_hint_refresh()).await;
        }
        if lenses {
            let _ = tokio::time::timeout(patience, self.inner.client.code_lens_refresh()).await;
        }
    }

    /// Watches a root on the server side when the client cannot watch files for us.
    fn start_watcher(&self, root: &Path) {
        {
            let st = self.state();
            if st.caps.dynamic_watch || st.roots.iter().any(|r| r.path == root) {
                return; // the client watches, or this root is watched already
            }
        }
        use notify::Watcher;
        let backend = self.clone();
        let handle = tokio::runtime::Handle::current();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(event) = res {
                let b = backend.clone();
                handle.spawn(async move {
                    for p in event.paths {
                        b.queue_event(p);
                    }
                });
            }
        });
        match watcher {
            Ok(mut w) => match w.watch(root, notify::RecursiveMode::Recursive) {
                Ok(()) => {
                    log!(Info, "watching {} on the server side", root.display());
                    self.inner
                        .watcher
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((root.to_path_buf(), w));
                }
                Err(e) => log!(Warn, "cannot watch {}: {e}", root.display()),
            },
            Err(e) => log!(Warn, "no file watcher: {e}"),
        }
    }

    /// Records a changed path; changes are handled together once they pause.
    pub(super) fn queue_event(&self, path: PathBuf) {
        let schedule = {
            let mut p = self.inner.pending.lock().unwrap_or_else(|e| e.into_inner());
            p.paths.push(path);
            p.last = Some(Instant::now());
            !std::mem::replace(&mut p.scheduled, true)
        };
        if schedule {
            let b = self.clone();
            tokio::spawn(async move {
                let start = Instant::now();
                loop {
                    tokio::time::sleep(EVENT_QUIET).await;
                    let quiet = {
                        let p = b.inner.pending.lock().unwrap_or_else(|e| e.into_inner());
                        p.last.is_none_or(|l| l.elapsed() >= EVENT_QUIET)
                    };
                    if quiet || start.elapsed() >= EVENT_MAX_WAIT {
                        break;
                    }
                }
                let paths = {
                    let mut p = b.inner.pending.lock().unwrap_or_else(|e| e.into_inner());
                    p.scheduled = false;
                    std::mem::take(&mut p.paths)
                };
                b.process_events(paths).await;
            });
        }
    }

    /// Applies a batch of changed paths: re-checks the specs they touch, reloads a
    /// project whose config or prompts changed (or when many specs changed at once),
    /// and publishes once.
    async fn process_events(&self, mut paths: Vec<PathBuf>) {
        paths.sort();
        paths.dedup();
        let mut reload: Vec<PathBuf> = Vec::new();
        let mut later: Vec<PathBuf> = Vec::new();
        let views_changed;
        {
            let mut st = self.state();
            // Lenses and hints change with project files, and with `.chant/.locks` (runs
            // started outside the editor); `.git/` churn during a run changes nothing.
            views_changed = paths.iter().any(|p| {
                st.roots
                    .iter()
                    .filter_map(|r| r.rel(p))
                    .any(|rel| state::relevant(&rel) || rel.starts_with(".chant/.locks/"))
            });
            // Changes under a project still loading wait until it is loaded.
            paths.retain(|p| {
                let waiting = st.loading.iter().any(|r| p.starts_with(r)) && st.root_of(p).is_none();
                if waiting {
                    later.push(p.clone());
                }
                !waiting
            });
            let global = st.home.as_ref().map(|h| h.join(".config/chant/config.md"));
            if global.as_ref().is_some_and(|g| paths.contains(g)) {
                reload.extend(st.roots.iter().map(|r| r.path.clone()));
            }
            for idx in 0..st.roots.len() {
                if reload.contains(&st.roots[idx].path) {
                    continue;
                }
                let rels: Vec<String> = paths
                    .iter()
                    .filter_map(|p| st.roots[idx].rel(p))
                    .filter(|rel| state::relevant(rel))
                    .filter(|rel| st.root_of(&st.roots[idx].abs(rel)) == Some(idx))
                    .collect();
                if rels.is_empty() {
                    continue;
                }
                let specs: Vec<&String> =
                    rels.iter().filter(|r| crate::analysis::workspace::classify(r).is_some()).collect();
                if rels.iter().any(|r| r == ".chant/config.md" || r.starts_with(".chant/prompts/"))
                    || specs.len() > RELOAD_THRESHOLD
                {
                    reload.push(st.roots[idx].path.clone());
                    continue;
                }
                st.roots[idx].facts.invalidate();
                let before = st.roots[idx].ws.project.specs.len();
                let mut affected: Vec<usize> = Vec::new();
                let mut rebuilt = false;
                for rel in &specs {
                    let abs = st.roots[idx].abs(rel);
                    // An open buffer wins over the disk, unless the file is gone.
                    if st.docs.contains_key(&abs) && abs.exists() {
                        continue;
                    }
                    let known = st.roots[idx].ws.index_of(rel).is_some();
                    let changed = st.refresh_spec(idx, rel);
                    rebuilt |= !known || !abs.exists();
                    affected.extend(changed);
                }
                let others: Vec<&String> =
                    rels.iter().filter(|r| crate::analysis::workspace::classify(r).is_none()).collect();
                if !others.is_empty() {
                    let touched: Vec<String> = st.roots[idx]
                        .ws
                        .project
                        .specs
                        .iter()
                        .filter(|s| others.iter().any(|o| state::links_to(s, o)))
                        .map(|s| s.path.clone())
                        .collect();
                    for rel in touched {
                        affected.extend(st.refresh_spec(idx, &rel));
                    }
                }
                let all = rebuilt || st.roots[idx].ws.project.specs.len() != before;
                affected.sort_unstable();
                affected.dedup();
                let batch = if all { st.collect(idx, None) } else { st.collect(idx, Some(&affected)) };
                self.send(batch);
            }
        }
        let reloaded = !reload.is_empty();
        for root in reload {
            self.load_root(root).await;
        }
        if !later.is_empty() {
            tokio::time::sleep(EVENT_QUIET).await;
            for p in later {
                self.queue_event(p);
            }
        }
        if views_changed || reloaded {
            self.refresh_views().await;
        }
    }

    /// Re-checks an open spec after typing paused.
    fn schedule_check(&self, path: PathBuf, generation: u64) {
        let b = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(DEBOUNCE).await;
            b.check_now(&path, Some(generation));
        });
    }

    /// Re-checks the spec at `path` (if its document is still at `generation`) and
    /// publishes what changed.
    pub(super) fn check_now(&self, path: &Path, generation: Option<u64>) {
        let mut st = self.state();
        if let (Some(g), Some(doc)) = (generation, st.docs.get(path)) {
            if doc.generation != g {
                return;
            }
        }
        let Some(idx) = st.root_of(path) else { return };
        let Some(rel) = st.roots[idx].rel(path) else { return };
        if crate::analysis::workspace::classify(&rel).is_none() {
            return;
        }
        let started = Instant::now();
        let before = st.roots[idx].ws.project.specs.len();
        let affected = st.refresh_spec(idx, &rel);
        let batch = if st.roots[idx].ws.project.specs.len() != before {
            st.collect(idx, None)
        } else {
            st.collect(idx, Some(&affected))
        };
        log!(
            Debug,
            "re-checked {rel}: {} specs affected, {} published in {:?}",
            affected.len(),
            batch.len(),
            started.elapsed()
        );
        self.send(batch);
    }

    /// Reads settings from the client (or the initialization options).
    async fn fetch_settings(&self) {
        let (ask, init) = {
            let st = self.state();
            (st.caps.configuration, st.initialization_options.clone())
        };
        let value = if ask {
            let item = lsp::ConfigurationItem { scope_uri: None, section: Some("chant".to_string()) };
            match self.inner.client.configuration(vec![item]).await {
                Ok(mut v) if !v.is_empty() && !v[0].is_null() => v.remove(0),
                _ => init.unwrap_or_default(),
            }
        } else {
            init.unwrap_or_default()
        };
        self.apply_settings(&value).await;
    }

    async fn apply_settings(&self, value: &serde_json::Value) {
        let (settings, problems) = Settings::from_json(value);
        for p in &problems {
            log!(Warn, "{p}");
        }
        if !problems.is_empty() {
            self.inner.client.show_message(lsp::MessageType::WARNING, problems.join("; ")).await;
        }
        if let Some(level) = settings.log_level.as_deref().and_then(super::log::parse) {
            super::log::set(level);
        }
        let mut st = self.state();
        let archived_changed = st.settings.archived != settings.archived;
        st.settings = settings;
        for idx in 0..st.roots.len() {
            if archived_changed {
                let archived = st.settings.archived;
                st.roots[idx].ws.include_archived = archived;
            }
            let batch = st.collect(idx, None);
            self.send(batch);
        }
    }

    /// Everything that follows `initialized`: settings, file watching, loading every
    /// project of the workspace folders.
    async fn start_up(&self) {
        self.fetch_settings().await;
        let (dynamic, folders) = {
            let st = self.state();
            (st.caps.dynamic_watch, st.folders.clone())
        };
        if dynamic {
            let watchers = vec![lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String("**/*".to_string()),
                kind: None,
            }];
            let options =
                serde_json::to_value(lsp::DidChangeWatchedFilesRegistrationOptions { watchers }).ok();
            let reg = lsp::Registration {
                id: "chant-lsp-watch".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: options,
            };
            if let Err(e) = self.inner.client.register_capability(vec![reg]).await {
                log!(Warn, "client refused file watching ({e}); watching on the server side");
                self.state().caps.dynamic_watch = false;
            }
        }
        let roots: Vec<PathBuf> = folders.iter().flat_map(|f| discover_roots(f)).collect();
        let mut tasks = Vec::new();
        for root in roots {
            let b = self.clone();
            tasks.push(tokio::spawn(async move { b.load_root(root).await }));
        }
        for t in tasks {
            let _ = t.await;
        }
    }

    fn path_of(uri: &Uri) -> Option<PathBuf> {
        uri.to_file_path().map(|p| p.into_owned())
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let caps = &params.capabilities;
        let utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&lsp::PositionEncodingKind::UTF8));
        let encoding = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        {
            let mut st = self.state();
            st.encoding = encoding;
            let ws = caps.workspace.as_ref();
            let td = caps.text_document.as_ref();
            st.caps = state::ClientCaps {
                work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
                configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
                dynamic_watch: ws
                    .and_then(|w| w.did_change_watched_files.as_ref())
                    .and_then(|d| d.dynamic_registration)
                    .unwrap_or(false),
                related_information: td
                    .and_then(|t| t.publish_diagnostics.as_ref())
                    .and_then(|p| p.related_information)
                    .unwrap_or(false),
                resource_rename: ws
                    .and_then(|w| w.workspace_edit.as_ref())
                    .and_then(|e| e.resource_operations.as_ref())
                    .is_some_and(|ops| ops.contains(&lsp::ResourceOperationKind::Rename)),
                resource_create: ws
                    .and_then(|w| w.workspace_edit.as_ref())
                    .and_then(|e| e.resource_operations.as_ref())
                    .is_some_and(|ops| ops.contains(&lsp::ResourceOperationKind::Create)),
                document_changes: ws
                    .and_then(|w| w.workspace_edit.as_ref())
                    .and_then(|e| e.document_changes)
                    .unwrap_or(false),
                hierarchical_symbols: td
                    .and_then(|t| t.document_symbol.as_ref())
                    .and_then(|d| d.hierarchical_document_symbol_support)
                    .unwrap_or(false),
                inlay_hint_refresh: ws
                    .and_then(|w| w.inlay_hint.as_ref())
                    .and_then(|i| i.refresh_support)
                    .unwrap_or(false),
                code_lens_refresh: ws
                    .and_then(|w| w.code_lens.as_ref())
                    .and_then(|c| c.refresh_support)
                    .unwrap_or(false),
                code_action_literals: td
                    .and_then(|t| t.code_action.as_ref())
                    .is_some_and(|c| c.code_action_literal_support.is_some()),
                disabled_code_actions: td
                    .and_then(|t| t.code_action.as_ref())
                    .and_then(|c| c.disabled_support)
                    .unwrap_or(false),
                show_document: caps
                    .window
                    .as_ref()
                    .and_then(|w| w.show_document.as_ref())
                    .is_some_and(|s| s.support),
            };
            st.initialization_options = params.initialization_options.clone();
            let mut folders: Vec<PathBuf> =
                params.workspace_folders.iter().flatten().filter_map(|f| Self::path_of(&f.uri)).collect();
            #[allow(deprecated, reason = "rootUri is still what single-folder clients send")]
            if folders.is_empty() {
                if let Some(p) = params.root_uri.as_ref().and_then(Self::path_of) {
                    folders.push(p);
                }
            }
            st.folders = folders;
            if let Some(opts) = &params.initialization_options {
                let (settings, problems) = Settings::from_json(opts);
                for p in problems {
                    log!(Warn, "{p}");
                }
                st.settings = settings;
            }
        }
        log!(Info, "initialize: {:?} positions", encoding);
        Ok(capabilities::result(encoding))
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        // Detached: a handler still waiting for the client when it exits would keep
        // the server from exiting.
        let b = self.clone();
        tokio::spawn(async move { b.start_up().await });
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.watcher.lock().unwrap_or_else(|e| e.into_inner()).clear();
        // Agents started from the editor do not outlive it (see README).
        self.stop_all_runs();
        self.wait_runs_stopped(GRACE_AND_REAP).await;
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let Some(path) = Self::path_of(&doc.uri) else { return };
        let load = {
            let mut st = self.state();
            st.docs.insert(path.clone(), Doc::new(doc.uri.clone(), &doc.text, doc.version));
            match st.root_of(&path) {
                Some(_) => None,
                None => crate::io::root::find_root(&path).filter(|r| !st.loading.contains(r)),
            }
        };
        match load {
            Some(root) => {
                let b = self.clone();
                tokio::spawn(async move { b.load_root(root).await });
            }
            None => self.check_now(&path, None),
        }
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let Some(path) = Self::path_of(&params.text_document.uri) else { return };
        let generation = {
            let mut st = self.state();
            let enc = st.encoding;
            let Some(doc) = st.docs.get_mut(&path) else { return };
            doc.apply(params.content_changes, params.text_document.version, enc);
            doc.generation
        };
        self.schedule_check(path, generation);
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let Some(path) = Self::path_of(&params.text_document.uri) else { return };
        self.state().docs.remove(&path);
        // Back to what the disk says (a deleted file is dropped).
        self.check_now(&path, None);
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        for change in params.changes {
            if let Some(p) = Self::path_of(&change.uri) {
                self.queue_event(p);
            }
        }
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        let b = self.clone();
        tokio::spawn(async move {
            let ask = b.state().caps.configuration;
            if ask {
                b.fetch_settings().await;
            } else {
                b.apply_settings(&params.settings).await;
            }
            b.refresh_views().await;
        });
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        let removed: Vec<PathBuf> =
            params.event.removed.iter().filter_map(|f| Self::path_of(&f.uri)).collect();
        if !removed.is_empty() {
            let batch = {
                let mut st = self.state();
                st.folders.retain(|f| !removed.contains(f));
                st.unload_folders(&removed)
            };
            let gone: Vec<PathBuf> = {
                let st = self.state();
                removed.iter().filter(|f| !st.roots.iter().any(|r| r.path.starts_with(f))).cloned().collect()
            };
            self.inner
                .watcher
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|(root, _)| !gone.iter().any(|f| root.starts_with(f)));
            self.send(batch);
        }
        for added in params.event.added {
            if let Some(p) = Self::path_of(&added.uri) {
                self.state().folders.push(p.clone());
                for root in discover_roots(&p) {
                    let b = self.clone();
                    tokio::spawn(async move { b.load_root(root).await });
                }
            }
        }
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        Ok(self.hover_impl(params))
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        Ok(self.definition_impl(params))
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        Ok(self.references_impl(params))
    }

    async fn document_link(&self, params: lsp::DocumentLinkParams) -> Result<Option<Vec<lsp::DocumentLink>>> {
        Ok(self.document_links_impl(params))
    }

    async fn completion(&self, params: lsp::CompletionParams) -> Result<Option<lsp::CompletionResponse>> {
        Ok(self.completion_impl(params))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        Ok(self.document_symbols_impl(params))
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        Ok(self.workspace_symbols_impl(params))
    }

    async fn folding_range(&self, params: lsp::FoldingRangeParams) -> Result<Option<Vec<lsp::FoldingRange>>> {
        Ok(self.folding_impl(params))
    }

    async fn inlay_hint(&self, params: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        Ok(self.inlay_hints_impl(params))
    }

    async fn code_lens(&self, params: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        Ok(self.code_lens_impl(params))
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        Ok(self.prepare_rename_impl(params))
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        self.rename_impl(params)
    }

    async fn will_rename_files(&self, params: lsp::RenameFilesParams) -> Result<Option<lsp::WorkspaceEdit>> {
        Ok(self.will_rename_impl(params))
    }

    async fn execute_command(&self, params: lsp::ExecuteCommandParams) -> Result<Option<serde_json::Value>> {
        self.execute_command_impl(params).await
    }

    async fn code_action(&self, params: lsp::CodeActionParams) -> Result<Option<lsp::CodeActionResponse>> {
        Ok(self.code_action_impl(params))
    }
}

impl Backend {
    /// `chant-lsp/documentText`: the server's copy of an open document (for tests and
    /// debugging sync problems).
    pub async fn document_text(&self, params: lsp::TextDocumentIdentifier) -> Result<Option<String>> {
        let Some(path) = Self::path_of(&params.uri) else { return Ok(None) };
        let mut st = self.state();
        Ok(st.docs.get_mut(&path).map(|d| d.text().as_str().to_string()))
    }
}

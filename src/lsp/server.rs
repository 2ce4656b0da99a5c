//! The `LanguageServer` implementation: one line per request or notification, handing
//! it to its file under `handlers/` or `notifications/`; and the [`Backend`] they share:
//! the state behind its lock, the runs, and how the [`Effects`] of a change are carried
//! out (publish, load, debounce, retry, refresh views).
//!
//! Document order is sacred: `did_open` / `did_change` / `did_close` apply their change
//! under the state lock before their first `.await`, and no lock is held across an
//! `.await`. Diagnostics go out through one publisher task, in the order they were
//! computed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};

use super::changes::{Change, Effects};
use super::publish::{self, Out};
use super::state::State;
use super::{handlers, notifications};
use crate::io::git::{self, GitReader};

/// How long typing must pause before a spec is re-checked.
pub const DEBOUNCE: Duration = Duration::from_millis(150);
/// File events are gathered this long after the last one (at most `EVENT_MAX_WAIT`).
const EVENT_QUIET: Duration = Duration::from_millis(60);
const EVENT_MAX_WAIT: Duration = Duration::from_millis(400);

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
    pub(super) watchers: Mutex<Vec<(PathBuf, notify::RecommendedWatcher)>>,
    pub(super) runs: Mutex<super::runs::Runs>,
    /// Per project: its git reader (with its caches), and whether a read is going on
    /// or wanted again after it.
    git: Mutex<HashMap<PathBuf, GitSlot>>,
    /// Blame of source-file lines, shared with the blocking threads that blame.
    pub(super) blames: Arc<Mutex<super::sources::BlameCache>>,
    /// Projects changed since the last `chant-lsp/projectChanged` went out.
    pub(super) changed: Mutex<super::project_changed::Changed>,
}

#[derive(Default)]
struct GitSlot {
    reader: Arc<Mutex<GitReader>>,
    reading: bool,
    again: bool,
    /// A read finished (the next ones are warm: commits and diffs are cached).
    warm: bool,
}

#[derive(Clone)]
pub struct Backend {
    pub(super) inner: Arc<Inner>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        let out = publish::start(client.clone());
        let home = std::env::var_os("HOME").map(PathBuf::from);
        Backend {
            inner: Arc::new(Inner {
                client,
                state: Mutex::new(State::new(home)),
                out,
                pending: Mutex::new(Pending::default()),
                watchers: Mutex::new(Vec::new()),
                runs: Mutex::new(Default::default()),
                git: Mutex::new(HashMap::new()),
                blames: Arc::default(),
                changed: Mutex::new(Default::default()),
            }),
        }
    }

    /// The state, recovering it if a panic poisoned the lock.
    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies a change to the state and carries out its effects. Diagnostics are queued
    /// for the publisher before the lock is released, so they leave in the order the
    /// changes were applied.
    pub(super) fn change(&self, change: Change) {
        let fx = {
            let mut st = self.state();
            let mut fx = st.apply(change);
            let batch = std::mem::take(&mut fx.publish);
            if !batch.is_empty() {
                let _ =
                    self.inner.out.send(Out::Diagnostics { batch, enc: st.encoding, caps: st.caps.clone() });
            }
            fx
        };
        self.carry_out(fx);
    }

    fn carry_out(&self, fx: Effects) {
        if !fx.unwatch.is_empty() {
            self.inner
                .watchers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|(root, _)| !fx.unwatch.contains(root));
            self.inner
                .git
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|root, _| !fx.unwatch.contains(root));
        }
        for root in fx.load {
            let b = self.clone();
            tokio::spawn(async move { b.load_root(root).await });
        }
        if let Some((path, generation)) = fx.debounce {
            let b = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(DEBOUNCE).await;
                b.change(Change::Paused { path, generation });
            });
        }
        if !fx.later.is_empty() {
            let b = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(EVENT_QUIET).await;
                for p in fx.later {
                    b.queue_event(p);
                }
            });
        }
        for root in fx.git {
            self.refresh_git(root);
        }
        if !fx.projects.is_empty() {
            self.projects_changed(fx.projects);
        }
        if !fx.run_facts.is_empty() || fx.refresh_views {
            // Run facts first: the views refreshed next must show them.
            let b = self.clone();
            tokio::spawn(async move {
                for root in fx.run_facts {
                    b.refresh_run_facts(root).await;
                }
                if fx.refresh_views {
                    b.refresh_views().await;
                }
            });
        }
    }

    /// Reads a project's run facts (git, locks, logs) without the lock, then keeps them
    /// (unless a read that started later got there first).
    pub(super) async fn refresh_run_facts(&self, root: PathBuf) {
        let read = self.state().disk_read();
        let path = root.clone();
        if let Ok(facts) = tokio::task::spawn_blocking(move || crate::io::run::RunFacts::read(&path)).await {
            self.change(Change::RunFacts { root, facts, read });
        }
    }

    /// Reads a project's git facts in the background, one read at a time per project:
    /// a refresh asked for during a read makes one more read after it.
    pub(super) fn refresh_git(&self, root: PathBuf) {
        let reader = {
            let mut slots = self.inner.git.lock().unwrap_or_else(|e| e.into_inner());
            let slot = slots.entry(root.clone()).or_default();
            if slot.reading {
                slot.again = true;
                return;
            }
            slot.reading = true;
            (slot.reader.clone(), !slot.warm)
        };
        let (reader, mut cold) = reader;
        let b = self.clone();
        tokio::spawn(async move {
            loop {
                let (request, read) = {
                    let mut st = b.state();
                    let request =
                        st.roots.iter().find(|r| r.path == root).map(|r| git::request(&r.path, &r.ws));
                    (request, st.disk_read())
                };
                let Some(mut request) = request else {
                    // The project is gone.
                    b.inner.git.lock().unwrap_or_else(|e| e.into_inner()).remove(&root);
                    break;
                };
                // A cold read of a long history spends most of its time diffing it for
                // drift, which hovers and lenses do not need: the first read leaves the
                // diffs out, and the full read follows at once.
                let full_next = std::mem::take(&mut cold) && request.since.is_some();
                if full_next {
                    request.since = None;
                }
                let reader = reader.clone();
                let start = Instant::now();
                let read_facts = tokio::task::spawn_blocking(move || {
                    reader.lock().unwrap_or_else(|e| e.into_inner()).read(&request)
                });
                if let Ok(facts) = read_facts.await {
                    let took = start.elapsed().as_millis();
                    match &facts.unavailable {
                        Some(why) => super::log::log!(Info, "git facts of {}: none, {why}", root.display()),
                        None => super::log::log!(
                            Info,
                            "git facts of {}: {} commits, {} branches, {} worktrees ({took} ms)",
                            root.display(),
                            facts.commits.len(),
                            facts.branches.len(),
                            facts.worktrees.len()
                        ),
                    }
                    b.change(Change::Git { root: root.clone(), facts: Arc::new(facts), read });
                }
                if full_next {
                    continue;
                }
                let mut slots = b.inner.git.lock().unwrap_or_else(|e| e.into_inner());
                let Some(slot) = slots.get_mut(&root) else { break };
                slot.warm = true;
                if !std::mem::take(&mut slot.again) {
                    slot.reading = false;
                    break;
                }
            }
        });
    }

    /// Waits until every publish queued so far has been written.
    pub(super) async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.inner.out.send(Out::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// Asks the client to re-request hints and lenses (they depend on other specs and on
    /// runs). A client that never answers holds nothing up.
    pub(super) async fn refresh_views(&self) {
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

    /// Records a changed path; changes are handled together once they pause.
    pub(super) fn queue_event(&self, path: PathBuf) {
        let schedule = {
            let mut p = self.inner.pending.lock().unwrap_or_else(|e| e.into_inner());
            p.paths.push(path);
            p.last = Some(Instant::now());
            !std::mem::replace(&mut p.scheduled, true)
        };
        if !schedule {
            return;
        }
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
            b.disk_changed(paths).await;
        });
    }

    /// Applies a batch of changed paths: reads what the change needs without the lock,
    /// then applies it.
    pub(super) async fn disk_changed(&self, paths: Vec<PathBuf>) {
        super::log::log!(Debug, "changed on disk: {paths:?}");
        let (wanted, read) = {
            let mut st = self.state();
            (st.disk_reads(&paths), st.disk_read())
        };
        let texts = tokio::task::spawn_blocking(move || wanted.perform(read)).await.unwrap_or_default();
        self.change(Change::Disk { paths, texts });
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        Ok(handlers::initialize::handle(self, params))
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        notifications::initialized::handle(self)
    }

    async fn shutdown(&self) -> Result<()> {
        handlers::shutdown::handle(self).await;
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        notifications::did_open::handle(self, params)
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        notifications::did_change::handle(self, params)
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        notifications::did_close::handle(self, params)
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        notifications::did_change_watched_files::handle(self, params)
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        notifications::did_change_configuration::handle(self, params)
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        notifications::did_change_workspace_folders::handle(self, params)
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        Ok(handlers::hover::handle(self, params).await)
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        Ok(handlers::goto_definition::handle(self, params))
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        Ok(handlers::references::handle(self, params))
    }

    async fn document_link(&self, params: lsp::DocumentLinkParams) -> Result<Option<Vec<lsp::DocumentLink>>> {
        Ok(handlers::document_link::handle(self, params))
    }

    async fn completion(&self, params: lsp::CompletionParams) -> Result<Option<lsp::CompletionResponse>> {
        Ok(handlers::completion::handle(self, params))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        Ok(handlers::document_symbol::handle(self, params))
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        Ok(handlers::workspace_symbol::handle(self, params))
    }

    async fn folding_range(&self, params: lsp::FoldingRangeParams) -> Result<Option<Vec<lsp::FoldingRange>>> {
        Ok(handlers::folding_range::handle(self, params))
    }

    async fn inlay_hint(&self, params: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        Ok(handlers::inlay_hint::handle(self, params))
    }

    async fn code_lens(&self, params: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        Ok(handlers::code_lens::handle(self, params))
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        Ok(handlers::rename::prepare(self, params))
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        handlers::rename::handle(self, params)
    }

    async fn will_rename_files(&self, params: lsp::RenameFilesParams) -> Result<Option<lsp::WorkspaceEdit>> {
        Ok(handlers::will_rename_files::handle(self, params))
    }

    async fn execute_command(&self, params: lsp::ExecuteCommandParams) -> Result<Option<serde_json::Value>> {
        handlers::execute_command::handle(self, params).await
    }

    async fn code_action(&self, params: lsp::CodeActionParams) -> Result<Option<lsp::CodeActionResponse>> {
        Ok(handlers::code_action::handle(self, params))
    }
}

/// Custom methods (`tower-lsp-server` calls them on the backend).
impl Backend {
    pub async fn document_text(&self, params: lsp::TextDocumentIdentifier) -> Result<Option<String>> {
        Ok(handlers::document_text::handle(self, params))
    }

    pub async fn changes(&self, params: handlers::changes::Params) -> Result<serde_json::Value> {
        handlers::changes::handle(self, params).await
    }

    pub(super) async fn graph(&self, params: handlers::graph::Params) -> Result<handlers::graph::Reply> {
        handlers::graph::handle(self, params).await
    }

    pub async fn specs(&self, params: handlers::specs::SpecsParams) -> Result<handlers::specs::SpecsResult> {
        handlers::specs::handle(self, params)
    }

    pub async fn work_done_progress_cancel(&self, params: lsp::WorkDoneProgressCancelParams) {
        notifications::work_done_progress_cancel::handle(self, params).await
    }
}

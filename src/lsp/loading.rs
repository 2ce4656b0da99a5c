//! Projects coming and going: what follows `initialized` (settings, file watching, the
//! first loads), loading a project with progress (and its `chant-lsp.toml`), server-side
//! watchers for clients that cannot watch files, settings from the client, and the timer
//! that notices run lock holders that died (they leave their lock file behind, so no file
//! event comes).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types as lsp;

use super::changes::Change;
use super::log::log;
use super::server::Backend;
use super::settings::{self, Settings};
use super::state::{discover_roots, State};
use crate::io::load::{self, Options};
use crate::io::run::RunFacts;

/// How often the run facts of loaded projects are read again.
const RUN_FACTS_EVERY: Duration = Duration::from_secs(2);

fn options(state: &State) -> Options {
    // The editor features read the whole summaries.
    Options { include_archived: state.settings.archived, home: state.home.clone(), check_only: false }
}

impl Backend {
    /// Everything that follows `initialized`: settings, file watching, loading every
    /// project of the workspace folders, then the run facts timer.
    pub(super) async fn start_up(&self) {
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
        let b = self.clone();
        tokio::spawn(async move { b.watch_run_facts().await });
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Reads the run facts of every loaded project every few seconds.
    async fn watch_run_facts(&self) {
        loop {
            tokio::time::sleep(RUN_FACTS_EVERY).await;
            let roots: Vec<PathBuf> = self.state().roots.iter().map(|r| r.path.clone()).collect();
            for root in roots {
                self.refresh_run_facts(root).await;
            }
        }
    }

    /// Loads (or reloads) the project at `root`, with progress when the client shows it.
    pub(super) async fn load_root(&self, root: PathBuf) {
        let (opts, progress, read) = {
            let mut st = self.state();
            if !st.begin_load(&root) {
                return;
            }
            (options(&st), st.caps.work_done_progress, st.disk_read())
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
        let loaded = tokio::task::spawn_blocking(move || {
            let loaded = load::load(&path, &opts);
            (loaded, RunFacts::read(&path), settings::project_file(&path))
        })
        .await;
        let (result, runs, (project_file, problems)) = match loaded {
            Ok((Ok(l), runs, file)) => (Ok(Box::new(l)), runs, file),
            Ok((Err(e), _, file)) => {
                (Err(format!("cannot load {}: {e:#}", root.display())), RunFacts::default(), file)
            }
            Err(e) => (
                Err(format!("loading {} failed: {e}", root.display())),
                RunFacts::default(),
                Default::default(),
            ),
        };
        if !problems.is_empty() {
            // Told on every load: the file is read again only when it (or the project's
            // config) changed.
            let msg = format!("{}: {}", root.display(), problems.join("; "));
            log!(Warn, "{msg}");
            self.inner.client.show_message(lsp::MessageType::WARNING, msg).await;
        }
        let loaded_ok = result.is_ok();
        let mut summary = match &result {
            Ok(l) => format!("{} specs", l.workspace.active_specs()),
            Err(e) => {
                log!(Error, "{e}");
                e.clone()
            }
        };
        self.change(Change::Loaded { root: root.clone(), result, runs, read, project_file });
        if loaded_ok {
            let st = self.state();
            if let Some(r) = st.roots.iter().find(|r| r.path == root) {
                let problems: usize = r.published.values().map(Vec::len).sum();
                summary = format!("{summary}, {problems} problems ({} ms)", started.elapsed().as_millis());
            }
        }
        self.flush().await;
        log!(Info, "{}: {summary}", root.display());
        if let Some(p) = progress {
            p.finish_with_message(summary).await;
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
            // Opening or reading a file changes nothing (and the server's own reads
            // would otherwise feed back into more reads).
            if let Some(event) = res.ok().filter(|e| !is_read(&e.kind)) {
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
                        .watchers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((root.to_path_buf(), w));
                }
                Err(e) => log!(Warn, "cannot watch {}: {e}", root.display()),
            },
            Err(e) => log!(Warn, "no file watcher: {e}"),
        }
    }

    /// Reads settings from the client (or the initialization options).
    pub(super) async fn fetch_settings(&self) {
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

    pub(super) async fn apply_settings(&self, value: &serde_json::Value) {
        let (settings, problems) = Settings::from_json(value);
        for p in &problems {
            log!(Warn, "{p}");
        }
        // Told once: the same mistakes in the next settings are not shown again.
        let new = std::mem::replace(&mut self.state().settings_problems, problems.clone()) != problems;
        if new && !problems.is_empty() {
            self.inner.client.show_message(lsp::MessageType::WARNING, problems.join("; ")).await;
        }
        if let Some(level) = settings.log_level.as_deref().and_then(super::log::parse) {
            super::log::set(level);
        }
        self.change(Change::Settings(settings));
    }
}

/// An event that only reports a read: an open, a read, or a close without writing.
fn is_read(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    matches!(kind, EventKind::Access(a) if !matches!(a, AccessKind::Close(AccessMode::Write)))
}

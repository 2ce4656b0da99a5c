//! Runs of chant started from the editor: the registry of runs going on and of their
//! outcomes, starting a run (after checking on the server side what the action
//! promised), and following it: progress (begin, reports with the latest line and
//! elapsed time, end with the outcome; cancellable), output to the client's log and
//! kept per run, and the outcome message. Which actions exist and why one is refused is
//! decided in `analysis::ide::actions`, from the facts [`Backend::run_state`] gathers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::log::log;
use super::server::Backend;
use super::state::State;
use crate::analysis::frontmatter;
use crate::analysis::ide::actions::{self, LastRun, RunFlags, RunState, SpecAction, Verb};
use crate::analysis::spec::Place;
use crate::analysis::text::ellipsis;
use crate::io::run::{self, Event, StartError};

/// At most this many output lines go in one `window/logMessage`.
const LOG_BATCH: usize = 256;

/// Output kept per run (the end of it: errors come last).
const KEEP_BYTES: usize = 4 * 1024 * 1024;

/// The last `KEEP_BYTES` of a run's output, in lines.
#[derive(Default)]
struct Tail {
    lines: std::collections::VecDeque<String>,
    bytes: usize,
    dropped: usize,
}

impl Tail {
    fn push(&mut self, line: String) {
        self.bytes += line.len() + 1;
        self.lines.push_back(line);
        while self.bytes > KEEP_BYTES {
            let Some(old) = self.lines.pop_front() else { break };
            self.bytes -= old.len() + 1;
            self.dropped += 1;
        }
    }

    fn text(&self) -> String {
        let mut out = String::with_capacity(self.bytes + 64);
        if self.dropped > 0 {
            out.push_str(&format!("[{} earlier lines not kept]\n", self.dropped));
        }
        for l in &self.lines {
            out.push_str(l);
            out.push('\n');
        }
        out
    }
}

pub struct Active {
    pub handle: run::Handle,
    pub token: lsp::ProgressToken,
    pub started: Instant,
}

#[derive(Default)]
pub struct Runs {
    pub active: HashMap<(PathBuf, String), Active>,
    last: HashMap<(PathBuf, String), LastRun>,
}

/// A spec addressed by a command: its project, project-relative path and ID.
pub struct Target {
    pub root: PathBuf,
    pub rel: String,
    pub id: String,
}

/// Why a command did not run: bad arguments (a JSON-RPC error: a client bug), or a
/// refusal the person should read (shown once as a message; the request succeeds with
/// `{"refused": reason}` so clients do not show a second, generic error).
pub enum Refusal {
    Bad(jsonrpc::Error),
    Refused(String),
}

pub fn invalid(msg: impl Into<String>) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(msg.into())
}

impl Backend {
    pub(super) async fn refuse(&self, why: String) -> Value {
        self.inner.client.show_message(lsp::MessageType::ERROR, why.clone()).await;
        json!({ "refused": why })
    }

    pub(super) fn runs(&self) -> std::sync::MutexGuard<'_, Runs> {
        self.inner.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The path of a `file:` URI inside a loaded project (no `..`, and not leading out of
    /// the project through a symlink), with the project's root. Symlinks are resolved
    /// without the state lock.
    pub(super) fn project_file(&self, uri: &Uri) -> jsonrpc::Result<(PathBuf, PathBuf)> {
        let path = super::from_proto::path(uri).ok_or_else(|| invalid("not a file URI"))?;
        let outside = || invalid(format!("{} is not in a chant project", path.display()));
        // A command names a file plainly: `..` in its URI (resolved in `path`) is refused.
        if uri
            .to_file_path()
            .is_some_and(|raw| raw.components().any(|c| c == std::path::Component::ParentDir))
        {
            return Err(outside());
        }
        let root = {
            let st = self.state();
            let idx = st.root_of(&path).ok_or_else(outside)?;
            st.roots[idx].path.clone()
        };
        // Symlinks: the deepest part that exists must resolve inside the root.
        let existing = path.ancestors().find(|a| a.exists()).ok_or_else(outside)?;
        match (existing.canonicalize(), root.canonicalize()) {
            (Ok(p), Ok(r)) if p.starts_with(&r) => Ok((root, path)),
            _ => Err(outside()),
        }
    }

    pub(super) fn target(&self, uri: &Uri) -> jsonrpc::Result<Target> {
        let (root, path) = self.project_file(uri)?;
        let rel = path
            .strip_prefix(&root)
            .ok()
            .and_then(|p| p.to_str())
            .map(|p| p.replace('\\', "/"))
            .ok_or_else(|| invalid("not a project file"))?;
        let src = crate::analysis::workspace::classify(&rel)
            .ok_or_else(|| invalid(format!("{rel} is not a spec")))?;
        Ok(Target { root, rel, id: src.id })
    }

    /// What the action rules, lenses and hovers need to know about the runs of a spec:
    /// from the run registry and the project's run facts, without IO.
    pub(super) fn run_state(&self, st: &State, root: &Path, id: &str) -> RunState {
        let runs = self.runs();
        let key = (root.to_path_buf(), id.to_string());
        let active = runs.active.get(&key);
        let facts = st.roots.iter().find(|r| r.path == root).map(|r| &r.runs);
        RunState {
            running_here: active.is_some(),
            running_for: active.map_or(0, |a| a.started.elapsed().as_secs()),
            running_elsewhere: match active {
                Some(_) => None,
                None => facts.and_then(|f| f.locks.get(id).copied()),
            },
            has_log: facts.is_some_and(|f| f.logs.contains(id)) || runs.last.contains_key(&key),
            git_problem: facts.and_then(|f| f.git_problem.clone()),
            last: runs.last.get(&key).cloned(),
        }
    }

    /// The actions of spec `i` of the project at `root`.
    pub(super) fn spec_actions(&self, st: &State, root: usize, i: usize) -> Vec<SpecAction> {
        let r = &st.roots[root];
        let run = self.run_state(st, &r.path, &r.ws.project.specs[i].id);
        actions::spec_actions(&r.ws, i, &run)
    }

    /// Starts chant with `verb` on the spec at `uri`, if chant would accept it now.
    pub(super) fn start_run(&self, uri: &Uri, verb: Verb, flags: RunFlags) -> Result<Value, Refusal> {
        let t = self.target(uri).map_err(Refusal::Bad)?;
        // chant reads the file on disk, not the editor's buffer (read before the lock).
        let abs = t.root.join(&t.rel);
        let disk = crate::io::load::read_text(&t.root, &abs).unwrap_or_default();
        // Who holds the spec's lock and whether git is ready, as of now (the kept facts
        // may be a tick old).
        let read = self.state().disk_read();
        let facts = run::RunFacts::read(&t.root);
        self.change(super::changes::Change::RunFacts { root: t.root.clone(), facts, read });
        let (program, argv) = self.check_run(&t, &abs, &disk, verb, flags)?;
        // The runs stay locked from the check to the registration: two quick requests for
        // one spec cannot both start it. The state lock is not held while chant starts.
        let key = (t.root.clone(), t.id.clone());
        let mut runs = self.runs();
        if runs.active.contains_key(&key) {
            return Err(Refusal::Refused(format!(
                "{} is already running from this editor: stop it first",
                t.id
            )));
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let handle = match run::start(&program, &argv, &t.root, tx) {
            Ok(h) => h,
            Err(StartError::NotFound(p)) => {
                return Err(Refusal::Refused(format!(
                    "cannot run `{p}`: it is not installed or not on PATH; install chant (`cargo install chant-cli`) or set the `chant.executable` setting to its path"
                )))
            }
            Err(StartError::Other(e)) => return Err(Refusal::Refused(e)),
        };
        let title = format!("chant {}", argv.join(" "));
        let token = lsp::ProgressToken::String(format!("chant-lsp/run/{}/{}", t.id, handle.pid));
        log!(Info, "started `{program} {}` (pid {}) in {}", argv.join(" "), handle.pid, t.root.display());
        runs.active.insert(key, Active { handle, token: token.clone(), started: Instant::now() });
        drop(runs);
        let b = self.clone();
        let (root, id, rel) = (t.root, t.id.clone(), t.rel);
        tokio::spawn(async move { b.follow_run(root, id, rel, verb, title, token, rx).await });
        Ok(json!({ "started": t.id, "command": argv }))
    }

    /// Whether chant would accept `verb` on the spec now, as the action promised, and
    /// what to run: the program and its arguments.
    fn check_run(
        &self,
        t: &Target,
        abs: &Path,
        disk: &str,
        verb: Verb,
        flags: RunFlags,
    ) -> Result<(String, Vec<String>), Refusal> {
        let mut st = self.state();
        if self.runs().active.contains_key(&(t.root.clone(), t.id.clone())) {
            return Err(Refusal::Refused(format!(
                "{} is already running from this editor: stop it first",
                t.id
            )));
        }
        let idx = st
            .roots
            .iter()
            .position(|r| r.path == t.root)
            .ok_or_else(|| Refusal::Refused(format!("{} is not loaded yet", t.rel)))?;
        let r = &st.roots[idx];
        actions::valid_id(&r.ws.project, &t.id).map_err(Refusal::Refused)?;
        let i =
            r.ws.index_of(&t.rel).ok_or_else(|| Refusal::Refused(format!("{} is not loaded yet", t.rel)))?;
        if r.ws.project.specs[i].place == Place::Archived {
            return Err(Refusal::Refused("chant does not run archived specs".to_string()));
        }
        // Is this exactly what chant would accept now?
        let acts = self.spec_actions(&st, idx, i);
        let fits = |a: &&SpecAction| {
            a.verb == verb
                && (!a.flags.skip_criteria || flags.skip_criteria)
                && (!a.flags.skip_deps || flags.skip_deps)
                && (!a.flags.skip_approval || flags.skip_approval)
        };
        if !acts.iter().filter(fits).any(|a| a.enabled.is_ok()) {
            let why = acts
                .iter()
                .find(|a| a.verb == verb && a.enabled.is_err())
                .and_then(|a| a.enabled.clone().err())
                .unwrap_or_else(|| "chant would refuse it now".to_string());
            return Err(Refusal::Refused(format!(
                "chant {} {}: {why}",
                verb.subcommand().unwrap_or("run"),
                t.id
            )));
        }
        if let Some(doc) = st.docs.get_mut(abs) {
            // (Editors hide a leading BOM: it is no unsaved change.)
            let bare = disk.strip_prefix('\u{feff}').unwrap_or(disk);
            let buffer = doc.text();
            if buffer.as_str() != disk && buffer.as_str() != bare {
                return Err(Refusal::Refused(format!(
                    "{} has unsaved changes: save it first (chant reads the file on disk)",
                    t.rel
                )));
            }
        }
        let argv = actions::argv(verb, &t.id, flags, st.settings.start_watch)
            .ok_or_else(|| Refusal::Refused("nothing to run".to_string()))?;
        Ok((st.settings.executable.clone(), argv))
    }

    /// Streams a run's output to progress and the log, then reports the outcome.
    #[allow(clippy::too_many_arguments, reason = "one call site; the values travel together")]
    async fn follow_run(
        &self,
        root: PathBuf,
        id: String,
        rel: String,
        verb: Verb,
        title: String,
        token: lsp::ProgressToken,
        mut rx: mpsc::UnboundedReceiver<Event>,
    ) {
        let client = self.inner.client.clone();
        // The lens on the title turns into "Running… ■ Stop" now, not when chant first
        // touches the spec file; the specs view moves the spec to Running.
        self.projects_changed([root.clone()]);
        self.refresh_lenses().await;
        let supports = self.state().caps.work_done_progress;
        // A client that never answers the creation must not hold the run up.
        let created = supports
            && matches!(
                tokio::time::timeout(Duration::from_secs(5), client.create_work_done_progress(token.clone()))
                    .await,
                Ok(Ok(()))
            );
        let progress = if created {
            Some(
                client
                    .progress(token.clone(), title.clone())
                    .with_message("starting")
                    .with_cancel_button()
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let started = Instant::now();
        let mut output = Tail::default();
        let mut last_report = Instant::now() - Duration::from_secs(1);
        let mut last_line = String::new();
        let mut error_line: Option<String> = None;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut exited = None;
        let exit = loop {
            if let Some(e) = exited {
                break e;
            }
            tokio::select! {
                ev = rx.recv() => match ev {
                    Some(Event::Line { stderr, text }) => {
                        // Lines that are already waiting go out with this one, one log
                        // message per stream: a flood of output is a few large messages.
                        let mut batch = vec![(stderr, text)];
                        while batch.len() < LOG_BATCH {
                            match rx.try_recv() {
                                Ok(Event::Line { stderr, text }) => batch.push((stderr, text)),
                                Ok(Event::Exited { code, signal, stopped }) => {
                                    exited = Some((code, signal, stopped));
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                        for to_stderr in [false, true] {
                            let lines: Vec<String> = batch
                                .iter()
                                .filter(|(e, _)| *e == to_stderr)
                                .map(|(_, t)| format!("[{id}] {t}"))
                                .collect();
                            if !lines.is_empty() {
                                let kind = if to_stderr { lsp::MessageType::WARNING } else { lsp::MessageType::LOG };
                                client.log_message(kind, lines.join("\n")).await;
                            }
                        }
                        for (stderr, text) in batch {
                            if text.trim_start().starts_with("Error:") {
                                error_line = Some(text.trim().to_string());
                            }
                            if !text.trim().is_empty() {
                                last_line = text.trim().to_string();
                            }
                            output.push(format!("{}{text}", if stderr { "! " } else { "" }));
                        }
                        if last_report.elapsed() >= Duration::from_millis(200) {
                            last_report = Instant::now();
                            if let Some(p) = &progress {
                                p.report_with_message(format!("{} · {}s", ellipsis(&last_line, 80), started.elapsed().as_secs()), None).await;
                            }
                        }
                    }
                    Some(Event::Exited { code, signal, stopped }) => break (code, signal, stopped),
                    None => break (None, None, false),
                },
                _ = tick.tick() => {
                    if last_report.elapsed() >= Duration::from_millis(900) {
                        last_report = Instant::now();
                        if let Some(p) = &progress {
                            let line = if last_line.is_empty() { "running".to_string() } else { ellipsis(&last_line, 80) };
                            p.report_with_message(format!("{line} · {}s", started.elapsed().as_secs()), None).await;
                        }
                    }
                }
            }
        };
        // The spec changed on disk: re-check it (and its dependents) while the run still
        // counts as going on, so that the outcome, and a second click on Run, are judged
        // on the spec as chant left it.
        self.disk_changed(vec![root.join(&rel)]).await;
        // The run's lock and log changed too.
        self.refresh_run_facts(root.clone()).await;
        self.runs().active.remove(&(root.clone(), id.clone()));
        let (code, signal, stopped) = exit;
        // What chant left in the spec.
        let read =
            crate::io::load::read_text(&root, &root.join(&rel)).and_then(|t| frontmatter::chant_reads(&t));
        let status = read.as_ref().map_or("unknown", |fm| fm.status.as_str());
        let commits = read.as_ref().and_then(|fm| fm.commits.clone()).unwrap_or_default();
        let elapsed = started.elapsed().as_secs();
        let ok = code == Some(0) && !stopped;
        let mut summary = if stopped {
            format!("stopped after {elapsed}s; the spec is now {status}")
        } else {
            match (code, signal) {
                (Some(0), _) => format!("exit 0 after {elapsed}s; the spec is now {status}"),
                (Some(c), _) => format!("failed (exit {c}) after {elapsed}s; the spec is now {status}"),
                (None, Some(s)) => format!("killed by signal {s} after {elapsed}s; the spec is now {status}"),
                _ => format!("ended after {elapsed}s; the spec is now {status}"),
            }
        };
        if !commits.is_empty() && ok {
            summary.push_str(&format!("; commits {}", commits.join(", ")));
        }
        if let (Some(e), false) = (&error_line, ok) {
            summary.push_str(&format!("; {e}"));
        }
        let log_path = editor_log(&root, &id);
        let header = format!("# {title}\n# {summary}\n\n");
        let _ = std::fs::create_dir_all(root.join(".chant/logs"));
        let _ = std::fs::write(&log_path, header + &output.text());
        self.runs().last.insert((root.clone(), id.clone()), LastRun { ok, summary: summary.clone() });
        // The spec leaves Running (its log and outcome are kept now).
        self.projects_changed([root.clone()]);
        log!(Info, "{title}: {summary}");
        if let Some(p) = progress {
            p.finish_with_message(summary.clone()).await;
        }
        self.refresh_lenses().await;
        let verb_name = verb.subcommand().unwrap_or("run");
        let message = format!("chant {verb_name} {id}: {summary}");
        let kind = if ok { lsp::MessageType::INFO } else { lsp::MessageType::ERROR };
        let action = lsp::MessageActionItem { title: "Show log".to_string(), properties: HashMap::new() };
        if let Ok(Some(choice)) = client.show_message_request(kind, message, Some(vec![action])).await {
            if choice.title == "Show log" {
                let _ = self.show_log(&root, &id).await;
            }
        }
    }

    /// Asks the client to re-request lenses; a client that never answers holds nothing up.
    async fn refresh_lenses(&self) {
        if self.state().caps.code_lens_refresh {
            let _ = tokio::time::timeout(Duration::from_secs(2), self.inner.client.code_lens_refresh()).await;
        }
    }

    /// Opens the output of the last run from the editor, or chant's own agent log.
    pub(super) async fn show_log(&self, root: &Path, id: &str) -> jsonrpc::Result<Value> {
        let ours = editor_log(root, id);
        let chants = root.join(".chant/logs").join(format!("{id}.log"));
        // The newer of the two: a run outside the editor only writes chant's own log.
        let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let path = [ours, chants]
            .into_iter()
            .filter_map(|p| Some((modified(&p)?, p)))
            .max_by_key(|(t, _)| *t)
            .map(|(_, p)| p);
        let Some(path) = path else {
            return Ok(self.refuse(format!("no log for {id} yet: it appears with the first run")).await);
        };
        let uri = Uri::from_file_path(&path).ok_or_else(|| invalid("bad path"))?;
        let shown = self.show(&path).await;
        if !shown {
            // Clients that cannot open documents for the server get the path instead.
            self.inner
                .client
                .show_message(lsp::MessageType::INFO, format!("The log of {id} is {}", path.display()))
                .await;
        }
        Ok(json!({ "path": path.display().to_string(), "uri": uri.as_str(), "shown": shown }))
    }

    /// Opens a file in the editor (`window/showDocument`); false when the client cannot
    /// or did not.
    pub(super) async fn show(&self, path: &Path) -> bool {
        let Some(uri) = Uri::from_file_path(path) else { return false };
        if !self.state().caps.show_document {
            return false;
        }
        let params =
            lsp::ShowDocumentParams { uri, external: Some(false), take_focus: Some(true), selection: None };
        self.inner.client.show_document(params).await.unwrap_or(false)
    }

    /// Stops every run (the server is shutting down).
    pub(super) fn stop_all_runs(&self) {
        let mut runs = self.runs();
        for run in runs.active.values_mut() {
            run.handle.stop();
        }
    }

    pub(super) async fn wait_runs_stopped(&self, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.runs().active.is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Where the output of a spec's last editor run is kept.
pub fn editor_log(root: &Path, id: &str) -> PathBuf {
    root.join(".chant/logs").join(format!("{id}.editor.log"))
}

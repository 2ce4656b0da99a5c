//! Running chant on a spec from the editor: `workspace/executeCommand` handlers,
//! server-created progress (begin, reports with the latest line and elapsed time, end
//! with the outcome; cancellable), output to the client's log and kept per run, the
//! outcome message, and code actions (commands on the spec plus quick fixes from
//! `Diagnostic.data`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::convert;
use super::log::log;
use super::server::Backend;
use super::state::State;
use crate::analysis::frontmatter;
use crate::analysis::ide::actions::{self, RunFlags, RunState, SpecAction, Verb};
use crate::analysis::spec::Place;
use crate::analysis::text::ellipsis;
use crate::io::run::{self, Event, StartError};

/// Every command the server executes (advertised in `executeCommandProvider`).
pub const COMMANDS: [&str; 9] = [
    "chant.run",
    "chant.stop",
    "chant.showLog",
    "chant.verify",
    "chant.reset",
    "chant.split",
    "chant.explain",
    "chant.removeBom",
    "chant.createFile",
];

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

struct Active {
    handle: run::Handle,
    token: lsp::ProgressToken,
    started: Instant,
}

/// The outcome of the last run of a spec.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ok: bool,
    pub summary: String,
}

#[derive(Default)]
pub struct Runs {
    active: HashMap<(PathBuf, String), Active>,
    last: HashMap<(PathBuf, String), Outcome>,
}

/// A spec addressed by a command: its root, project-relative path and ID.
struct Target {
    root: usize,
    root_path: PathBuf,
    rel: String,
    id: String,
}

/// Why a command did not run: bad arguments (a JSON-RPC error: a client bug), or a
/// refusal the user should read (shown once as a message; the request succeeds with
/// `{"refused": reason}` so clients do not show a second, generic error).
enum Refusal {
    Bad(jsonrpc::Error),
    Refused(String),
}

fn err(msg: impl Into<String>) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(msg.into())
}

impl Backend {
    async fn refuse(&self, why: String) -> Value {
        self.inner.client.show_message(lsp::MessageType::ERROR, why.clone()).await;
        json!({ "refused": why })
    }

    fn runs(&self) -> std::sync::MutexGuard<'_, Runs> {
        self.inner.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The path of a `file:` URI argument inside a loaded project (no `..`, and not
    /// leading out of the project through a symlink), with its root.
    fn project_file(st: &State, uri: &Value) -> jsonrpc::Result<(usize, PathBuf)> {
        let uri: Uri = uri
            .as_str()
            .and_then(|u| u.parse().ok())
            .ok_or_else(|| err("the first argument must be a file URI"))?;
        if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
            return Err(err("not a file URI"));
        }
        let path = uri.to_file_path().map(|p| p.into_owned()).ok_or_else(|| err("not a file URI"))?;
        let outside = || err(format!("{} is not in a chant project", path.display()));
        if path.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return Err(outside());
        }
        let root = st.root_of(&path).ok_or_else(outside)?;
        // Symlinks: the deepest part that exists must resolve inside the root.
        let existing = path.ancestors().find(|a| a.exists()).ok_or_else(outside)?;
        let (real, real_root) = (existing.canonicalize(), st.roots[root].path.canonicalize());
        match (real, real_root) {
            (Ok(p), Ok(r)) if p.starts_with(&r) => Ok((root, path)),
            _ => Err(outside()),
        }
    }

    fn target(st: &State, uri: &Value) -> jsonrpc::Result<Target> {
        let (root, path) = Self::project_file(st, uri)?;
        let rel = st.roots[root].rel(&path).ok_or_else(|| err("not a project file"))?;
        let src =
            crate::analysis::workspace::classify(&rel).ok_or_else(|| err(format!("{rel} is not a spec")))?;
        Ok(Target { root, root_path: st.roots[root].path.clone(), rel, id: src.id })
    }

    /// The run-related facts the action rules need for a spec.
    fn run_state(&self, root: &Path, id: &str) -> RunState {
        let running_here = self.runs().active.contains_key(&(root.to_path_buf(), id.to_string()));
        let has_log =
            root.join(".chant/logs").join(format!("{id}.log")).is_file() || editor_log(root, id).is_file();
        RunState {
            running_here,
            running_elsewhere: if running_here { None } else { run::lock_holder(root, id) },
            has_log,
            git_problem: run::git_problem(root),
        }
    }

    /// The actions of a spec (index `i` in root `root`).
    pub(super) fn spec_actions(&self, st: &State, root: usize, i: usize) -> Vec<SpecAction> {
        let r = &st.roots[root];
        let run = self.run_state(&r.path, &r.ws.project.specs[i].id);
        actions::spec_actions(&r.ws, i, &run)
    }

    /// The last outcome and whether a run is going on, for lenses and hovers.
    pub(super) fn run_summary(&self, root: &Path, id: &str) -> (bool, Option<u32>, Option<Outcome>) {
        let runs = self.runs();
        let key = (root.to_path_buf(), id.to_string());
        let here = runs.active.contains_key(&key);
        let last = runs.last.get(&key).cloned();
        drop(runs);
        (here, if here { None } else { run::lock_holder(root, id) }, last)
    }

    pub(super) async fn execute_command_impl(
        &self,
        p: lsp::ExecuteCommandParams,
    ) -> jsonrpc::Result<Option<Value>> {
        let arg = p.arguments.first().cloned().unwrap_or(Value::Null);
        match p.command.as_str() {
            "chant.explain" => {
                let msg = arg.as_str().unwrap_or("chant would refuse this now").to_string();
                self.inner.client.show_message(lsp::MessageType::INFO, msg).await;
                Ok(None)
            }
            "chant.run" | "chant.verify" | "chant.reset" | "chant.split" => {
                let verb = match p.command.as_str() {
                    "chant.run" => Verb::Run,
                    "chant.verify" => Verb::Verify,
                    "chant.reset" => Verb::Reset,
                    _ => Verb::Split,
                };
                let flags: RunFlags = p
                    .arguments
                    .get(1)
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_default();
                match self.start_run(&arg, verb, flags) {
                    Ok(v) => Ok(Some(v)),
                    Err(Refusal::Bad(e)) => Err(e),
                    Err(Refusal::Refused(why)) => Ok(Some(self.refuse(why).await)),
                }
            }
            "chant.stop" => {
                let t = Self::target(&self.state(), &arg)?;
                let stopping = {
                    let mut runs = self.runs();
                    runs.active
                        .get_mut(&(t.root_path.clone(), t.id.clone()))
                        .map(|a| a.handle.stop())
                        .is_some()
                };
                if stopping {
                    Ok(Some(json!({ "stopping": t.id })))
                } else {
                    Ok(Some(self.refuse(format!("no run of {} is going on in this editor", t.id)).await))
                }
            }
            "chant.showLog" => {
                let t = Self::target(&self.state(), &arg)?;
                self.show_log(&t.root_path, &t.id).await.map(Some)
            }
            "chant.removeBom" => {
                let t = Self::target(&self.state(), &arg)?;
                let path = t.root_path.join(&t.rel);
                let bytes =
                    std::fs::read(&path).map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
                let Some(rest) = bytes.strip_prefix("\u{feff}".as_bytes()) else {
                    return Ok(Some(json!({ "changed": false })));
                };
                std::fs::write(&path, rest)
                    .map_err(|e| err(format!("cannot write {}: {e}", path.display())))?;
                self.queue_event(path);
                Ok(Some(json!({ "changed": true })))
            }
            "chant.createFile" => {
                let (_, path) = Self::project_file(&self.state(), &arg)?;
                let created =
                    create_new(&path).map_err(|e| err(format!("cannot create {}: {e}", path.display())))?;
                self.queue_event(path.clone());
                if self.state().caps.show_document {
                    let params = lsp::ShowDocumentParams {
                        uri: Uri::from_file_path(&path).ok_or_else(|| err("bad path"))?,
                        external: Some(false),
                        take_focus: Some(true),
                        selection: None,
                    };
                    let _ = self.inner.client.show_document(params).await;
                }
                Ok(Some(json!({ "created": created })))
            }
            other => {
                let mut e = jsonrpc::Error::method_not_found();
                e.message = format!("unknown command `{other}`").into();
                Err(e)
            }
        }
    }

    fn start_run(&self, arg: &Value, verb: Verb, flags: RunFlags) -> Result<Value, Refusal> {
        // The state stays locked until the run is registered: two quick requests for one
        // spec cannot both start it.
        let (t, program, argv, st) = {
            let mut st = self.state();
            let t = Self::target(&st, arg).map_err(Refusal::Bad)?;
            if self.runs().active.contains_key(&(t.root_path.clone(), t.id.clone())) {
                return Err(Refusal::Refused(format!(
                    "{} is already running from this editor: stop it first",
                    t.id
                )));
            }
            let r = &st.roots[t.root];
            actions::valid_id(&r.ws.project, &t.id).map_err(Refusal::Refused)?;
            let i =
                r.ws.index_of(&t.rel)
                    .ok_or_else(|| Refusal::Refused(format!("{} is not loaded yet", t.rel)))?;
            if r.ws.project.specs[i].place == Place::Archived {
                return Err(Refusal::Refused("chant does not run archived specs".to_string()));
            }
            // Is this exactly what chant would accept now?
            let acts = self.spec_actions(&st, t.root, i);
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
            // chant reads the file on disk, not the editor's buffer.
            let abs = t.root_path.join(&t.rel);
            if let Some(doc) = st.docs.get_mut(&abs) {
                let disk =
                    std::fs::read(&abs).map(|b| crate::analysis::workspace::decode(b).0).unwrap_or_default();
                // (Editors hide a leading BOM: it is no unsaved change.)
                let bare = disk.strip_prefix('\u{feff}').unwrap_or(&disk);
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
            (t, st.settings.executable.clone(), argv, st)
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let handle = match run::start(&program, &argv, &t.root_path, tx) {
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
        log!(
            Info,
            "started `{program} {}` (pid {}) in {}",
            argv.join(" "),
            handle.pid,
            t.root_path.display()
        );
        self.runs().active.insert(
            (t.root_path.clone(), t.id.clone()),
            Active { handle, token: token.clone(), started: Instant::now() },
        );
        drop(st);
        let b = self.clone();
        let (root_path, id, rel) = (t.root_path.clone(), t.id.clone(), t.rel.clone());
        tokio::spawn(async move { b.follow_run(root_path, id, rel, verb, title, token, rx).await });
        Ok(json!({ "started": t.id, "command": argv }))
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
        // touches the spec file.
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
        self.runs().active.remove(&(root.clone(), id.clone()));
        let (code, signal, stopped) = exit;
        // What chant left in the spec.
        let read = std::fs::read_to_string(root.join(&rel)).ok().and_then(|t| frontmatter::chant_reads(&t));
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
        self.runs().last.insert((root.clone(), id.clone()), Outcome { ok, summary: summary.clone() });
        log!(Info, "{title}: {summary}");
        if let Some(p) = progress {
            p.finish_with_message(summary.clone()).await;
        }
        // The spec changed on disk: re-check it (and its dependents) now.
        self.check_now(&root.join(&rel), None);
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
    async fn show_log(&self, root: &Path, id: &str) -> jsonrpc::Result<Value> {
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
        let uri = Uri::from_file_path(&path).ok_or_else(|| err("bad path"))?;
        let can_show = self.state().caps.show_document;
        let shown = can_show
            && self
                .inner
                .client
                .show_document(lsp::ShowDocumentParams {
                    uri: uri.clone(),
                    external: Some(false),
                    take_focus: Some(true),
                    selection: None,
                })
                .await
                .unwrap_or(false);
        if !shown {
            // Clients that cannot open documents for the server get the path instead.
            self.inner
                .client
                .show_message(lsp::MessageType::INFO, format!("The log of {id} is {}", path.display()))
                .await;
        }
        Ok(json!({ "path": path.display().to_string(), "uri": uri.as_str(), "shown": shown }))
    }

    /// `window/workDoneProgress/cancel`: the user stopped a run from the progress UI.
    pub async fn progress_cancel(&self, params: lsp::WorkDoneProgressCancelParams) {
        let mut runs = self.runs();
        for run in runs.active.values_mut() {
            if run.token == params.token {
                log!(Info, "stop requested from the progress UI after {:?}", run.started.elapsed());
                run.handle.stop();
            }
        }
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

impl Backend {
    /// `textDocument/codeAction`: quick fixes carried in the diagnostics' `data`, and the
    /// chant commands on the spec (anywhere in the file). Commands come as plain actions
    /// for the lightbulb menu, or under `source.chant.*` when the client asks for source
    /// actions only, never both in one answer.
    pub(super) fn code_action_impl(&self, p: lsp::CodeActionParams) -> Option<lsp::CodeActionResponse> {
        let only = p.context.only.clone();
        // LSP kinds are hierarchical: asking for `source` includes `source.chant.run`.
        let wants = |kind: &lsp::CodeActionKind| match &only {
            None => true,
            Some(list) => list.iter().any(|k| {
                kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str()))
            }),
        };
        let st = self.state();
        let uri = &p.text_document.uri;
        let path = uri.to_file_path()?.into_owned();
        let mut out: Vec<lsp::CodeAction> = Vec::new();
        if wants(&lsp::CodeActionKind::QUICKFIX) {
            let doc = st.docs.get(&path);
            for d in &p.context.diagnostics {
                // The text under the diagnostic now, in the open document.
                let now = doc.map(|doc| {
                    let start = convert::offset(&doc.rope, d.range.start, st.encoding);
                    let end = convert::offset(&doc.rope, d.range.end, st.encoding).max(start);
                    (doc.version, doc.rope.byte_slice(start..end).to_string())
                });
                out.extend(quick_fixes(uri, d, now, st.caps.document_changes));
            }
        }
        let root = st.root_of(&path)?;
        let rel = st.roots[root].rel(&path)?;
        let literals = st.caps.code_action_literals;
        let Some(i) = st.roots[root].ws.index_of(&rel) else { return Some(respond(out, literals)) };
        let uri_arg = json!(uri.as_str());
        let disabled_support = st.caps.disabled_code_actions;
        for a in self.spec_actions(&st, root, i) {
            // Without `only` (the lightbulb, Ctrl+.) the commands come without a kind:
            // VS Code leaves `source.*` out of that menu. When kinds are asked for (the
            // Source Action… menu), each comes under its `source.chant.*` kind.
            let kind = lsp::CodeActionKind::new(a.verb.kind());
            if !wants(&kind) {
                continue;
            }
            let kind = only.is_some().then_some(kind);
            let mut args = vec![uri_arg.clone()];
            if a.flags != RunFlags::default() {
                args.push(serde_json::to_value(a.flags).unwrap_or(Value::Null));
            }
            let command = |title: &str, command: &str, arguments| lsp::Command {
                title: title.to_string(),
                command: command.to_string(),
                arguments: Some(arguments),
            };
            out.push(match a.enabled {
                Ok(()) => lsp::CodeAction {
                    command: Some(command(&a.title, a.verb.command(), args)),
                    title: a.title,
                    kind,
                    ..Default::default()
                },
                Err(reason) if disabled_support => lsp::CodeAction {
                    title: a.title,
                    kind,
                    disabled: Some(lsp::CodeActionDisabled { reason }),
                    ..Default::default()
                },
                // Clients without disabled actions would run it: explain instead.
                Err(reason) => {
                    let title = format!("{} — not now: {reason}", a.title);
                    lsp::CodeAction {
                        command: Some(command(&title, "chant.explain", vec![json!(reason)])),
                        title,
                        kind,
                        ..Default::default()
                    }
                }
            });
        }
        Some(respond(out, literals))
    }
}

/// Code actions as the client takes them: literals, or bare commands for clients that
/// do not support literals (those lose the actions that are edits).
fn respond(actions: Vec<lsp::CodeAction>, literals: bool) -> lsp::CodeActionResponse {
    if literals {
        return actions.into_iter().map(lsp::CodeActionOrCommand::CodeAction).collect();
    }
    actions.into_iter().filter_map(|a| a.command).map(lsp::CodeActionOrCommand::Command).collect()
}

/// The quick fixes a published diagnostic carries in its `data`. `now` is the open
/// document's version and its text under the diagnostic: when that is not the text
/// the fixes were computed around, the document changed under them and they are not
/// offered. With `versioned`, edits name the version they apply to, so a client
/// refuses them if the document changes before they are applied.
fn quick_fixes(
    uri: &Uri,
    d: &lsp::Diagnostic,
    now: Option<(i32, String)>,
    versioned: bool,
) -> Vec<lsp::CodeAction> {
    let Some(data) = d.data.as_ref() else { return Vec::new() };
    let Some(fixes) = data.get("fixes").and_then(Value::as_array) else { return Vec::new() };
    let anchor = data.get("anchor").and_then(Value::as_str);
    if let (Some(anchor), Some((_, text))) = (anchor, &now) {
        if anchor != text {
            return Vec::new();
        }
    }
    let version = now.map(|(v, _)| v);
    let mut out = Vec::new();
    for (n, f) in fixes.iter().enumerate() {
        let Some(title) = f.get("title").and_then(Value::as_str) else { continue };
        let mut action = lsp::CodeAction {
            title: title.to_string(),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            is_preferred: Some(n == 0),
            ..Default::default()
        };
        if let Some(edits) =
            f.get("edits").and_then(|e| serde_json::from_value::<Vec<lsp::TextEdit>>(e.clone()).ok())
        {
            action.edit = Some(match (versioned, version) {
                (true, Some(v)) => lsp::WorkspaceEdit {
                    document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                        text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                            uri: uri.clone(),
                            version: Some(v),
                        },
                        edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                    }])),
                    ..Default::default()
                },
                _ => lsp::WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..Default::default()
                },
            });
        } else if let Some(create) =
            f.get("create").and_then(Value::as_str).and_then(|u| u.parse::<Uri>().ok())
        {
            action.edit = Some(lsp::WorkspaceEdit {
                document_changes: Some(lsp::DocumentChanges::Operations(vec![
                    lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                        uri: create,
                        options: Some(lsp::CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    })),
                ])),
                ..Default::default()
            });
        } else if let Some(cmd) = f.get("command").and_then(Value::as_str) {
            let arguments = f
                .get("arguments")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_else(|| vec![json!(uri.as_str())]);
            action.command = Some(lsp::Command {
                title: title.to_string(),
                command: cmd.to_string(),
                arguments: Some(arguments),
            });
        } else {
            continue;
        }
        out.push(action);
    }
    out
}

/// Creates an empty file (and its folders) unless it exists; true when it created it.
fn create_new(path: &Path) -> std::io::Result<bool> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Where the output of a spec's last editor run is kept.
pub fn editor_log(root: &Path, id: &str) -> PathBuf {
    root.join(".chant/logs").join(format!("{id}.editor.log"))
}

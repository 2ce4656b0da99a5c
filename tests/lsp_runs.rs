//! Running chant from the editor, over stdio against the real server and a fake `chant`
//! (`tests/fake-chant/chant`): progress begin/report/end, the outcome message, logs,
//! cancellation (the whole process group gone, nothing left unreaped), two runs at
//! once, refusals, requests answered during a run, code actions and quick fixes.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::lsp::{neovim_caps, uri, vscode_caps, Server};
use support::project::Project;
use support::requests::{
    apply, code_actions, execute, hover_text, is_progress, lenses, log_lines, refused, titled, wait_lenses,
    with_code,
};
use support::runs::{chant_look_alike, gone, kill9, pid_of, wait_begin, wait_end, wait_gone, Started, WAIT};

const PROJECT: &str = "\
//- .chant/config.md
---
project:
  name: runs
defaults:
  prompt: standard
---
//- .chant/prompts/standard.md
Do {{spec.id}}.
//- .chant/prompts/verify.md
Verify.
//- .chant/prompts/split.md
Split.
//- src/lib.rs
pub fn a() {}
//- .chant/specs/2026-01-01-001-aaa.md
---
type: code
status: completed
target_files: [src/lib.rs]
---
# Add the parser entry point

The parser needs one entry point that the CLI calls.

## Acceptance Criteria

- [x] `parse` is public in src/lib.rs
- [x] A test covers the empty input
//- .chant/specs/2026-01-02-001-bbb.md
---
type: code
status: pending
depends_on: [2026-01-01-001-aaa]
target_files: [src/lib.rs]
---
# Report parse errors with positions

Errors from `parse` carry the line and column of the offending token.

## Acceptance Criteria

- [ ] Errors carry line and column
- [ ] A test checks the position of an error
//- .chant/specs/2026-01-02-002-ccc.md
---
type: code
status: pending
target_files: [src/lib.rs]
---
# Document the public API

Each public function of the crate gets a doc comment with an example.

## Acceptance Criteria

- [ ] Every public function has a doc comment
- [ ] Each doc comment has an example
//- .chant/specs/2026-01-03-001-ddd.md
---
type: code
status: pending
depends_on: [2026-01-02-001-bbb]
target_files: [src/lib.rs]
---
# Recover after the first parse error

Parsing continues after an error so that all errors are reported at once.

## Acceptance Criteria

- [ ] Parsing continues after an error
- [ ] A test checks two errors in one input
//- .chant/specs/2026-01-03-002-eee.md
---
type: code
status: failed
target_files: [src/lib.rs]
---
# Speed up the lexer

The lexer reads bytes instead of chars so that large inputs lex faster.

## Acceptance Criteria

- [ ] The lexer works on bytes
- [ ] A benchmark shows the gain
";

const BBB: &str = "2026-01-02-001-bbb";
const CCC: &str = "2026-01-02-002-ccc";
const DDD: &str = "2026-01-03-001-ddd";
const EEE: &str = "2026-01-03-002-eee";

#[test]
fn a_run_reports_progress_streams_output_and_ends_with_the_outcome() {
    let env = Project::new(PROJECT, true);
    let argv_file = env.home.join("argv.jsonl");
    let argv_env = argv_file.display().to_string();
    let mut s = env.server(
        vscode_caps(),
        &[("FAKE_CHANT_LINES", "4"), ("FAKE_CHANT_DELAY", "0.3"), ("FAKE_CHANT_ARGV", &argv_env)],
    );
    s.replies.insert("window/showMessageRequest".into(), json!({ "title": "Show log" }));
    let bbb = env.spec_uri(BBB);
    s.drain(Duration::from_millis(500)); // the load's own lens refresh
    let from = s.received.len();

    let started = Instant::now();
    let r = execute(&mut s, "chant.run", json!([bbb]));
    let answered = started.elapsed();
    assert_eq!(r["started"], BBB, "{r}");
    assert_eq!(r["command"], json!(["work", BBB, "--no-watch"]));
    assert!(answered < Duration::from_secs(1), "executeCommand took {answered:?}");

    // The server creates the token, then begin, reports, end.
    let create = s
        .wait_for(from, WAIT, |m| m["method"] == "window/workDoneProgress/create")
        .expect("progress token created");
    let (begin, token) = wait_begin(&mut s, from, BBB);
    assert!(create < begin);
    assert_eq!(s.received[create]["params"]["token"], token);
    // The lens turns into "Running… ■ Stop" at once: its refresh comes before the progress,
    // not when chant first writes the spec (the fake waits 0.3 s before its first line).
    let refresh = s.received[from..create].iter().any(|m| m["method"] == "workspace/codeLens/refresh");
    assert!(refresh, "no lens refresh before the progress began");
    assert_eq!(lenses(&mut s, &bbb)[0], "Running… ■ Stop");
    let value = &s.received[begin]["params"]["value"];
    assert_eq!(value["title"], format!("chant work {BBB} --no-watch"));
    assert_eq!(value["cancellable"], true);
    let end = wait_end(&mut s, begin, &token);
    let reports: Vec<String> = s.received[begin..end]
        .iter()
        .filter(|m| is_progress(m, "report") && m["params"]["token"] == token)
        .map(|m| m["params"]["value"]["message"].as_str().unwrap().to_string())
        .collect();
    assert!(!reports.is_empty(), "no reports between begin and end");
    assert!(
        reports.iter().any(|r| r.starts_with("agent step") && r.contains(" · ") && r.ends_with('s')),
        "reports show the latest line and elapsed time: {reports:?}"
    );
    let outcome = s.received[end]["params"]["value"]["message"].as_str().unwrap().to_string();
    assert!(outcome.starts_with("exit 0 after"), "{outcome}");
    // chant committed on the spec's branch: the outcome names its `chant(<ID>):` commits
    // (the status commit and the agent's), as the spec's `commits:` does.
    let own = env.chant_commits(BBB);
    assert_eq!(own.len(), 2, "{own:?}");
    assert!(outcome.contains(&format!("the spec is now completed; commits {}", own.join(", "))), "{outcome}");

    // Every output line went to the client's log, in order.
    let logged: Vec<String> =
        log_lines(&s, from).into_iter().filter(|t| t.starts_with(&format!("[{BBB}]"))).collect();
    let steps: Vec<&String> = logged.iter().filter(|l| l.contains("agent step")).collect();
    assert_eq!(steps.len(), 4, "{logged:?}");
    assert!(steps[3].ends_with("agent step 4 of 4 on 2026-01-02-001-bbb"));
    assert!(logged.iter().any(|l| l.contains("→ Validating spec")), "stderr lines too: {logged:?}");

    // The outcome message offers the log; choosing it opens the log.
    let msg = s.wait_for(end, WAIT, |m| m["method"] == "window/showMessageRequest").expect("outcome message");
    let params = &s.received[msg]["params"];
    assert_eq!(params["type"], 3, "info for success: {params}");
    assert!(params["message"].as_str().unwrap().starts_with(&format!("chant work {BBB}: exit 0")));
    assert_eq!(params["actions"][0]["title"], "Show log");
    let shown = s.wait_for(msg, WAIT, |m| m["method"] == "window/showDocument").expect("log opened");
    let log_uri = s.received[shown]["params"]["uri"].as_str().unwrap().to_string();
    assert!(log_uri.ends_with(&format!(".chant/logs/{BBB}.editor.log")), "{log_uri}");
    let kept = std::fs::read_to_string(env.root.join(format!(".chant/logs/{BBB}.editor.log"))).unwrap();
    assert!(kept.contains("agent step 4 of 4") && kept.contains("! → Validating spec"), "{kept}");
    assert!(kept.starts_with(&format!("# chant work {BBB} --no-watch\n# exit 0 after")), "{kept}");

    // chant changed the spec on disk; the server read it again.
    assert_eq!(env.status(BBB), "completed");
    let hover = env.hover_title(&mut s, BBB);
    assert!(hover.contains("completed"), "{hover}");
    assert!(hover.contains("Last run from the editor: exit 0"), "{hover}");
    let l = lenses(&mut s, &bbb);
    assert!(l.iter().any(|t| t.starts_with("✓ Last run: exit 0")), "{l:?}");
    assert!(!l.iter().any(|t| t.starts_with("▶")), "no run lens on a completed spec: {l:?}");
    // In git: the transcript committed on main, the branch and its worktree kept (a single
    // `chant work` never merges). The server's git facts follow: the lens and the hover
    // give the branch, 2 ahead of main, and the spec's 3 commits (the transcript too).
    assert_eq!(env.head(), ("main".to_string(), format!("chant: Record agent transcript for {BBB}")));
    assert!(env.worktrees().join(format!("chant-runs-{BBB}/work/{BBB}.txt")).is_file());
    let git_lens = format!("⎇ chant/{BBB} (+2, unmerged) · worktree · 3 commits · ");
    let l = wait_lenses(&mut s, &bbb, |l| l.iter().any(|t| t.starts_with(&git_lens)));
    assert!(l.iter().any(|t| t.starts_with(&git_lens)), "{l:?}");
    let hover = env.hover_title(&mut s, BBB);
    assert!(
        hover.contains(&format!("**git**: branch `chant/{BBB}`, 2 ahead and 1 behind `main`, not merged"))
            && hover.contains(", clean · 3 commits, newest `"),
        "{hover}"
    );
    // The hashes in `commits:` are real: hovering the agent's names its commit and file.
    let text = std::fs::read_to_string(env.spec(BBB)).unwrap();
    // (A hash YAML would read as a number is written quoted, as chant writes it.)
    let agent_line = text.lines().position(|l| l.starts_with("- ") && l.contains(&own[1])).unwrap();
    let column = text.lines().nth(agent_line).unwrap().find(&own[1]).unwrap();
    let h = hover_text(&mut s, &bbb, agent_line as u32, column as u32 + 1);
    assert!(h.starts_with(&format!("**chant({BBB}): record the agent's 4 steps**")), "{h}");
    assert!(h.contains(&format!("`work/{BBB}.txt` +4")), "{h}");
    // No unknown hash; the unmerged branch of a completed spec is a hint.
    let d = s.wait_diagnostics(&bbb, WAIT, |d| Server::codes(d).contains(&"unmerged-branch".to_string()));
    assert!(!Server::codes(&d).contains(&"unknown-commit".to_string()), "{d:#}");
    // ddd was blocked by bbb; now it can run.
    let ddd_actions = code_actions(&mut s, &env.spec_uri(DDD), None, json!([]));
    assert!(titled(&ddd_actions, &format!("Run {DDD}")).get("disabled").is_none(), "{ddd_actions:#?}");

    // The show-log command opens the same log.
    let r = execute(&mut s, "chant.showLog", json!([bbb]));
    assert!(r["path"].as_str().unwrap().ends_with(".editor.log"), "{r}");
    assert_eq!(r["shown"], true);

    let argv = std::fs::read_to_string(&argv_file).unwrap();
    assert_eq!(argv.trim(), format!("[\"work\", \"{BBB}\", \"--no-watch\"]"));
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn a_failed_run_says_why_and_reset_runs_from_a_code_action() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server(
        vscode_caps(),
        &[("FAKE_CHANT_LINES", "1"), ("FAKE_CHANT_DELAY", "0"), ("FAKE_CHANT_EXIT", "3")],
    );
    let ccc = env.spec_uri(CCC);
    let end = env.run_to_end(&mut s, CCC);
    let outcome = s.received[end]["params"]["value"]["message"].as_str().unwrap().to_string();
    assert!(outcome.starts_with("failed (exit 1)"), "{outcome}");
    assert!(
        outcome.contains("now failed") && outcome.contains("Error: Agent exited with status: exit status: 3"),
        "{outcome}"
    );
    let msg = s.wait_for(end, WAIT, |m| m["method"] == "window/showMessageRequest").unwrap();
    assert_eq!(s.received[msg]["params"]["type"], 1, "an error message");
    assert_eq!(env.status(CCC), "failed");
    let l = lenses(&mut s, &ccc);
    assert!(l.iter().any(|t| t.starts_with("✗ Last run: failed (exit 1)")), "{l:?}");

    // Now reset is offered, and runs like any command.
    let actions = code_actions(&mut s, &ccc, None, json!([]));
    let reset = titled(&actions, &format!("Reset {CCC}"));
    assert!(reset.get("disabled").is_none(), "{reset}");
    let cmd = &reset["command"];
    let from = s.received.len();
    execute(&mut s, cmd["command"].as_str().unwrap(), cmd["arguments"].clone());
    let (begin, token) = wait_begin(&mut s, from, CCC);
    assert_eq!(s.received[begin]["params"]["value"]["title"], format!("chant reset {CCC}"));
    wait_end(&mut s, begin, &token);
    assert_eq!(env.status(CCC), "pending");
}

#[test]
fn cancelling_from_the_progress_ui_kills_the_whole_process_group() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server_with_grandchild(vscode_caps(), "1000", &[]);
    let ccc = env.spec_uri(CCC);
    let Started { begin, token, chant: chant_pid, grandchild } = env.start_run(&mut s, CCC);
    assert!(!gone(chant_pid) && !gone(grandchild));
    // Wait for some output, then cancel as VS Code's progress notification does.
    let t = token.clone();
    s.wait_for(begin, WAIT, move |m| is_progress(m, "report") && m["params"]["token"] == t)
        .expect("a report");
    // While it runs: a lens to stop it, and the run shown in the hover.
    let l = lenses(&mut s, &ccc);
    assert!(l.contains(&"Running… ■ Stop".to_string()), "{l:?}");
    assert!(env.hover_title(&mut s, CCC).contains("**Running** from this editor"));
    let cancelled = Instant::now();
    s.notify("window/workDoneProgress/cancel", json!({ "token": token }));
    let took = wait_gone(&[chant_pid, grandchild], Duration::from_secs(2)).unwrap();
    let end = wait_end(&mut s, begin, &token);
    assert!(took < Duration::from_secs(2) && cancelled.elapsed() < WAIT);
    let outcome = s.received[end]["params"]["value"]["message"].as_str().unwrap();
    // chant dies without cleaning up: the spec stays in_progress, and the message says so.
    assert!(outcome.starts_with("stopped after") && outcome.contains("now in_progress"), "{outcome}");
    let l = lenses(&mut s, &ccc);
    assert!(!l.contains(&"Running… ■ Stop".to_string()), "{l:?}");
}

#[test]
fn stop_escalates_to_sigkill_when_chant_ignores_sigterm() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server_with_grandchild(neovim_caps(), "1000", &[("FAKE_CHANT_NO_TERM", "1")]);
    let bbb = env.spec_uri(BBB);
    let Started { begin, token, grandchild, .. } = env.start_run(&mut s, BBB);
    // The stop action replaces the run action while it runs.
    let actions = code_actions(&mut s, &bbb, None, json!([]));
    let stop = titled(&actions, &format!("Stop chant work {BBB}"));
    assert!(actions.iter().all(|a| !a["title"].as_str().unwrap().starts_with("Run ")), "{actions:#?}");
    let asked = Instant::now();
    let r = execute(&mut s, "chant.stop", stop["command"]["arguments"].clone());
    assert_eq!(r["stopping"], BBB);
    // SIGTERM is ignored: still there well inside the grace period...
    std::thread::sleep(Duration::from_millis(600).saturating_sub(asked.elapsed()));
    assert!(!gone(pid_of(&token)) && !gone(grandchild), "SIGTERM alone must not end it");
    // ...and SIGKILL ends the whole group after it.
    wait_gone(&[pid_of(&token), grandchild], Duration::from_secs(2)).unwrap();
    assert!(asked.elapsed() < Duration::from_millis(2600));
    wait_end(&mut s, begin, &token);
    // The spec is left in_progress with no run: running it again needs --skip-deps.
    let actions = code_actions(&mut s, &bbb, None, json!([]));
    let again = titled(&actions, &format!("Run {BBB} again with --skip-deps"));
    assert_eq!(again["command"]["arguments"][1]["skipDeps"], true);
    // Stopping again: nothing to stop.
    let r = execute(&mut s, "chant.stop", json!([bbb]));
    assert!(refused(&r).contains("no run of"), "{r}");
}

#[test]
fn two_specs_run_at_once_but_one_spec_only_once() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server(vscode_caps(), &[("FAKE_CHANT_LINES", "8"), ("FAKE_CHANT_DELAY", "0.15")]);
    let from = s.received.len();
    execute(&mut s, "chant.run", json!([env.spec_uri(BBB)]));
    execute(&mut s, "chant.run", json!([env.spec_uri(CCC)]));
    let (b1, t1) = wait_begin(&mut s, from, BBB);
    let (b2, t2) = wait_begin(&mut s, from, CCC);
    // A second run of bbb is refused with a message.
    let before = s.received.len();
    let r = execute(&mut s, "chant.run", json!([env.spec_uri(BBB)]));
    let e = refused(&r);
    assert!(e.contains("already running") || e.contains("already in progress"), "{r}");
    let shown = s.wait_for(before, WAIT, |m| m["method"] == "window/showMessage").expect("refusal shown");
    assert_eq!(s.received[shown]["params"]["type"], 1);
    let e1 = wait_end(&mut s, b1, &t1);
    let e2 = wait_end(&mut s, b2, &t2);
    // They overlapped: each began before the other ended.
    assert!(b1 < e2 && b2 < e1);
    for end in [e1, e2] {
        let message = s.received[end]["params"]["value"]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.starts_with("exit 0"), "{message}\nlog:\n{}", s.log());
    }
    assert_eq!((env.status(BBB).as_str(), env.status(CCC).as_str()), ("completed", "completed"));
}

#[test]
fn requests_are_answered_while_a_run_is_going_on() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server(vscode_caps(), &[("FAKE_CHANT_LINES", "1000"), ("FAKE_CHANT_DELAY", "0.01")]);
    let ddd = env.spec_uri(DDD);
    let from = s.received.len();
    execute(&mut s, "chant.run", json!([env.spec_uri(CCC)]));
    let (begin, token) = wait_begin(&mut s, from, CCC);
    // The run floods the log; hovers still come back quickly.
    let mut worst = Duration::ZERO;
    for _ in 0..20 {
        let t = Instant::now();
        let h = hover_text(&mut s, &ddd, 3, 15);
        worst = worst.max(t.elapsed());
        assert!(h.contains("Report parse errors with positions"), "{h}");
    }
    let t = token.clone();
    assert!(
        s.received[begin..].iter().all(|m| !(is_progress(m, "end") && m["params"]["token"] == t)),
        "the run was still going on"
    );
    assert!(worst < Duration::from_secs(2), "{worst:?}");
    execute(&mut s, "chant.stop", json!([env.spec_uri(CCC)]));
    wait_end(&mut s, begin, &token);
}

#[test]
fn shutting_down_stops_running_agents() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server_with_grandchild(vscode_caps(), "1000", &[]);
    let run = env.start_run(&mut s, CCC);
    assert_eq!(s.stop(), Some(0));
    wait_gone(&[run.chant, run.grandchild], Duration::from_secs(3)).unwrap();
    assert_eq!(env.status(CCC), "in_progress", "chant leaves a killed run in_progress");
}

#[test]
fn an_editor_that_vanishes_takes_its_agents_along() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server_with_grandchild(vscode_caps(), "1000", &[]);
    let run = env.start_run(&mut s, BBB);
    // No shutdown, no exit: stdin just closes, as when the editor is killed.
    s.close_stdin();
    assert_eq!(s.wait_exit(), Some(0));
    wait_gone(&[run.chant, run.grandchild], Duration::from_secs(3)).unwrap();
}

#[test]
fn refusals_are_clear_messages() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server(vscode_caps(), &[]);
    let run = |s: &mut Server, uri: &str| -> String {
        let from = s.received.len();
        let r = execute(s, "chant.run", json!([uri]));
        let why = refused(&r);
        // Said once, as an error message (the request itself succeeds).
        let shown = s.wait_for(from, WAIT, |m| m["method"] == "window/showMessage").expect("shown");
        assert_eq!(s.received[shown]["params"]["message"], why.as_str());
        assert_eq!(s.received[shown]["params"]["type"], 1);
        why
    };
    // Blocked by a dependency.
    let e = run(&mut s, &env.spec_uri(DDD));
    assert!(e.contains(&format!("blocked by {BBB} (pending)")), "{e}");
    // Unsaved changes in the editor.
    let bbb = env.spec_uri(BBB);
    let text = std::fs::read_to_string(env.spec(BBB)).unwrap();
    s.open(&env.spec(BBB), &text, 1);
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": bbb, "version": 2 }, "contentChanges": [{ "text": text.replace("Errors from", "Messages from") }] }),
    );
    let e = run(&mut s, &bbb);
    assert!(e.contains("unsaved changes"), "{e}");
    // Saved (the buffer equals the disk again): accepted.
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": bbb, "version": 3 }, "contentChanges": [{ "text": text }] }),
    );
    let from = s.received.len();
    let r = execute(&mut s, "chant.run", json!([bbb]));
    assert_eq!(r["started"], BBB, "{r}");
    let (begin, token) = wait_begin(&mut s, from, BBB);
    wait_end(&mut s, begin, &token);
    // Archived, unknown and malformed targets.
    let e = run(&mut s, &uri(&env.root.join(".chant/specs/2026-01-09-009-zzz.md")));
    assert!(e.contains("not loaded") || e.contains("no active spec"), "{e}");
    // Malformed arguments are errors (a client bug), not messages for the user.
    let r = execute(&mut s, "chant.run", json!(["not a uri"]));
    assert!(r["error"]["message"].as_str().unwrap().contains("URI"), "{r}");
    let r =
        execute(&mut s, "chant.run", json!([format!("{}/.chant/specs/../../../etc/x.md", uri(&env.root))]));
    assert!(r["error"]["message"].as_str().unwrap().contains("not in a chant project"), "{r}");
    let r = execute(&mut s, "chant.nothing", json!([]));
    assert!(r["error"]["message"].as_str().unwrap().contains("unknown command"), "{r}");
}

#[test]
fn a_missing_executable_names_the_setting() {
    let env = Project::new(PROJECT, true);
    let (mut s, _) = Server::start(
        &env.root,
        &env.home,
        vscode_caps(),
        json!({ "executable": "chant-is-not-installed-here" }),
    );
    env.wait_loaded(&mut s);
    let from = s.received.len();
    let r = execute(&mut s, "chant.run", json!([env.spec_uri(CCC)]));
    let e = refused(&r);
    assert!(e.contains("chant-is-not-installed-here") && e.contains("chant.executable"), "{e}");
    let shown = s.wait_for(from, WAIT, |m| m["method"] == "window/showMessage").unwrap();
    assert_eq!(s.received[shown]["params"]["message"], e);
    // The server is fine afterwards.
    assert!(hover_text(&mut s, &env.spec_uri(DDD), 3, 15).contains("Report parse errors"));
}

#[test]
fn outside_a_git_repository_runs_are_refused() {
    let env = Project::new(PROJECT, false);
    let mut s = env.server(vscode_caps(), &[]);
    let r = execute(&mut s, "chant.run", json!([env.spec_uri(CCC)]));
    let e = refused(&r);
    assert!(e.contains("not a git repository"), "{e}");
    let l = lenses(&mut s, &env.spec_uri(CCC));
    assert_eq!(l[0], "▶ Run (not now: not a git repository: chant work runs agents in git worktre…)");
}

#[test]
fn a_run_started_outside_the_editor_shows_as_running() {
    let env = Project::new(PROJECT, true);
    let mut other = chant_look_alike();
    let locks = env.root.join(".chant/.locks");
    std::fs::create_dir_all(&locks).unwrap();
    std::fs::write(locks.join(format!("{CCC}.lock")), other.id().to_string()).unwrap();
    let mut s = env.server(vscode_caps(), &[]);
    let ccc = env.spec_uri(CCC);
    let pid = other.id();
    let h = env.hover_title(&mut s, CCC);
    assert!(h.contains(&format!("**Running** (pid {pid}, started outside the editor)")), "{h}");
    let l = lenses(&mut s, &ccc);
    assert!(l.contains(&format!("Running elsewhere (pid {pid})")), "{l:?}");
    let actions = code_actions(&mut s, &ccc, None, json!([]));
    let run = titled(&actions, &format!("Run {CCC}"));
    assert!(
        run["disabled"]["reason"].as_str().unwrap().starts_with(&format!("already running (pid {pid}")),
        "{run}"
    );
    let r = execute(&mut s, "chant.run", json!([ccc]));
    assert!(refused(&r).contains("already running"), "{r}");
    // A stale lock (dead PID) does not count: the server notices within a few seconds,
    // with no file event (the lock file stays).
    other.kill().unwrap();
    other.wait().unwrap();
    let l = wait_lenses(&mut s, &ccc, |l| l.contains(&"▶ Run".to_string()));
    assert!(l.contains(&"▶ Run".to_string()), "{l:?}");
    // Nor does a PID that now belongs to something else (reused after a reboot).
    let mut unrelated = std::process::Command::new("sleep").arg("30").spawn().unwrap();
    std::fs::write(locks.join(format!("{CCC}.lock")), unrelated.id().to_string()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let l = wait_lenses(&mut s, &ccc, |l| l.contains(&"▶ Run".to_string()));
    assert!(l.contains(&"▶ Run".to_string()), "{l:?}");
    unrelated.kill().unwrap();
    unrelated.wait().unwrap();
}

#[test]
fn lenses_refresh_when_a_run_starts_elsewhere() {
    let env = Project::new(PROJECT, true);
    // No client-side file watching: the server watches the project itself.
    let mut caps = neovim_caps();
    caps["workspace"]["codeLens"] = json!({ "refreshSupport": true });
    let mut s = env.server(caps, &[]);
    let ccc = env.spec_uri(CCC);
    assert_eq!(lenses(&mut s, &ccc)[0], "▶ Run");
    let mut other = chant_look_alike();
    let from = s.received.len();
    let locks = env.root.join(".chant/.locks");
    std::fs::create_dir_all(&locks).unwrap();
    std::fs::write(locks.join(format!("{CCC}.lock")), other.id().to_string()).unwrap();
    s.wait_for(from, WAIT, |m| m["method"] == "workspace/codeLens/refresh").expect("a lens refresh");
    // (Other facts read for the same file events may refresh the lenses first.)
    let running = format!("Running elsewhere (pid {})", other.id());
    assert_eq!(wait_lenses(&mut s, &ccc, |l| l[0] == running)[0], running);
    // The run ends: chant removes its lock. (Late refreshes of the write settle first.)
    other.kill().unwrap();
    other.wait().unwrap();
    s.drain(Duration::from_millis(700));
    let from = s.received.len();
    std::fs::remove_file(locks.join(format!("{CCC}.lock"))).unwrap();
    s.wait_for(from, WAIT, |m| m["method"] == "workspace/codeLens/refresh").expect("a lens refresh");
    assert_eq!(wait_lenses(&mut s, &ccc, |l| l[0] == "▶ Run")[0], "▶ Run");
}

#[test]
fn code_actions_offer_what_chant_accepts_and_explain_the_rest() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server(vscode_caps(), &[]);
    let bbb = env.spec_uri(BBB);
    // The lightbulb menu: no kinds, so VS Code lists them under Ctrl+.
    let all = code_actions(&mut s, &bbb, None, json!([]));
    let titles: Vec<&str> = all.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            format!("Run {BBB} (chant work)"),
            format!("Verify {BBB} (chant verify)"),
            format!("Reset {BBB} to pending (chant reset)"),
            format!("Split {BBB} into members (chant split)"),
            format!("Show the agent log of {BBB}"),
        ]
    );
    assert!(all.iter().all(|a| a.get("kind").is_none()), "{all:#?}");
    assert_eq!(all[0]["command"], json!({ "title": titles[0], "command": "chant.run", "arguments": [bbb] }));
    assert_eq!(all[1]["disabled"]["reason"], "chant verifies completed specs only (this one is pending)");
    assert_eq!(all[2]["disabled"]["reason"], "only failed specs can be reset (this one is pending)");
    assert!(all[3].get("disabled").is_none());
    assert_eq!(all[4]["disabled"]["reason"], format!("no agent log yet (`.chant/logs/{BBB}.log`)"));

    // The Source Action… menu asks for `source`: the same actions, with kinds.
    let source = code_actions(&mut s, &bbb, Some(&["source"]), json!([]));
    let kinds: Vec<&str> = source.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "source.chant.run",
            "source.chant.verify",
            "source.chant.reset",
            "source.chant.split",
            "source.chant.log"
        ]
    );
    let only_run = code_actions(&mut s, &bbb, Some(&["source.chant.run"]), json!([]));
    assert_eq!(only_run.len(), 1);
    // Quick fixes only: no commands.
    assert!(code_actions(&mut s, &bbb, Some(&["quickfix"]), json!([])).is_empty());

    // Blocked: disabled with the blocker, and a variant that skips the check.
    let ddd = code_actions(&mut s, &env.spec_uri(DDD), None, json!([]));
    let runs: Vec<&Value> = ddd.iter().filter(|a| a["title"].as_str().unwrap().starts_with("Run ")).collect();
    assert_eq!(runs[0]["disabled"]["reason"], format!("blocked by {BBB} (pending)"));
    assert_eq!(runs.len(), 1, "chant's transition re-checks dependencies: no flag helps: {runs:#?}");

    // A failed spec: reset is offered, and so is running it again.
    let eee = code_actions(&mut s, &env.spec_uri(EEE), None, json!([]));
    assert!(titled(&eee, &format!("Reset {EEE}")).get("disabled").is_none(), "{eee:#?}");
    assert!(titled(&eee, &format!("Run {EEE}")).get("disabled").is_none(), "{eee:#?}");
}

#[test]
fn clients_without_disabled_actions_get_explaining_titles() {
    let fixture = format!(
        "{PROJECT}//- .chant/specs/2026-01-04-001-fff.md\n---\nstatus: pending\n---\n# Make it better\n\nImprove things.\n"
    );
    let env = Project::new(&fixture, true);
    let argv_file = env.home.join("argv.jsonl");
    let argv_env = argv_file.display().to_string();
    let mut s = env.server(neovim_caps(), &[("FAKE_CHANT_LINES", "0"), ("FAKE_CHANT_ARGV", &argv_env)]);
    let fff = env.spec_uri("2026-01-04-001-fff");
    let actions = code_actions(&mut s, &fff, None, json!([]));
    assert!(actions.iter().all(|a| a.get("disabled").is_none()), "{actions:#?}");
    // A spec of Refine quality: chant refuses it without a terminal...
    let refused = titled(&actions, "Run 2026-01-04-001-fff (chant work) — not now: quality gate");
    assert_eq!(refused["command"]["command"], "chant.explain");
    let from = s.received.len();
    execute(&mut s, "chant.explain", refused["command"]["arguments"].clone());
    let shown = s.wait_for(from, WAIT, |m| m["method"] == "window/showMessage").unwrap();
    assert!(s.received[shown]["params"]["message"].as_str().unwrap().starts_with("quality gate"));
    // ...but accepts --skip-criteria, which the variant passes.
    let variant = titled(&actions, "Run 2026-01-04-001-fff with --skip-criteria");
    assert_eq!(
        variant["command"]["arguments"][1],
        json!({ "skipCriteria": true, "skipDeps": false, "skipApproval": false })
    );
    let from = s.received.len();
    execute(&mut s, "chant.run", variant["command"]["arguments"].clone());
    let (begin, token) = wait_begin(&mut s, from, "2026-01-04-001-fff");
    wait_end(&mut s, begin, &token);
    let argv = std::fs::read_to_string(&argv_file).unwrap();
    assert_eq!(argv.trim(), "[\"work\", \"2026-01-04-001-fff\", \"--no-watch\", \"--skip-criteria\"]");
    // Without the flag the server refuses too (it does not trust the client).
    std::fs::write(
        env.spec("2026-01-04-001-fff"),
        "---\nstatus: pending\n---\n# Make it better\n\nImprove.\n",
    )
    .unwrap();
    let start = Instant::now();
    while !code_actions(&mut s, &fff, None, json!([]))
        .iter()
        .any(|a| a["title"].as_str().unwrap().contains("quality gate"))
    {
        assert!(start.elapsed() < WAIT, "the server never saw the file change");
        std::thread::sleep(Duration::from_millis(20));
    }
    let r = execute(&mut s, "chant.run", json!([fff]));
    assert!(self::refused(&r).contains("quality gate"), "{r}");
}

const BROKEN: &str = "\
//- .chant/config.md
---
project:
  name: fixes
---
//- .chant/prompts/bootstrap.md
P
//- .chant/specs/2026-02-01-001-abc.md
---
status: pending
---
# Base
//- .chant/specs/2026-02-01-002-def.md
---
status: pending
depends_on: [2026-02-01-001-abd]
informed_by: [docs/notes.md]
---
# Uses the base
";

#[test]
fn quick_fixes_come_from_diagnostic_data_and_fix_the_problem() {
    let env = Project::new(BROKEN, false);
    let mut s = env.server(vscode_caps(), &[]);
    let path = env.spec("2026-02-01-002-def");
    let def = uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    s.open(&path, &text, 1);
    let d = s.wait_diagnostics(&def, WAIT, |d| Server::codes(d).contains(&"unknown-dependency".to_string()));
    let unknown = with_code(&d, "unknown-dependency");
    let fixes = code_actions(&mut s, &def, Some(&["quickfix"]), json!(unknown));
    let did_you_mean = titled(&fixes, "Change to `2026-02-01-001-abc`");
    assert_eq!(did_you_mean["kind"], "quickfix");
    assert_eq!(did_you_mean["isPreferred"], true);
    assert!(titled(&fixes, "Remove `2026-02-01-001-abd`").get("edit").is_some());
    // The document is open: the edit names its version.
    let change = &did_you_mean["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"], json!({ "uri": def, "version": 1 }));
    let edits = &change["edits"];
    let fixed = apply(&text, edits);
    assert!(fixed.contains("depends_on: [2026-02-01-001-abc]"), "{fixed}");
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": def, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    let d = s.wait_diagnostics(&def, WAIT, |d| !Server::codes(d).contains(&"unknown-dependency".to_string()));

    // The missing informed_by file: created by the client (resource operation).
    let missing = with_code(&d, "missing-file");
    assert_eq!(missing.len(), 1, "{d}");
    let fixes = code_actions(&mut s, &def, Some(&["quickfix"]), json!(missing));
    let create = &titled(&fixes, "Create `docs/notes.md`")["edit"]["documentChanges"][0];
    assert_eq!(create["kind"], "create");
    assert_eq!(create["uri"], uri(&env.root.join("docs/notes.md")));
}

#[test]
fn file_fixes_fall_back_to_server_commands() {
    let fixture = BROKEN.replace(
        "//- .chant/specs/2026-02-01-001-abc.md\n",
        "//- .chant/specs/2026-02-01-001-abc.md\n\u{feff}",
    );
    let env = Project::new(&fixture, false);
    // Neovim-like capabilities: no `create` resource operation.
    let mut s = env.server(neovim_caps(), &[]);
    let def = env.spec_uri("2026-02-01-002-def");
    let d = s.wait_diagnostics(&def, WAIT, |d| Server::codes(d).contains(&"missing-file".to_string()));
    let missing = with_code(&d, "missing-file");
    let fixes = code_actions(&mut s, &def, Some(&["quickfix"]), json!(missing));
    let cmd = &titled(&fixes, "Create `docs/notes.md`")["command"];
    assert_eq!(cmd["command"], "chant.createFile");
    let r = execute(&mut s, "chant.createFile", cmd["arguments"].clone());
    assert_eq!(r["created"], true, "{r}");
    assert!(env.root.join("docs/notes.md").is_file());
    s.wait_diagnostics(&def, WAIT, |d| !Server::codes(d).contains(&"missing-file".to_string()));
    // Outside the project: refused.
    let r = execute(&mut s, "chant.createFile", json!([uri(&env.root.join("../escape.md"))]));
    assert!(r.get("error").is_some(), "{r}");
    assert!(!env.root.join("../escape.md").exists());

    // The BOM: editors hide it, so the fix rewrites the file on disk. The spec is open
    // with the buffer an editor shows (no BOM): the diagnostic stays, at the start.
    let abc = env.spec_uri("2026-02-01-001-abc");
    let on_disk = std::fs::read_to_string(env.spec("2026-02-01-001-abc")).unwrap();
    let buffer = on_disk.strip_prefix('\u{feff}').unwrap();
    s.open(&env.spec("2026-02-01-001-abc"), buffer, 7);
    let d = s
        .wait_diagnostics(&abc, WAIT, |d| d["version"] == 7 && Server::codes(d).contains(&"bom".to_string()));
    let first = &d["diagnostics"][0];
    assert_eq!(first["code"], "bom", "{d}");
    assert_eq!(first["range"]["start"], json!({ "line": 0, "character": 0 }), "{d}");
    // What chant reads with the BOM (no frontmatter) is what the buffer gets, on the
    // buffer's own positions: every range lies inside it.
    let lines: Vec<&str> = buffer.split('\n').collect();
    for diag in d["diagnostics"].as_array().unwrap() {
        let end = &diag["range"]["end"];
        let line = end["line"].as_u64().unwrap() as usize;
        assert!(line < lines.len(), "{diag}");
        assert!(end["character"].as_u64().unwrap() as usize <= lines[line].encode_utf16().count(), "{diag}");
    }
    let bom = with_code(&d, "bom");
    let fixes = code_actions(&mut s, &abc, Some(&["quickfix"]), json!(bom));
    let cmd = &fixes[0]["command"];
    assert_eq!(cmd["command"], "chant.removeBom");
    let r = execute(&mut s, "chant.removeBom", cmd["arguments"].clone());
    assert_eq!(r["changed"], true);
    assert!(std::fs::read(env.spec("2026-02-01-001-abc")).unwrap().starts_with(b"---\n"));
    // The server watches the file itself (no client watching here), sees the rewrite and
    // re-checks the open buffer: the BOM finding is gone.
    s.wait_diagnostics(&abc, WAIT, |d| !Server::codes(d).contains(&"bom".to_string()));
}

#[test]
fn odd_output_is_read_safely() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server(
        vscode_caps(),
        &[("FAKE_CHANT_RAW", "1"), ("FAKE_CHANT_LINES", "2"), ("FAKE_CHANT_DELAY", "0")],
    );
    let from = s.received.len();
    let end = env.run_to_end(&mut s, CCC);
    // Bytes that are not UTF-8 do not break the pipe: chant ran to the end.
    let outcome = s.received[end]["params"]["value"]["message"].as_str().unwrap();
    assert!(outcome.starts_with("exit 0"), "{outcome}");
    let logged = log_lines(&s, from);
    assert!(logged.contains(&format!("[{CCC}] bad \u{fffd}\u{fffd} bytes")), "{logged:?}");
    // The 100 KB line arrives in pieces of at most 16 KiB.
    let xs: Vec<usize> = logged
        .iter()
        .filter_map(|l| l.strip_prefix(&format!("[{CCC}] ")))
        .filter(|l| l.starts_with("xxx"))
        .map(str::len)
        .collect();
    assert_eq!(xs.iter().sum::<usize>(), 100_000);
    assert!(xs.iter().all(|&n| n <= 16 * 1024), "{xs:?}");
}

#[test]
fn leftovers_holding_the_output_do_not_hold_the_run() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server_with_grandchild(vscode_caps(), "1", &[]);
    let Started { begin, token, grandchild: leftover, .. } = env.start_run(&mut s, CCC);
    // chant exits; the `sleep 600` it left keeps stdout open.
    let started = Instant::now();
    let end = wait_end(&mut s, begin, &token);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(s.received[end]["params"]["value"]["message"].as_str().unwrap().starts_with("exit 0"));
    // A finished run's leftovers are not killed (chant may leave a daemon on purpose),
    // and the spec can run again.
    assert!(!gone(leftover));
    let r = execute(&mut s, "chant.run", json!([env.spec_uri(CCC)]));
    assert!(r.get("refused").is_some_and(|why| why.as_str().unwrap().contains("completed")), "{r}");
    let _ = kill9(leftover);
}

#[test]
fn orphans_that_leave_the_group_are_reaped() {
    let env = Project::new(PROJECT, true);
    let mut s = env.server(vscode_caps(), &[("FAKE_CHANT_SETSID", "1"), ("FAKE_CHANT_LINES", "0")]);
    for id in [BBB, CCC] {
        env.run_to_end(&mut s, id);
    }
    // Each run left a `sleep 0.3` in a session of its own; the server adopted it.
    let server = s.pid();
    let zombies = || -> Vec<String> {
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("stat")).ok())
            .filter(|stat| {
                let fields: Vec<&str> =
                    stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
                fields.first() == Some(&"Z") && fields.get(1) == Some(&server.to_string().as_str())
            })
            .collect()
    };
    let start = Instant::now();
    while !zombies().is_empty() || start.elapsed() < Duration::from_millis(400) {
        assert!(start.elapsed() < Duration::from_secs(5), "zombies left: {:?}", zombies());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn code_action_kinds_follow_only_and_client_support() {
    let env = Project::new(BROKEN, true);
    let mut s = env.server(vscode_caps(), &[]);
    let def = env.spec_uri("2026-02-01-002-def");
    let d = s.wait_diagnostics(&def, WAIT, |d| Server::codes(d).contains(&"unknown-dependency".to_string()));
    let diags = d["diagnostics"].clone();
    // Several kinds at once: each is answered.
    let both = code_actions(&mut s, &def, Some(&["quickfix", "source"]), diags.clone());
    let kinds: Vec<&str> = both.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"quickfix") && kinds.contains(&"source.chant.run"), "{kinds:?}");
    let none = code_actions(&mut s, &def, Some(&["refactor"]), diags.clone());
    assert!(none.is_empty(), "{none:#?}");

    // Fix edits name the document version they apply to.
    let path = env.spec("2026-02-01-002-def");
    let text = std::fs::read_to_string(&path).unwrap();
    s.open(&path, &text, 1);
    let unknown = with_code(&d, "unknown-dependency");
    let fix = &code_actions(&mut s, &def, Some(&["quickfix"]), json!(unknown))[0];
    assert_eq!(fix["edit"]["documentChanges"][0]["textDocument"]["version"], 1, "{fix}");
    // Typing after the problem leaves the fixes valid (and the diagnostics unpublished).
    let change = |s: &mut Server, version: i32, text: String| {
        s.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": def, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    };
    change(&mut s, 2, format!("{text}More words.\n"));
    let fix = &code_actions(&mut s, &def, Some(&["quickfix"]), json!(unknown))[0];
    assert_eq!(fix["edit"]["documentChanges"][0]["textDocument"]["version"], 2, "{fix}");
    // Typing before it moves the text: the old fixes would land in the wrong place.
    change(&mut s, 3, format!("\n{text}"));
    assert!(code_actions(&mut s, &def, Some(&["quickfix"]), json!(unknown)).is_empty());

    // A client without code action literals gets bare commands.
    let mut caps = vscode_caps();
    caps["textDocument"].as_object_mut().unwrap().remove("codeAction");
    let mut old_client = env.server(caps, &[]);
    let commands = code_actions(&mut old_client, &env.spec_uri("2026-02-01-001-abc"), None, json!([]));
    assert!(!commands.is_empty());
    assert!(commands.iter().all(|c| c["command"].is_string() && c.get("kind").is_none()), "{commands:#?}");
}

#[test]
fn file_commands_stay_inside_the_project() {
    let env = Project::new(BROKEN, false);
    let outside = env.home.join("notes.md");
    std::fs::write(&outside, "\u{feff}keep me").unwrap();
    let mut s = env.server(vscode_caps(), &[]);
    let sneaky = format!("{}/.chant/specs/../../home/notes.md", uri(&env.root));
    for command in ["chant.removeBom", "chant.createFile", "chant.showLog", "chant.run"] {
        let r = execute(&mut s, command, json!([sneaky]));
        assert!(r.get("error").is_some(), "{command}: {r}");
    }
    // Through a symlink inside the project.
    std::os::unix::fs::symlink(&env.home, env.root.join("docs-link")).unwrap();
    let r = execute(&mut s, "chant.createFile", json!([uri(&env.root.join("docs-link/new.md"))]));
    assert!(r.get("error").is_some(), "{r}");
    assert!(!env.home.join("new.md").exists());
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "\u{feff}keep me");
}

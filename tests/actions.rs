//! Which chant commands the editor offers on a spec and why it refuses the others
//! (`analysis::ide::actions`), over fixture projects: one line per action, `+` when
//! chant would accept it now, `-` with the reason when not, and the flags a variant
//! passes.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use chant_lsp::analysis::ide::actions::{argv, spec_actions, RunFlags, RunState, Verb};
use expect_test::{expect, Expect};
use support::Fixture;

fn render(fixture: &str, run: &RunState) -> String {
    let (ws, _) = Fixture::parse(fixture).workspace(false);
    let mut ids: Vec<(String, usize)> =
        ws.project.specs.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
    ids.sort();
    let mut out = String::new();
    for (id, i) in ids {
        out.push_str(&format!("{id}\n"));
        for a in spec_actions(&ws, i, run) {
            let flags = if a.flags == RunFlags::default() {
                String::new()
            } else {
                format!("  {:?}", argv(a.verb, &id, a.flags, false).unwrap_or_default())
            };
            match a.enabled {
                Ok(()) => out.push_str(&format!("  + {}{flags}\n", a.title)),
                Err(why) => out.push_str(&format!("  - {}: {why}\n", a.title)),
            }
        }
    }
    out
}

fn check(fixture: &str, run: &RunState, expect: Expect) {
    expect.assert_eq(&render(fixture, run));
}

/// A spec of Review quality or better: a title, a description, a few criteria.
fn good(id: &str, fm: &str) -> String {
    format!(
        "//- .chant/specs/{id}.md\n---\n{fm}---\n# Parse the config file for {id}\n\n\
         Read `.chant/config.md` and report errors with their line.\n\n\
         ## Acceptance Criteria\n\n- [ ] Errors carry the line\n- [ ] A test covers a bad file\n"
    )
}

const PROMPTS: &str =
    "//- .chant/prompts/bootstrap.md\nP\n//- .chant/prompts/verify.md\nV\n//- .chant/prompts/split.md\nS\n";

#[test]
fn statuses() {
    let fixture = [
        PROMPTS,
        &good("a-pending", "status: pending\n"),
        &good("b-done", "status: completed\n"),
        &good("c-failed", "status: failed\n"),
        &good("d-progress", "status: in_progress\n"),
        &good("e-cancel", "status: cancelled\n"),
        &good("f-ready", "status: ready\n"),
        &good("g-attention", "status: needs_attention\n"),
    ]
    .concat();
    check(
        &fixture,
        &RunState::default(),
        expect![[r#"
            a-pending
              + Run a-pending (chant work)
              - Verify a-pending (chant verify): chant verifies completed specs only (this one is pending)
              - Reset a-pending to pending (chant reset): only failed specs can be reset (this one is pending)
              + Split a-pending into members (chant split)
              - Show the agent log of a-pending: no agent log yet (`.chant/logs/a-pending.log`)
            b-done
              - Run b-done (chant work): chant work refuses completed specs (no transition to in_progress)
              + Verify b-done (chant verify)
              - Reset b-done to pending (chant reset): only failed specs can be reset (this one is completed)
              - Split b-done into members (chant split): chant splits pending specs only (this one is completed)
              - Show the agent log of b-done: no agent log yet (`.chant/logs/b-done.log`)
            c-failed
              + Run c-failed (chant work)
              - Verify c-failed (chant verify): chant verifies completed specs only (this one is failed)
              + Reset c-failed to pending (chant reset)
              - Split c-failed into members (chant split): chant splits pending specs only (this one is failed)
              - Show the agent log of c-failed: no agent log yet (`.chant/logs/c-failed.log`)
            d-progress
              - Run d-progress (chant work): in_progress, but no run holds its lock (a run was stopped or crashed)
              + Run d-progress again with --skip-deps  ["work", "d-progress", "--no-watch", "--skip-deps"]
              - Verify d-progress (chant verify): chant verifies completed specs only (this one is in_progress)
              - Reset d-progress to pending (chant reset): chant cannot reset an in_progress spec (it fails halfway): stop the run, let it fail, then reset
              - Split d-progress into members (chant split): chant splits pending specs only (this one is in_progress)
              - Show the agent log of d-progress: no agent log yet (`.chant/logs/d-progress.log`)
            e-cancel
              - Run e-cancel (chant work): chant work refuses cancelled specs (no transition to in_progress)
              - Verify e-cancel (chant verify): chant verifies completed specs only (this one is cancelled)
              - Reset e-cancel to pending (chant reset): only failed specs can be reset (this one is cancelled)
              - Split e-cancel into members (chant split): chant splits pending specs only (this one is cancelled)
              - Show the agent log of e-cancel: no agent log yet (`.chant/logs/e-cancel.log`)
            f-ready
              - Run f-ready (chant work): `status: ready` on disk can never be worked
              - Verify f-ready (chant verify): chant verifies completed specs only (this one is ready)
              - Reset f-ready to pending (chant reset): only failed specs can be reset (this one is ready)
              - Split f-ready into members (chant split): chant splits pending specs only (this one is ready)
              - Show the agent log of f-ready: no agent log yet (`.chant/logs/f-ready.log`)
            g-attention
              + Run g-attention (chant work)
              - Verify g-attention (chant verify): chant verifies completed specs only (this one is needs_attention)
              + Reset g-attention to pending (chant reset)
              - Split g-attention into members (chant split): chant splits pending specs only (this one is needs_attention)
              - Show the agent log of g-attention: no agent log yet (`.chant/logs/g-attention.log`)
        "#]],
    );
}

#[test]
fn gates_and_the_flags_that_pass_them() {
    let fixture = [
        PROMPTS,
        &good("a-base", "status: pending\n"),
        &good("b-blocked", "depends_on: [a-base]\n"),
        &good("c-approval", "approval:\n  required: true\n"),
        &good("d-rejected", "approval:\n  required: true\n  status: rejected\n  by: ann\n  at: 2026-01-01\n"),
        "//- .chant/specs/e-vague.md\n---\nstatus: pending\n---\n# Improve things\n\nBetter.\n",
        &good("f-unknown", "depends_on: [nope]\n"),
        &good("g-prompt", "prompt: missing\n"),
        &good("h-cancelled-dep", "depends_on: [i-cancelled]\n"),
        &good("i-cancelled", "status: cancelled\n"),
    ]
    .concat();
    let run = RunState { has_log: true, ..RunState::default() };
    let rendered = render(&fixture, &run);
    let runs: String = rendered
        .lines()
        .filter(|l| !l.starts_with("  ") || l.contains(" Run "))
        .map(|l| format!("{l}\n"))
        .collect();
    expect![[r#"
        a-base
          + Run a-base (chant work)
        b-blocked
          - Run b-blocked (chant work): blocked by a-base (pending)
        c-approval
          - Run c-approval (chant work): needs approval
          + Run c-approval with --skip-approval  ["work", "c-approval", "--no-watch", "--skip-approval"]
        d-rejected
          - Run d-rejected (chant work): the spec was rejected
          + Run d-rejected with --skip-approval  ["work", "d-rejected", "--no-watch", "--skip-approval"]
        e-vague
          - Run e-vague (chant work): quality gate: chant refuses Refine specs without --skip-criteria when no terminal is attached
          + Run e-vague with --skip-criteria (then open checkboxes after the run make it fail)  ["work", "e-vague", "--no-watch", "--skip-criteria"]
        f-unknown
          - Run f-unknown (chant work): chant work's lint fails: unknown-dependency
        g-prompt
          - Run g-prompt (chant work): prompt `missing` has no file in .chant/prompts/: chant work would fail halfway
        h-cancelled-dep
          - Run h-cancelled-dep (chant work): blocked by i-cancelled (cancelled)
          + Run h-cancelled-dep with --skip-deps  ["work", "h-cancelled-dep", "--no-watch", "--skip-deps"]
        i-cancelled
          - Run i-cancelled (chant work): chant work refuses cancelled specs (no transition to in_progress)
    "#]]
    .assert_eq(&runs);
}

#[test]
fn groups_members_and_runs_in_progress() {
    let fixture = [
        PROMPTS,
        &good("drv", "type: driver\n"),
        &good("drv.1", "status: completed\n"),
        &good("drv.2", "status: pending\n"),
        &good("drv.3", "status: pending\n"),
        &good("empty", "type: group\n"),
        &good("lint", "type: driver\ndepends_on: [nope]\n"),
        &good("lint.1", ""),
        "//- .chant/specs/split-d.md\n---\ntarget_files: [a.rs, b.rs]\n---\n# Two halves\n\n\
         The two halves are tightly coupled.\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Add b\n",
    ]
    .concat();
    let rendered = render(&fixture, &RunState::default());
    let runs: String = rendered
        .lines()
        .filter(|l| !l.starts_with("  ") || l.contains(" Run ") || l.contains("Split"))
        .map(|l| format!("{l}\n"))
        .collect();
    expect![[r#"
        drv
          + Run the 2 open members of drv (chant work)
          + Split drv into members (chant split)
        drv.1
          - Run drv.1 (chant work): chant work refuses completed specs (no transition to in_progress)
          - Split drv.1 into members (chant split): chant splits pending specs only (this one is completed)
        drv.2
          + Run drv.2 (chant work)
          + Split drv.2 into members (chant split)
        drv.3
          - Run drv.3 (chant work): blocked by earlier sibling drv.2 (pending)
          + Run drv.3 with --skip-deps  ["work", "drv.3", "--no-watch", "--skip-deps"]
          + Split drv.3 into members (chant split)
        empty
          - Run the 0 open members of empty (chant work): this driver has no member specs (`<ID>.<N>.md`) to run
          - Split empty into members (chant split): chant does not split specs of type group
        lint
          - Run lint (chant work): chant work's lint fails: unknown-dependency
          + Split lint into members (chant split)
        lint.1
          - Run lint.1 (chant work): blocked by nope, a dependency of driver lint
          + Split lint.1 into members (chant split)
        split-d
          + Run split-d (chant work)
          - Split split-d into members (chant split): chant refuses to split without a terminal: splittability D (its parts are tightly coupled)
    "#]]
    .assert_eq(&runs);

    // While this editor runs a spec: only Stop, no Run.
    let here = RunState { running_here: true, ..RunState::default() };
    let lines = render(&good("a", ""), &here);
    assert!(lines.contains("  + Stop chant work a\n") && !lines.contains("Run a"), "{lines}");
    // Started elsewhere: nothing to run, and stopping it is not ours to do.
    let elsewhere = RunState { running_elsewhere: Some(42), ..RunState::default() };
    let lines = render(&good("a", ""), &elsewhere);
    assert!(
        lines.contains("  - Run a (chant work): already running (pid 42, started outside the editor)\n"),
        "{lines}"
    );
    assert!(lines.contains("  - Stop chant work a: started outside the editor (pid 42)"), "{lines}");
    // No git repository: nothing runs.
    let no_git = RunState { git_problem: Some("not a git repository".into()), ..RunState::default() };
    assert!(render(&good("a", ""), &no_git).contains("  - Run a (chant work): not a git repository\n"));
}

#[test]
fn argv_never_goes_through_a_shell_and_passes_no_watch() {
    let all = RunFlags { skip_criteria: true, skip_deps: true, skip_approval: true };
    assert_eq!(
        argv(Verb::Run, "2026-01-01-001-abc", all, false).unwrap(),
        ["work", "2026-01-01-001-abc", "--no-watch", "--skip-criteria", "--skip-deps", "--skip-approval"]
    );
    assert_eq!(argv(Verb::Run, "x", RunFlags::default(), true).unwrap(), ["work", "x"]);
    assert_eq!(argv(Verb::Reset, "x", all, false).unwrap(), ["reset", "x"], "flags belong to work only");
    assert_eq!(argv(Verb::Stop, "x", all, false), None, "the server stops runs itself");
}

/// The demo project as a fixture (every file under `examples/demo`).
fn demo_fixture() -> String {
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((p.strip_prefix(root).unwrap().display().to_string(), text));
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|(p, t)| format!("//- {p}\n{t}{}", if t.ends_with('\n') { "" } else { "\n" }))
        .collect()
}

#[test]
fn demo_project() {
    // What the editor offers on each spec of the demo (in a git repository, no runs).
    let rendered = render(&demo_fixture(), &RunState::default());
    let runs: String = rendered
        .lines()
        .filter(|l| !l.starts_with("  ") || l.contains(" Run "))
        .map(|l| format!("{l}\n"))
        .collect();
    expect![[r#"
        2026-10-01-001-old
        2026-11-02-001-k3v
          - Run 2026-11-02-001-k3v (chant work): chant work refuses completed specs (no transition to in_progress)
        2026-11-02-002-p9d
          + Run 2026-11-02-002-p9d (chant work)
        2026-11-03-001-r7q
          + Run 2026-11-03-001-r7q (chant work)
        2026-11-04-001-d1r
          + Run the 1 open member of 2026-11-04-001-d1r (chant work)
        2026-11-04-001-d1r.1
          - Run 2026-11-04-001-d1r.1 (chant work): chant work refuses completed specs (no transition to in_progress)
        2026-11-04-001-d1r.2
          + Run 2026-11-04-001-d1r.2 (chant work)
        2026-11-05-001-u4x
          - Run 2026-11-05-001-u4x (chant work): chant work's lint fails: unknown-dependency
        2026-11-05-002-zz8
          - Run 2026-11-05-002-zz8 (chant work): chant work refuses completed specs (no transition to in_progress)
        2026-11-06-001-a2b
          - Run 2026-11-06-001-a2b (chant work): chant work's lint fails: archived-dependency
        2026-11-07-001-c1a
          - Run 2026-11-07-001-c1a (chant work): blocked by 2026-11-07-002-c2b (pending)
        2026-11-07-002-c2b
          - Run 2026-11-07-002-c2b (chant work): blocked by 2026-11-07-003-c3c (pending)
        2026-11-07-003-c3c
          - Run 2026-11-07-003-c3c (chant work): blocked by 2026-11-07-001-c1a (pending)
        2026-11-08-001-y8e
          - Run 2026-11-08-001-y8e (chant work): chant cannot read this spec (see its diagnostics)
        2026-11-09-001-t5f
          + Run 2026-11-09-001-t5f (chant work)
    "#]].assert_eq(&runs);

    // The editor tests' scenario: after the did-you-mean quick fix, u4x can run.
    let fixed =
        demo_fixture().replace("depends_on: [2026-11-05-002-zz9]", "depends_on: [2026-11-05-002-zz8]");
    assert!(render(&fixed, &RunState::default()).contains("  + Run 2026-11-05-001-u4x (chant work)\n"));
}

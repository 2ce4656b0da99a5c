//! The specs view and the ready queue (chant-behaviour.md §6.6): sections with their
//! reasons, the queue in the order `chant work --chain` takes it, and buttons enabled as
//! the code actions are. Fixture projects with the expected order written out.

mod support;

use chant_lsp::analysis::id::chant_compare;
use chant_lsp::analysis::ide::actions::{spec_actions, RunState, Verb};
use chant_lsp::analysis::ide::specs::{self, SectionKind, View};
use chant_lsp::analysis::workspace::Workspace;
use support::{base, Fixture};

fn spec(id: &str, fm: &str) -> String {
    format!("//- .chant/specs/{id}.md\n---\n{fm}---\n# Title of {id}\n\nDo it.\n")
}

fn workspace(fixture: &str) -> Workspace {
    Fixture::parse(&format!("{}{fixture}", base!())).workspace(false).0
}

fn view_with(fixture: &str, run: &dyn Fn(&str) -> RunState) -> (Workspace, View) {
    let ws = workspace(fixture);
    let v = specs::view(&ws, run);
    (ws, v)
}

fn view(fixture: &str) -> View {
    view_with(fixture, &|_| RunState::default()).1
}

/// Each non-empty section as `Label (n): id [reason]; …`.
fn render(v: &View) -> String {
    let mut out = String::new();
    for s in v.sections.iter().filter(|s| !s.items.is_empty()) {
        let items: Vec<String> = s
            .items
            .iter()
            .map(|it| match &it.reason {
                Some(r) => format!("{} [{r}]", it.id),
                None => it.id.clone(),
            })
            .collect();
        out.push_str(&format!("{} ({}): {}\n", s.kind.label(), s.items.len(), items.join("; ")));
    }
    out
}

#[test]
fn sections_say_why() {
    let fixture = [
        spec("2026-01-02-001-rdy", ""),
        spec("2026-01-02-002-dep", "depends_on: [2026-01-01-001-aaa]\n"),
        spec("2026-01-02-003-mis", "depends_on: [2026-01-09-001-zzz]\n"),
        spec("2026-01-02-004-apr", "approval:\n  required: true\n"),
        spec("2026-01-02-005-fld", "status: failed\n"),
        spec("2026-01-02-006-fbl", "status: failed\ndepends_on: [2026-01-02-004-apr]\n"),
        spec("2026-01-02-007-ipr", "status: in_progress\n"),
        spec("2026-01-02-008-pau", "status: paused\n"),
        spec("2026-01-02-009-nat", "status: needs_attention\n"),
        spec("2026-01-02-00a-can", "status: cancelled\n"),
        spec("2026-01-02-00b-run", ""),
        spec("2026-01-02-00c-ext", "status: in_progress\n"),
        "//- .chant/specs/2026-01-02-00d-bad.md\n---\nstatus: ??\n---\n# Broken\n".to_string(),
    ]
    .concat();
    let run = |id: &str| RunState {
        running_here: id == "2026-01-02-00b-run",
        running_elsewhere: (id == "2026-01-02-00c-ext").then_some(4242),
        ..RunState::default()
    };
    let (_, v) = view_with(&fixture, &run);
    assert_eq!(
        render(&v),
        "\
Ready (3): 2026-01-02-001-rdy; 2026-01-02-002-dep; 2026-01-02-005-fld [failed before; ready again]
Running (2): 2026-01-02-00b-run [started from this editor]; 2026-01-02-00c-ext [chant work (pid 4242) holds its lock]
Blocked (2): 2026-01-02-003-mis [blocked by 2026-01-09-001-zzz (no such spec)]; 2026-01-02-004-apr [blocked by approval (required, not yet given)]
Failed (1): 2026-01-02-006-fbl [blocked by 2026-01-02-004-apr (pending)]
Paused (1): 2026-01-02-008-pau
Needs attention (2): 2026-01-02-009-nat; 2026-01-02-00d-bad [chant cannot read this spec (see its diagnostics)]
In progress without a live run (1): 2026-01-02-007-ipr [no run holds its lock (stopped or crashed)]
Completed (1): 2026-01-01-001-aaa
Cancelled (1): 2026-01-02-00a-can
"
    );
    assert_eq!(v.ready, ["2026-01-02-001-rdy", "2026-01-02-002-dep", "2026-01-02-005-fld"]);
    assert_eq!(v.count(SectionKind::Blocked), 2);
    assert_eq!(v.queue_note, None);
    assert_eq!(v.total(), 14);

    // Listing only some sections leaves the rest counted but without rows.
    let ws = workspace(&fixture);
    let some = specs::view_listing(&ws, &run, &|k| matches!(k, SectionKind::Ready | SectionKind::Failed));
    for (full, part) in v.sections.iter().zip(&some.sections) {
        assert_eq!((full.kind, full.count), (part.kind, part.count));
        assert_eq!(part.listed, matches!(part.kind, SectionKind::Ready | SectionKind::Failed));
        assert_eq!(part.items, if part.listed { full.items.clone() } else { Vec::new() }, "{:?}", part.kind);
    }
    assert_eq!((&some.ready, some.total()), (&v.ready, 14));
}

/// Groups run in the topological order of their drivers' `depends_on`, whatever their
/// IDs say; members by number (`.2` before `.10`); drivers are listed as ready but chain
/// leaves them out; standalone specs fall in by chant's ID order.
#[test]
fn groups_in_dependency_order() {
    let fixture = [
        // Driver B sorts first by ID but depends on driver C.
        spec("2026-01-03-002-bbb", "type: driver\ndepends_on: [2026-01-03-003-ccc]\n"),
        spec("2026-01-03-002-bbb.1", "depends_on: []\n"),
        spec("2026-01-03-002-bbb.2", "depends_on: []\n"),
        spec("2026-01-03-003-ccc", "type: driver\nstatus: completed\n"),
        spec("2026-01-03-003-ccc.10", "depends_on: []\n"),
        spec("2026-01-03-003-ccc.2", "depends_on: []\n"),
        spec("2026-01-03-000-zzz", ""),
        spec("2026-01-03-004-sss", ""),
        // The sequence is a base-36 number: 00z before 010.
        spec("2026-01-03-010-ten", ""),
        spec("2026-01-03-00z-thz", ""),
    ]
    .concat();
    let v = view(&fixture);
    assert_eq!(
        v.ready,
        [
            "2026-01-03-000-zzz",
            "2026-01-03-003-ccc.2",
            "2026-01-03-003-ccc.10",
            "2026-01-03-002-bbb.1",
            "2026-01-03-002-bbb.2",
            "2026-01-03-004-sss",
            "2026-01-03-00z-thz",
            "2026-01-03-010-ten",
        ]
    );
    let ready = &v.sections[0];
    assert_eq!(ready.kind, SectionKind::Ready);
    // The driver is listed (chant list --ready shows it) after the queue, with why.
    let last = ready.items.last().expect("items");
    assert_eq!(last.id, "2026-01-03-002-bbb");
    assert_eq!(
        last.reason.as_deref(),
        Some("driver: chant work 002-bbb runs its 2 open members; --chain skips it")
    );
    assert_eq!(ready.items.len(), v.ready.len() + 1);
}

#[test]
fn approval_and_dependencies_gate_the_queue() {
    let fixture = [
        spec("2026-01-04-001-req", "approval:\n  required: true\n"),
        spec(
            "2026-01-04-002-rej",
            "approval:\n  required: true\n  status: rejected\n  by: me\n  at: '2026-01-04'\n",
        ),
        spec(
            "2026-01-04-003-okd",
            "approval:\n  required: true\n  status: approved\n  by: me\n  at: '2026-01-04'\n",
        ),
        // Failed specs are not held back by approval (chant gates pending ones only).
        spec("2026-01-04-004-fai", "status: failed\napproval:\n  required: true\n"),
        spec("2026-01-04-005-dep", "depends_on: [2026-01-04-003-okd]\n"),
        spec("2026-01-04-006-aft", "depends_on: [2026-01-01-001-aaa]\n"),
        // Members without depends_on wait for their earlier siblings (pending, not blocked).
        spec("2026-01-04-007-grp", "type: group\n"),
        spec("2026-01-04-007-grp.1", ""),
        spec("2026-01-04-007-grp.2", ""),
    ]
    .concat();
    let v = view(&fixture);
    assert_eq!(
        v.ready,
        ["2026-01-04-003-okd", "2026-01-04-004-fai", "2026-01-04-006-aft", "2026-01-04-007-grp.1"]
    );
    let out = render(&v);
    assert!(
        out.contains("Blocked (3): 2026-01-04-001-req [blocked by approval (required, not yet given)]; 2026-01-04-002-rej [blocked by approval (required, not yet given)]; 2026-01-04-005-dep [blocked by 2026-01-04-003-okd (pending)]\n"),
        "{out}"
    );
    assert!(
        out.contains("Pending (2): 2026-01-04-007-grp [type: group (chant list --ready hides groups)]; 2026-01-04-007-grp.2 [waits for earlier sibling 2026-01-04-007-grp.1 (pending)]\n"),
        "{out}"
    );
}

/// chain refuses to start when drivers depend on each other in a cycle; an entry written
/// twice holds its driver back the same way (its in-degree counts both, the edge goes
/// once). The Ready section still lists what `chant list --ready` shows.
#[test]
fn driver_cycles_stop_the_chain() {
    let cycle = [
        spec("2026-01-05-001-one", "type: driver\ndepends_on: [2026-01-05-002-two]\n"),
        spec("2026-01-05-002-two", "type: driver\ndepends_on: [2026-01-05-001-one]\n"),
        spec("2026-01-05-003-alo", ""),
    ]
    .concat();
    let v = view(&cycle);
    assert!(v.ready.is_empty());
    assert_eq!(
        v.queue_note.as_deref(),
        Some("chant work --chain refuses to start: circular dependency among drivers 2026-01-05-001-one, 2026-01-05-002-two")
    );
    assert_eq!(v.count(SectionKind::Ready), 1);

    let twice = [
        spec("2026-01-05-001-one", "type: driver\nstatus: completed\n"),
        spec("2026-01-05-002-two", "type: driver\ndepends_on: [2026-01-05-001-one, 2026-01-05-001-one]\n"),
        spec("2026-01-05-002-two.1", ""),
    ]
    .concat();
    let v = view(&twice);
    assert!(v.ready.is_empty(), "{:?}", v.ready);
    assert!(
        v.queue_note.as_deref().is_some_and(|n| n.ends_with("drivers 2026-01-05-002-two")),
        "{:?}",
        v.queue_note
    );
}

/// The buttons are the code actions' Run, Stop and Show log, enabled the same way.
#[test]
fn buttons_follow_the_code_actions() {
    let fixture = [
        spec("2026-01-06-001-rdy", ""),
        spec("2026-01-06-002-blk", "depends_on: [2026-01-06-001-rdy]\n"),
        spec("2026-01-06-003-run", ""),
        "//- .chant/specs/2026-01-06-004-npr.md\n---\nprompt: nowhere\n---\n# No prompt\n\nDo it.\n"
            .to_string(),
    ]
    .concat();
    let run = |id: &str| RunState {
        running_here: id == "2026-01-06-003-run",
        has_log: id == "2026-01-06-003-run",
        ..RunState::default()
    };
    let (ws, v) = view_with(&fixture, &run);
    let mut seen = 0;
    for sec in &v.sections {
        for it in &sec.items {
            let acts = spec_actions(&ws, it.index, &run(&it.id));
            for (verb, button) in
                [(Verb::Run, &it.run), (Verb::Stop, &it.stop), (Verb::ShowLog, &it.show_log)]
            {
                let same: Vec<_> = acts.iter().filter(|a| a.verb == verb).collect();
                assert_eq!(button.enabled, same.iter().any(|a| a.enabled.is_ok()), "{} {verb:?}", it.id);
                if let Some(a) = same.iter().find(|a| a.enabled.is_ok()) {
                    assert_eq!(button.flags, a.flags);
                }
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 5 * 3);
    let item = |id: &str| v.sections.iter().flat_map(|s| &s.items).find(|i| i.id == id).expect(id);
    assert!(item("2026-01-06-001-rdy").run.enabled);
    assert!(!item("2026-01-06-001-rdy").stop.enabled);
    assert!(!item("2026-01-06-001-rdy").show_log.enabled);
    assert!(item("2026-01-06-003-run").stop.enabled && item("2026-01-06-003-run").show_log.enabled);
    let npr = item("2026-01-06-004-npr");
    assert!(!npr.run.enabled);
    assert!(npr.run.why.as_deref().is_some_and(|w| w.contains("prompt `nowhere`")), "{:?}", npr.run.why);
    assert_eq!(item("2026-01-06-002-blk").short_id, "002-blk");
}

#[test]
fn chants_id_order() {
    use std::cmp::Ordering::*;
    assert_eq!(chant_compare("2026-01-25-00y-abc.2", "2026-01-25-00y-abc.10"), Less);
    assert_eq!(chant_compare("2026-01-25-00y-abc", "2026-01-25-00y-abc.1"), Less);
    assert_eq!(chant_compare("2026-01-25-010-xxx", "2026-01-25-00z-yyy"), Greater);
    assert_eq!(chant_compare("2026-01-25-00y-abc", "2026-01-25-00y-def"), Less);
    assert_eq!(chant_compare("b", "a.1"), Greater, "other shapes as text, the driver's base for members");
}

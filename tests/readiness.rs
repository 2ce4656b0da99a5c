//! chant's readiness rules (chant-behaviour.md §6): `list --ready`, blockers, and the stricter
//! `chant work` gate, computed from fixture projects.

mod support;

use chant_lsp::analysis::project::{Blocker, Readiness};
use support::Fixture;

fn readiness(fixture: &str) -> Vec<(String, Readiness)> {
    let f = Fixture::parse(fixture);
    let (ws, _) = f.workspace(false);
    let p = &ws.project;
    let mut out: Vec<(String, Readiness)> =
        (0..p.specs.len()).map(|i| (p.specs[i].id.clone(), p.readiness(i))).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn spec(id: &str, fm: &str, body: &str) -> String {
    format!("//- .chant/specs/{id}.md\n---\n{fm}---\n# {id}\n{body}")
}

fn get<'a>(r: &'a [(String, Readiness)], id: &str) -> &'a Readiness {
    &r.iter().find(|(i, _)| i == id).expect("spec").1
}

#[test]
fn dependencies_and_cancelled() {
    let r = readiness(
        &[
            spec("a", "status: completed\n", ""),
            spec("b", "status: cancelled\n", ""),
            spec("c", "depends_on: [a]\n", ""),
            spec("d", "depends_on: [b]\n", ""),
            spec("e", "depends_on: [a, x]\n", ""),
            spec("f", "status: failed\ndepends_on: [c]\n", ""),
            spec("g", "status: completed\n", ""),
        ]
        .concat(),
    );
    assert!(get(&r, "c").ready);
    // Cancelled satisfies `is_ready` but not the work gate.
    let d = get(&r, "d");
    assert!(d.ready);
    assert_eq!(
        d.work_blockers,
        vec![Blocker::Status { id: "b".into(), status: chant_lsp::analysis::frontmatter::Status::Cancelled }]
    );
    let e = get(&r, "e");
    assert!(!e.ready);
    assert_eq!(e.blockers, vec![Blocker::Missing { id: "x".into(), archived: false }]);
    // Failed specs show up as ready again once unblocked; c is pending, so f is blocked.
    assert!(!get(&r, "f").ready);
    assert!(!get(&r, "g").ready, "completed specs are never ready");
}

#[test]
fn archive_and_unreadable_block() {
    let r = readiness(&format!(
        "{}{}//- .chant/archive/2025-01-01/old.md\n---\nstatus: completed\n---\n# old\n//- .chant/specs/bad.md\n---\nstatus: ??\n---\n# bad\n",
        spec("a", "depends_on: [old]\n", ""),
        spec("b", "depends_on: [bad]\n", ""),
    ));
    assert_eq!(get(&r, "a").blockers, vec![Blocker::Missing { id: "old".into(), archived: true }]);
    assert_eq!(get(&r, "b").blockers, vec![Blocker::Unreadable { id: "bad".into() }]);
    assert!(!get(&r, "bad").ready, "chant cannot even load it");
}

#[test]
fn approval_gates_pending_specs() {
    let r = readiness(
        &[
            spec("a", "approval:\n  required: true\n", ""),
            spec("b", "approval:\n  required: true\n  status: approved\n  by: me\n  at: now\n", ""),
            spec("c", "approval:\n  status: rejected\n", ""),
        ]
        .concat(),
    );
    let a = get(&r, "a");
    assert!(!a.ready && a.needs_approval);
    assert_eq!(a.blockers, vec![Blocker::Approval]);
    assert!(get(&r, "b").ready);
    assert!(get(&r, "c").ready, "rejected but never required: nothing is gated");
}

#[test]
fn groups_follow_sibling_order() {
    let ac = "## Acceptance Criteria\n- [ ] Add x\n";
    let r = readiness(
        &[
            spec("g", "type: group\ndepends_on: [pre]\n", ac),
            spec("pre", "status: pending\n", ""),
            spec("g.1", "status: completed\n", ""),
            spec("g.2", "status: pending\n", ""),
            spec("g.3", "status: pending\n", ""),
            spec("g.4", "depends_on: []\n", ""),
        ]
        .concat(),
    );
    // The driver's own unmet dependency blocks every member.
    let g2 = get(&r, "g.2");
    assert!(!g2.ready);
    assert_eq!(g2.blockers, vec![Blocker::DriverDependency { driver: "g".into(), id: "pre".into() }]);
    // g.3 also waits for g.2.
    assert!(get(&r, "g.3").blockers.contains(&Blocker::Sibling {
        id: "g.2".into(),
        status: Some(chant_lsp::analysis::frontmatter::Status::Pending)
    }));
    // An explicit `depends_on: []` skips the sibling rule for `is_ready`, not for `chant work`.
    let g4 = get(&r, "g.4");
    assert!(!g4.blockers.iter().any(|b| matches!(b, Blocker::Sibling { .. })));
    assert_eq!(g4.work_blockers.len(), 2, "{:?}", g4.work_blockers);
    // A driver with acceptance criteria waits for all of its members.
    let g = get(&r, "g");
    assert!(g.blockers.iter().any(|b| matches!(b, Blocker::Member { id, .. } if id == "g.2")));
}

#[test]
fn defaults_when_chant_reads_no_frontmatter() {
    // A BOM hides `status: completed` from chant, so the dependent stays blocked.
    let r = readiness(&format!(
        "//- .chant/specs/a.md\n\u{feff}---\nstatus: completed\n---\n# a\n{}",
        spec("b", "depends_on: [a]\n", "")
    ));
    assert!(!get(&r, "b").ready);
    assert!(get(&r, "a").ready, "chant reads it as a pending spec");
}

/// A member number from a file name can be billions: the sibling gate looks at the
/// members that exist past the first thousand numbers, and the first missing one stands
/// for the rest (it does not ask for four billion files).
#[test]
fn huge_member_numbers_stay_bounded() {
    let r = readiness(
        &[
            spec("2026-01-01-001-drv", "type: group\n", ""),
            spec("2026-01-01-001-drv.1000", "status: completed\n", ""),
            spec("2026-01-01-001-drv.1001", "", ""),
            spec("2026-01-01-001-drv.4000000000", "", ""),
        ]
        .concat(),
    );
    let big = get(&r, "2026-01-01-001-drv.4000000000");
    let ids: Vec<String> = big
        .work_blockers
        .iter()
        .filter_map(|b| match b {
            Blocker::Sibling { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 999 + 2, "{ids:?}");
    assert_eq!(&ids[999..], ["2026-01-01-001-drv.1001", "2026-01-01-001-drv.1002"]);
}

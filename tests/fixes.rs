//! Every quick fix, applied: the diagnostic it fixes is gone afterwards.

mod support;

use chant_lsp::analysis::diagnostic::FixAction;
use support::{base, Fixture};

const BASE: &str = concat!(
    base!(),
    "\
//- .chant/archive/2025-01-01/2025-01-01-001-old.md
---
status: completed
---
# Old
"
);

/// Applies the fix titled `title` of the first `code` diagnostic in `path`; returns the
/// codes left in that file and the new text.
fn apply(extra: &str, path: &str, code: &str, title: &str) -> (Vec<String>, String) {
    let mut f = Fixture::parse(&format!("{BASE}{extra}"));
    let checked = f.check(false);
    let report = checked.reports.iter().find(|r| r.path == path).expect("diagnostics in the file");
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code} in {path}: {:?}", report.diagnostics));
    let titles: Vec<&str> = d.fixes.iter().map(|x| x.title.as_str()).collect();
    let fix = d
        .fixes
        .iter()
        .find(|x| x.title == title)
        .unwrap_or_else(|| panic!("no fix {title:?}; fixes: {titles:?}"));
    let text = f.files[path].clone();
    match &fix.action {
        FixAction::Edits(edits) => {
            let mut edits = edits.clone();
            edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
            let mut new = text.clone();
            for (r, t) in edits {
                new.replace_range(r, &t);
            }
            f.files.insert(path.to_string(), new);
        }
        FixAction::CreateFile(p) => {
            f.files.insert(p.clone(), String::new());
        }
        FixAction::RemoveBom => {
            f.files.insert(path.to_string(), text.trim_start_matches('\u{feff}').to_string());
        }
        FixAction::ShowChanges(_) => panic!("{title:?} changes nothing (fixtures have no git history)"),
    }
    let after = f.check(false);
    let codes = after
        .reports
        .iter()
        .filter(|r| r.path == path)
        .flat_map(|r| r.diagnostics.iter().map(|d| d.code.as_str().to_string()))
        .collect();
    (codes, f.files[path].clone())
}

const P: &str = ".chant/specs/2026-01-02-001-bbb.md";

fn spec(frontmatter: &str) -> String {
    format!("//- {P}\n---\n{frontmatter}---\n# B\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n")
}

fn assert_fixed(extra: &str, code: &str, title: &str, expected_text: &str) {
    let (codes, text) = apply(extra, P, code, title);
    assert!(!codes.contains(&code.to_string()), "{code} still there after {title:?}: {codes:?}\n{text}");
    assert!(text.contains(expected_text), "{title:?} gave:\n{text}");
}

#[test]
fn dependency_fixes() {
    assert_fixed(
        &spec("depends_on: [2026-01-01-001-aab]\n"),
        "unknown-dependency",
        "Change to `2026-01-01-001-aaa`",
        "depends_on: [2026-01-01-001-aaa]",
    );
    assert_fixed(
        &spec("depends_on:\n- 2026-01-01-001-aaa\n- 2026-09-09-009-zzz\n"),
        "unknown-dependency",
        "Remove `2026-09-09-009-zzz` from depends_on",
        "depends_on:\n- 2026-01-01-001-aaa\n---",
    );
    assert_fixed(
        &spec("depends_on: [2025-01-01-001-old, 2026-01-01-001-aaa]\n"),
        "archived-dependency",
        "Remove `2025-01-01-001-old` from depends_on",
        "depends_on: [2026-01-01-001-aaa]",
    );
    assert_fixed(
        &spec("depends_on: [2026-01-01-001-aaa, 2025-01-01-001-old]\n"),
        "archived-dependency",
        "Remove `2025-01-01-001-old` from depends_on",
        "depends_on: [2026-01-01-001-aaa]",
    );
    assert_fixed(
        &spec("depends_on: 2025-01-01-001-old\nstatus: pending\n"),
        "archived-dependency",
        "Remove `2025-01-01-001-old` from depends_on",
        "---\nstatus: pending\n---",
    );
    let cycle = format!(
        "{}//- .chant/specs/2026-01-03-001-ccc.md\n---\ndepends_on: [2026-01-02-001-bbb]\n---\n# C\n",
        spec("depends_on: [2026-01-03-001-ccc]\n")
    );
    assert_fixed(
        &cycle,
        "dependency-cycle",
        "Remove the dependency on `2026-01-03-001-ccc` (breaks the cycle)",
        "depends_on: []",
    );
    assert_fixed(
        &spec("depends_on:\n  - 2026-01-01-001-aaa\n  - 2026-01-02-001-bbb\n"),
        "self-dependency",
        "Remove `2026-01-02-001-bbb` from depends_on",
        "depends_on:\n  - 2026-01-01-001-aaa\n---",
    );
}

#[test]
fn value_and_key_fixes() {
    assert_fixed(
        &spec("status: complete\n"),
        "invalid-value",
        "Change to `completed`",
        "status: completed\n",
    );
    assert_fixed(&spec("status:\n"), "invalid-value", "Change to `pending`", "status: pending\n");
    assert_fixed(
        &spec("approval:\n  required: true\n  status: aproved\n  by: me\n  at: now\n"),
        "invalid-value",
        "Change to `approved`",
        "  status: approved\n",
    );
    assert_fixed(&spec("lables: [x]\n"), "unknown-key", "Rename to `labels`", "labels: [x]");
    assert_fixed(&spec("commit: abc\n"), "unknown-key", "Rename to `commits`", "commits: abc");
    assert_fixed(&spec("labels: ui\n"), "wrong-shape", "Turn `labels` into a list", "labels: [ui]\n");
    assert_fixed(
        &spec("target_files: \"src/a b.rs\"\n"),
        "wrong-shape",
        "Turn `target_files` into a list",
        "target_files: [\"src/a b.rs\"]\n",
    );
}

#[test]
fn file_and_structure_fixes() {
    assert_fixed(
        &spec("context: [docs/new.md]\n"),
        "missing-file",
        "Create `docs/new.md`",
        "context: [docs/new.md]",
    );
    let (codes, text) = apply(
        &format!("//- {P}\n---\nstatus: pending\n\n# B\n"),
        P,
        "unclosed-frontmatter",
        "Close the frontmatter after line 2",
    );
    assert!(!codes.contains(&"unclosed-frontmatter".to_string()), "{codes:?}");
    assert_eq!(text, "---\nstatus: pending\n---\n\n# B\n");
    let (codes, text) = apply(
        &format!("//- {P}\n\u{feff}---\nstatus: pending\n---\n# B\n"),
        P,
        "bom",
        "Remove the byte order mark (rewrites the file)",
    );
    assert!(!codes.contains(&"bom".to_string()), "{codes:?}");
    assert!(text.starts_with("---"));
    let (codes, text) = apply(
        &format!("//- {P}\n---\nstatus: pending\n---\nJust text.\n"),
        P,
        "missing-title",
        "Insert a title",
    );
    assert!(!codes.contains(&"missing-title".to_string()), "{codes:?}");
    assert_eq!(text, "---\nstatus: pending\n---\n# Title\n\nJust text.\n");
    let (codes, text) =
        apply(&format!("//- {P}\n---\n---\n#Title here\n"), P, "missing-title", "Add the space after `#`");
    assert!(!codes.contains(&"missing-title".to_string()), "{codes:?}");
    assert!(text.contains("# Title here"));
    let (codes, _) =
        apply(&format!("//- {P}\n---\nstatus: pending\n---"), P, "missing-title", "Insert a title");
    assert!(!codes.contains(&"missing-title".to_string()), "{codes:?}");
}

#[test]
fn title_and_fence_fixes_apply_in_either_order() {
    const P: &str = ".chant/specs/2026-01-05-001-eee.md";
    let unclosed = format!("//- {P}\n---\ntype: code\nstatus: pending\n\nSome body text.\n");
    // Title first, then the fence.
    let (codes, text) = apply(&unclosed, P, "missing-title", "Insert a title");
    assert!(codes.contains(&"unclosed-frontmatter".to_string()), "{codes:?}");
    assert!(text.starts_with("---\n"), "{text}");
    let (codes, text) =
        apply(&format!("//- {P}\n{text}"), P, "unclosed-frontmatter", "Close the frontmatter after line 3");
    assert_eq!(text, "---\ntype: code\nstatus: pending\n---\n\n# Title\n\nSome body text.\n");
    assert!(!codes.iter().any(|c| c == "missing-title" || c == "unclosed-frontmatter"), "{codes:?}");
    // The fence first, then the title.
    let (_, text) = apply(&unclosed, P, "unclosed-frontmatter", "Close the frontmatter after line 3");
    let (codes, text) = apply(&format!("//- {P}\n{text}"), P, "missing-title", "Insert a title");
    assert!(!codes.iter().any(|c| c == "missing-title" || c == "unclosed-frontmatter"), "{codes:?}");
    assert!(text.starts_with("---\ntype: code\nstatus: pending\n---\n"), "{text}");
    // Behind a BOM, the title goes after the frontmatter, not before the BOM.
    let bom = format!("//- {P}\n\u{feff}---\nstatus: pending\n---\nSome body text.\n");
    let (_, text) = apply(&bom, P, "missing-title", "Insert a title");
    assert_eq!(text, "\u{feff}---\nstatus: pending\n---\n# Title\n\nSome body text.\n");
}

/// Which fixes `check --fix` applies on its own: those that need no choice and keep what
/// the author meant. Every other fix is offered in the editor only.
#[test]
fn automatic_fixes_are_those_that_need_no_choice() {
    let automatic = |extra: &str, code: &str| -> Vec<(String, bool)> {
        let f = Fixture::parse(&format!("{BASE}{extra}"));
        let checked = f.check(false);
        let d = checked
            .reports
            .iter()
            .filter(|r| r.path == P)
            .flat_map(|r| &r.diagnostics)
            .find(|d| d.code.as_str() == code)
            .unwrap_or_else(|| panic!("no {code}"));
        d.fixes.iter().map(|x| (x.title.clone(), x.automatic)).collect()
    };
    let only = |extra: &str, code: &str| -> bool {
        let fixes = automatic(extra, code);
        assert_eq!(fixes.len(), 1, "{code}: {fixes:?}");
        fixes[0].1
    };
    assert!(only(&spec("labels: ui\n"), "wrong-shape"));
    assert!(only(&spec("depends_on: [2026-01-01-001-aaa, 2026-01-01-001-aaa]\n"), "duplicate-dependency"));
    assert!(
        only(&spec("status: pending\ntype: code\nstatus:   pending \n"), "duplicate-key"),
        "equal values"
    );
    assert!(!only(&spec("status: pending\nstatus: completed\n"), "duplicate-key"), "which one is meant?");
    assert!(only(&format!("//- {P}\n---\nstatus: pending\n\n# B\n"), "unclosed-frontmatter"));
    assert!(only(&format!("//- {P}\n\u{feff}---\nstatus: pending\n---\n# B\n"), "bom"));
    assert!(only(&format!("//- {P}\n---\n---\n#Title here\n"), "missing-title"));
    assert!(!only(&format!("//- {P}\n---\n---\nJust text.\n"), "missing-title"), "a placeholder title");
    assert!(!only(&spec("depends_on: [2026-01-02-001-bbb]\n"), "self-dependency"));
    assert!(!only(&spec("context: [docs/new.md]\n"), "missing-file"));
    for (extra, code) in [
        (spec("depends_on: [2026-01-01-001-aab]\n"), "unknown-dependency"),
        (spec("status: complete\n"), "invalid-value"),
        (spec("lables: [x]\n"), "unknown-key"),
    ] {
        let fixes = automatic(&extra, code);
        assert!(!fixes.is_empty() && fixes.iter().all(|(_, a)| !a), "{code}: {fixes:?}");
    }
}

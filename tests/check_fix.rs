//! `chant-lsp check --fix` and `--diff` through the real binary: the fixes that need no
//! choice are applied (and only they), line endings and permissions are kept, a second
//! run changes nothing, `--diff` writes nothing; a file that changed since it was read is
//! never replaced.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use chant_lsp::cli::fix::write_atomic;

fn run(args: &[&str], root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(args)
        .current_dir(root)
        .env("HOME", root)
        .env_remove("NO_COLOR")
        .output()
        .expect("run chant-lsp")
}

fn text(out: &[u8]) -> String {
    String::from_utf8(out.to_vec()).unwrap()
}

const CRITERIA: &str = "## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n";

const SHAPE: &str = ".chant/specs/2026-01-02-001-bbb.md";
const BOM: &str = ".chant/specs/2026-01-03-001-ccc.md";
const CHOICE: &str = ".chant/specs/2026-01-04-001-ddd.md";

/// A project with one spec of each automatic fix (one in CRLF, one not writable by the
/// group), and one whose only fixes need a choice.
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let files = [
        (".chant/config.md", "---\ndefaults:\n  prompt: standard\n---\n".to_string()),
        (".chant/prompts/standard.md", "P\n".to_string()),
        (".chant/specs/2026-01-01-001-aaa.md", format!("---\nstatus: pending\n---\n# A\n\n{CRITERIA}")),
        (
            SHAPE,
            format!(
                "---\nlabels: ui\ndepends_on: [2026-01-01-001-aaa, 2026-01-01-001-aaa]\nstatus: pending\nstatus: pending\n\n#Wire it\n\n{CRITERIA}"
            )
            .replace('\n', "\r\n"),
        ),
        (BOM, format!("\u{feff}---\nstatus: pending\ntype: code\ntype: task\n---\n# C\n\n{CRITERIA}")),
        (CHOICE, format!("---\nstatus: complete\ndepends_on: [2026-01-01-001-aab]\n---\n# D\n\n{CRITERIA}")),
    ];
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::set_permissions(root.join(SHAPE), std::fs::Permissions::from_mode(0o640)).unwrap();
    tmp
}

fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    [SHAPE, BOM, CHOICE, ".chant/specs/2026-01-01-001-aaa.md"]
        .iter()
        .map(|p| (p.to_string(), std::fs::read(root.join(p)).unwrap()))
        .collect()
}

#[test]
fn fix_applies_what_needs_no_choice_and_twice_changes_nothing() {
    let tmp = project();
    let root = tmp.path();
    let out = run(&["check", "--fix", "--color", "never"], root);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "errors are left: {report}");
    assert!(
        report.starts_with(&format!(
            "fixed {SHAPE}: Turn `labels` into a list; Remove `2026-01-01-001-aaa` from depends_on; \
         Close the frontmatter after line 5; Add the space after `#`; Remove this `status` entry\n\
         fixed {BOM}: Remove the byte order mark (rewrites the file)\n\
         fix: 6 problems fixed in 2 files\n"
        )),
        "{report}"
    );
    // What is left: the repeated key whose values differ, and the fixes that need a choice.
    let left: Vec<&str> = report.lines().filter(|l| l.starts_with(".chant/")).collect();
    assert_eq!(left.len(), 3, "{report}");
    assert!(left[0].starts_with(&format!("{BOM}:4:1: error[duplicate-key]")), "{report}");
    assert!(left[1].starts_with(&format!("{CHOICE}:2:9: error[invalid-value]")), "{report}");
    assert!(left[2].starts_with(&format!("{CHOICE}:3:14: error[unknown-dependency]")), "{report}");
    assert!(report.ends_with("summary: 3 errors, 0 warnings in 2 files (4 specs checked)\n"), "{report}");
    assert_eq!(
        std::fs::read_to_string(root.join(SHAPE)).unwrap(),
        format!("---\nlabels: [ui]\ndepends_on: [2026-01-01-001-aaa]\nstatus: pending\n---\n\n# Wire it\n\n{CRITERIA}")
            .replace('\n', "\r\n"),
        "CRLF kept, the fence inserted with it"
    );
    let mode = std::fs::metadata(root.join(SHAPE)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "permissions kept");
    assert_eq!(
        std::fs::read_to_string(root.join(BOM)).unwrap(),
        format!("---\nstatus: pending\ntype: code\ntype: task\n---\n# C\n\n{CRITERIA}")
    );
    let leftovers: Vec<String> = std::fs::read_dir(root.join(".chant/specs"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let before = snapshot(root);
    let again = run(&["check", "--fix", "--color", "never"], root);
    let report = text(&again.stdout);
    assert!(report.starts_with("fix: nothing to fix\n"), "{report}");
    assert_eq!(snapshot(root), before, "a second run changes nothing");
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let tmp = project();
    let root = tmp.path();
    let before = snapshot(root);
    let out = run(&["check", "--diff", BOM, CHOICE], root);
    assert_eq!(out.status.code(), Some(1), "something would be fixed");
    assert_eq!(snapshot(root), before);
    assert_eq!(
        text(&out.stdout),
        format!(
            "--- a/{BOM}\n+++ b/{BOM}\n@@ -1,4 +1,4 @@\n-\u{feff}---\n+---\n status: pending\n type: code\n type: task\n"
        )
    );
    assert_eq!(text(&out.stderr), "would fix 1 problem in 1 file\n");
    // Nothing to fix under the PATH: no diff, exit 0.
    let out = run(&["check", "--diff", CHOICE], root);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), String::new()));
    // Only the selected codes are fixed.
    let out = run(&["check", "--fix", "--select", "duplicate-dependency", "--format", "json"], root);
    assert_eq!(
        text(&out.stderr),
        format!(
            "fixed {SHAPE}: Remove `2026-01-01-001-aaa` from depends_on\nfix: 1 problem fixed in 1 file\n"
        )
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"], serde_json::json!([]), "stdout stays JSON; nothing selected is left");
}

#[test]
fn a_file_changed_since_it_was_read_is_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("spec.md");
    std::fs::write(&path, "changed by someone else\n").unwrap();
    let err = write_atomic(&path, b"what the fixes were computed from\n", "fixed\n").unwrap_err();
    assert_eq!(err, "it changed since it was read");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "changed by someone else\n");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "no temporary file left");
    write_atomic(&path, b"changed by someone else\n", "fixed\n").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "fixed\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    assert_eq!(write_atomic(&path, b"fixed\n", "again\n").unwrap_err(), "it is read-only");
}

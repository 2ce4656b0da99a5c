//! `chant-lsp check` end to end: the real binary on the bundled demo project and on
//! temporary projects, with `HOME` isolated so no global config leaks in.

use std::path::Path;
use std::process::{Command, Output};

use expect_test::expect_file;

fn run(args: &[&str], cwd: &Path, home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", home)
        .env_remove("NO_COLOR")
        .output()
        .expect("run chant-lsp")
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

#[test]
fn demo_human_output() {
    let home = tempfile::tempdir().expect("home");
    // The demo sits inside this repository, whose history the test cannot pin:
    // git-based findings are tested on repositories of their own (tests/git.rs).
    let out = run(&["check", "examples/demo", "--no-git"], repo(), home.path());
    assert_eq!(out.status.code(), Some(1), "the demo has errors on purpose");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    expect_file!["snapshots/demo.txt"].assert_eq(&String::from_utf8(out.stdout).expect("utf8"));
}

#[test]
fn demo_json_output() {
    let home = tempfile::tempdir().expect("home");
    let out = run(&["check", "examples/demo", "--format", "json", "--no-git"], repo(), home.path());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf8");
    serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON");
    expect_file!["snapshots/demo.json"].assert_eq(&text);
}

#[test]
fn output_is_deterministic_and_the_root_shown_from_anywhere() {
    let home = tempfile::tempdir().expect("home");
    let a = run(&["check", "examples/demo", "--format=json"], repo(), home.path());
    let b = run(&["check", "./examples/demo/", "--format=json"], repo(), home.path());
    assert_eq!(a.stdout, b.stdout, "the same project, however it is named");
    // Without a PATH, the whole project of the current directory, wherever in it.
    let c = run(&["check", "--format=json"], &repo().join("examples/demo/src"), home.path());
    let c: serde_json::Value = serde_json::from_slice(&c.stdout).expect("json");
    let a: serde_json::Value = serde_json::from_slice(&a.stdout).expect("json");
    assert!(
        c["root"].as_str().is_some_and(|r| r.starts_with('/')),
        "outside the cwd the root is shown absolute: {c}"
    );
    assert_eq!(c["summary"], a["summary"]);
}

#[test]
fn clean_project_exits_zero_and_warnings_do_not_fail() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    write(
        root,
        &[
            (".chant/config.md", "---\ndefaults:\n  prompt: standard\n---\n"),
            (".chant/prompts/standard.md", "P\n"),
            (
                ".chant/specs/2026-01-01-001-abc.md",
                "---\nstatus: pending\n---\n# Do it\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n",
            ),
        ],
    );
    let out = run(&["check"], root, root);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok: no problems (1 spec checked)\n");
    write(root, &[(".chant/specs/2026-01-01-002-def.md", "---\nstatus: ready\n---\n# Ready on disk\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n")]);
    let out = run(&["check"], root, root);
    assert_eq!(out.status.code(), Some(0), "warnings only");
    assert!(String::from_utf8_lossy(&out.stdout)
        .ends_with("summary: 0 errors, 1 warning in 1 file (2 specs checked)\n"));
}

#[test]
fn json_positions_are_utf16_and_bytes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    write(
        root,
        &[
            (".chant/config.md", "---\ndefaults:\n  prompt: standard\n---\n"),
            (".chant/prompts/standard.md", "P\n"),
            (
                ".chant/specs/2026-01-01-001-abc.md",
                "---\ncontext: [\"🚀/é.md\", missing.md]\n---\n# Do it\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n",
            ),
        ],
    );
    let out = run(&["check", "--format", "json"], root, root);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &v["diagnostics"];
    // Line 1 is `context: ["🚀/é.md", missing.md]`: the rocket is 2 UTF-16 units and 4 bytes.
    assert_eq!(d[0]["range"]["start"], serde_json::json!({"line": 1, "character": 10}));
    assert_eq!(d[0]["range"]["end"], serde_json::json!({"line": 1, "character": 19}));
    assert_eq!(d[0]["byte_range"], serde_json::json!({"start": 14, "end": 26}));
    assert_eq!(d[1]["range"]["start"], serde_json::json!({"line": 1, "character": 21}));
    assert_eq!(d[1]["byte_range"], serde_json::json!({"start": 28, "end": 38}));
    // Human columns are 1-based characters.
    let out = run(&["check"], root, root);
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(text.contains(".chant/specs/2026-01-01-001-abc.md:2:21: warning[missing-file]"), "{text}");
}

#[test]
fn usage_and_io_problems_exit_two() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = run(&["check", "."], tmp.path(), tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no chant project found") && err.contains(".chant"), "{err}");
    let out = run(&["check", "does/not/exist"], tmp.path(), tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    let out = run(&["check", "--format", "xml"], tmp.path(), tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format `xml`"));
    let out = run(&["frobnicate"], tmp.path(), tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["--version"], tmp.path(), tmp.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("chant-lsp {} (follows chant v0.23.2)\n", env!("CARGO_PKG_VERSION"))
    );
    for (args, says) in [
        (&["check", "--select", "model-waste,nope"][..], "--select: unknown diagnostic code `nope`"),
        (
            &["check", "--ignore=modelwaste"],
            "--ignore: unknown diagnostic code `modelwaste` (did you mean `model-waste`?)",
        ),
        (&["check", "--format", "sarif2"], "unknown format `sarif2` (use human, json, sarif or github)"),
        (&["check", "--frobnicate"], "unknown option `--frobnicate`"),
    ] {
        let out = run(args, tmp.path(), tmp.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Help, also asked of the subcommand: usage on stdout, exit 0.
    for args in [&["--help"][..], &["check", "--help"], &["check", "-h"]] {
        let out = run(args, tmp.path(), tmp.path());
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("chant-lsp check [PATH...]"), "{args:?}");
    }
}

#[test]
fn global_config_is_read_from_home() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("proj");
    let home = tmp.path().join("home");
    write(
        &root,
        &[
            (".chant/config.md", "---\nproject:\n  name: p\n---\n"),
            (".chant/prompts/standard.md", "P\n"),
            (".chant/specs/2026-01-01-001-abc.md", "---\ntarget_files: [a, b]\n---\n# Do it\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n"),
        ],
    );
    write(
        &home,
        &[(
            ".config/chant/config.md",
            "---\ndefaults:\n  prompt: standard\nlint:\n  thresholds:\n    complexity_files: 1\n---\n",
        )],
    );
    let out = run(&["check"], &root, &home);
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(text.contains("warning[too-many-files]"), "{text}");
    assert!(!text.contains("missing-prompt"), "defaults.prompt comes from the global config: {text}");
}

#[test]
fn bom_is_found_in_the_file_bytes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    write(
        root,
        &[
            (".chant/config.md", "---\ndefaults:\n  prompt: standard\n---\n"),
            (".chant/prompts/standard.md", "P\n"),
            (".chant/specs/2026-01-01-001-abc.md", "\u{feff}---\nstatus: completed\n---\n# Do it\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Test b\n"),
        ],
    );
    let out = run(&["check", "--format", "json"], root, root);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["diagnostics"][0]["code"], "bom");
    assert_eq!(v["diagnostics"][0]["byte_range"], serde_json::json!({"start": 0, "end": 6}));
    std::fs::write(root.join(".chant/specs/bad.md"), b"---\nstatus: pending\n---\n# Bad \xff bytes\n")
        .expect("write");
    let out = run(&["check", "--format", "json"], root, root);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> =
        v["diagnostics"].as_array().expect("array").iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"invalid-utf8"), "{codes:?}");
}

/// What a terminal would act on is printed as escapes, even with `--color never`: a title
/// or a dependency cannot clear the screen, and a file name holding a newline cannot forge
/// a `path:line:col:` line for a CI problem matcher.
#[test]
fn terminal_controls_are_escaped_in_human_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("proj");
    let forged = "2026-01-02-001-x\nforged.md:1:1: error[fake]: gotcha\u{1b}[2J.md";
    write(
        &root,
        &[
            (".chant/config.md", "---\nproject:\n  name: t\n---\n"),
            (
                ".chant/specs/2026-01-01-001-esc.md",
                "---\ndepends_on: [\"2026-01-09-009-a\\e[2J\\rb\"]\n---\n# Clear \u{1b}[2J the \u{202e}screen\n",
            ),
            (&format!(".chant/specs/{forged}"), "---\nstatus: nonsense\n---\n# Forged\n"),
        ],
    );
    let out = run(&["check", "--color", "never", "."], &root, tmp.path());
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(!text.contains('\u{1b}'), "an ESC was printed raw:\n{text}");
    assert!(!text.contains('\r') && !text.contains('\u{202e}'), "{text}");
    assert!(text.contains("\\u{1b}[2J"), "the ESC is shown as an escape:\n{text}");
    assert!(!text.lines().any(|l| l.starts_with("forged.md")), "a forged header line:\n{text}");
    assert!(text.contains("2026-01-02-001-x\\nforged.md:1:1"), "the file's name, escaped:\n{text}");
    // One header line per diagnostic: every header names a real file.
    let headers: Vec<&str> =
        text.lines().filter(|l| l.contains(": error") || l.contains(": warning")).collect();
    assert!(!headers.is_empty(), "{text}");
    for h in headers {
        assert!(h.starts_with(".chant/"), "{h}");
    }
}

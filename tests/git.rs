//! Git-based findings end to end: real repositories made with git2 as chant makes them
//! (tests/support/git.rs), checked by the real `chant-lsp check`.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::path::Path;
use std::process::Command;

use regex::Regex;
use serde_json::Value;
use support::git::{config, lifecycle, spec, write_in, GitRepo, A, C, D, DAY, F, T0};

/// Runs `check --format json` (plus `extra`); returns "file code: message" lines of the
/// git codes, ages replaced by `<age>`, and the exit code.
fn git_findings(root: &Path, extra: &[&str]) -> (Vec<String>, i32) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(["check", "--format", "json"])
        .args(extra)
        .arg(root)
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let git_codes =
        ["unknown-commit", "unmerged-branch", "stopped-run", "stray-branch", "drift", "git-skipped"];
    let age = Regex::new(r"(\d+ \w+ ago|just now)").unwrap();
    let mut lines: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| git_codes.contains(&d["code"].as_str().unwrap()))
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            let file = file.rsplit_once('/').map_or(file, |(_, f)| f);
            let message = age.replace_all(d["message"].as_str().unwrap(), "<age>");
            format!("{file}:{} {}: {message}", d["range"]["start"]["line"], d["code"].as_str().unwrap())
        })
        .collect();
    lines.sort();
    (lines, out.status.code().unwrap())
}

#[test]
fn lifecycle_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (root, fix) = lifecycle(dir.path());
    let (lines, _) = git_findings(&root, &[]);
    let fix = &fix[..7];
    let expected = [
        format!("{A}.md:4 drift: src/store.rs changed in 1 commit (newest: `{fix}` 'Fix lock order', <age>) since this spec completed: what it was based on has drifted (re-run the spec to bring it up to date)"),
        format!("{A}.md:5 drift: docs/api.md has uncommitted changes since this spec completed: what it was based on has drifted (re-run the spec to bring it up to date)"),
        format!("{A}.md:9 unknown-commit: `deadbee` is not a commit of this repository (no branch, remote branch or HEAD reaches it): it was rebased, squashed or never pushed here; chant's `commits:` is only a record, so the spec still counts as completed"),
        format!("{C}.md:1 stopped-run: the spec is in progress but branch `chant/{C}` has no worktree and no run holds it: the run stopped (or its worktree was removed). `chant finalize {C}` finishes it from the branch if the work is done; otherwise set it back to `pending` and run it again"),
        format!("{D}.md:1 stopped-run: the spec is in progress but no run holds it and branch `chant/{D}` does not exist: a run stopped before creating its branch, or was run as a chain in the main tree. chant will not start it again while it is in progress; `chant work {D}` after setting it back to `pending`, or `chant finalize {D}` if the work is done"),
        format!("{F}.md:1 unmerged-branch: the spec is completed but branch `chant/{F}` (1 commit ahead) is not merged into `main`: its changes are not on the main branch yet. `chant merge {F}` merges it (it checks out `main` in your working tree first); `chant archive` refuses the spec until then"),
        "config.md:0 stray-branch: branch `chant/2025-12-31-001-zzz` belongs to spec `2025-12-31-001-zzz`, which is neither an active nor an archived spec: left behind by a deleted spec or a run of another clone. `git branch -D chant/2025-12-31-001-zzz` removes it".to_string(),
    ];
    assert_eq!(lines, expected, "{lines:#?}");

    // --no-git turns every git-based finding off.
    assert_eq!(git_findings(&root, &["--no-git"]).0, Vec::<String>::new());
}

#[test]
fn a_nested_project_reads_the_repository_above_it() {
    let dir = tempfile::tempdir().unwrap();
    let repo_root = dir.path().join("mono");
    let root = repo_root.join("services/api");
    write_in(&root, ".chant/config.md", config());
    write_in(&root, ".chant/prompts/standard.md", "# Standard\n");
    write_in(&root, "src/x.rs", "x\n");
    write_in(
        &root,
        &format!(".chant/specs/{A}.md"),
        &spec("completed", "type: documentation\ntracks: [src/x.rs]\ncompleted_at: 2026-01-01T01:00:00Z\n"),
    );
    let g = GitRepo::init(&repo_root, "start");
    std::fs::write(root.join("src/x.rs"), "y\n").unwrap();
    g.commit("Change x", T0 + DAY);
    // A file of the same project-relative name outside the project is not tracked.
    write_in(&repo_root, "src/x.rs", "outside\n");
    g.commit("Outside", T0 + 2 * DAY);
    let (lines, _) = git_findings(&root, &[]);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains("src/x.rs changed in 1 commit") && lines[0].contains("'Change x'"),
        "{lines:#?}"
    );
}

/// Every odd repository degrades to fewer findings with a note, never a crash.
#[test]
fn odd_repositories_degrade() {
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str| {
        let root = dir.path().join(name);
        write_in(&root, ".chant/config.md", config());
        write_in(&root, ".chant/prompts/standard.md", "# Standard\n");
        write_in(&root, "src/x.rs", "x\n");
        write_in(
            &root,
            &format!(".chant/specs/{A}.md"),
            &spec("completed", "type: documentation\ntracks: [src/x.rs]\ncommits: [abcdef0]\ncompleted_at: 2026-01-01T01:00:00Z\n"),
        );
        root
    };

    // Not a repository, and a repository without a commit: nothing git-based at all.
    let plain = make("plain");
    assert_eq!(git_findings(&plain, &[]).0, Vec::<String>::new());
    let unborn = make("unborn");
    git2::Repository::init(&unborn).unwrap();
    assert_eq!(git_findings(&unborn, &[]).0, Vec::<String>::new());

    // Detached HEAD: history is read as usual.
    let detached = make("detached");
    let g = GitRepo::init(&detached, "start");
    let head = g.repo.head().unwrap().target().unwrap();
    g.repo.set_head_detached(head).unwrap();
    let (lines, _) = git_findings(&detached, &[]);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("unknown-commit: `abcdef0`"), "{lines:#?}");

    // A shallow clone: the history-based findings are skipped, with one note.
    let shallow = make("shallow");
    let g = GitRepo::init(&shallow, "start");
    let head = g.repo.head().unwrap().target().unwrap().to_string();
    std::fs::write(shallow.join(".git/shallow"), format!("{head}\n")).unwrap();
    let (lines, _) = git_findings(&shallow, &[]);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].starts_with("config.md:0 git-skipped: the repository is a shallow clone"), "{lines:#?}");

    // A missing main branch: said once; the rest still works.
    let other = make("other-main");
    let g = GitRepo::init(&other, "start");
    g.repo.find_branch("main", git2::BranchType::Local).unwrap().rename("trunk", false).unwrap();
    let (lines, _) = git_findings(&other, &[]);
    assert!(lines.iter().any(|l| l.contains("git-skipped: the main branch `main`")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("unknown-commit")), "{lines:#?}");

    // A corrupted object: the walk stops with a note, and unknown hashes are not claimed.
    let corrupt = make("corrupt");
    let g = GitRepo::init(&corrupt, "start");
    std::fs::write(corrupt.join("src/x.rs"), "y\n").unwrap();
    g.commit("second", T0 + DAY);
    let first = g.repo.head().unwrap().peel_to_commit().unwrap().parent_id(0).unwrap().to_string();
    let object = corrupt.join(".git/objects").join(&first[..2]).join(&first[2..]);
    let mut perms = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false, reason = "the object is rewritten by the test")]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, b"not a zlib stream").unwrap();
    let (lines, code) = git_findings(&corrupt, &[]);
    assert_eq!(code, 0, "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("git-skipped")), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.contains("unknown-commit")), "{lines:#?}");

    // A worktree of a bare repository: the project lives in the worktree.
    let bare_dir = dir.path().join("bare.git");
    let seed = make("seed");
    GitRepo::init(&seed, "start");
    let bare = git2::Repository::init_bare(&bare_dir).unwrap();
    let mut remote = bare.remote_anonymous(seed.to_str().unwrap()).unwrap();
    remote.fetch(&["refs/heads/main:refs/heads/main"], None, None).unwrap();
    let wt_path = dir.path().join("bare-wt");
    let reference = bare.find_branch("main", git2::BranchType::Local).unwrap().into_reference();
    let mut opts = git2::WorktreeAddOptions::new();
    opts.reference(Some(&reference));
    bare.worktree("wt", &wt_path, Some(&opts)).unwrap();
    let (lines, _) = git_findings(&wt_path, &[]);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("unknown-commit: `abcdef0`"), "{lines:#?}");
}

/// `path:line` references: a broken one is a warning anywhere; in a completed spec,
/// cited lines that changed since completion are reported, with a fix when the same
/// text now stands elsewhere.
#[test]
fn cited_lines_follow_the_code() {
    use chant_lsp::analysis::diagnostic::{Code, FixAction};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    write_in(&root, ".chant/config.md", config());
    write_in(&root, ".chant/prompts/standard.md", "# Standard\n");
    let lib: String = (1..=10).map(|i| format!("line {i}\n")).collect();
    write_in(&root, "src/lib.rs", &lib);
    let body = "---\nstatus: completed\ncompleted_at: 2026-01-01T01:00:00Z\n---\n# Research\n\nThe lock is taken at src/lib.rs:3-4 and released at `src/lib.rs:8`.\nLine src/lib.rs:2 is rewritten; src/lib.rs:99 and src/gone.rs:1 point nowhere.\n\n## Acceptance Criteria\n\n- [x] Done\n";
    write_in(&root, &format!(".chant/specs/{A}.md"), body);
    let g = GitRepo::init(&root, "start");
    // Two lines inserted at the top, and line 2 rewritten.
    let now = format!("new a\nnew b\n{}", lib.replace("line 2\n", "changed 2\n"));
    std::fs::write(root.join("src/lib.rs"), now).unwrap();
    g.commit("Insert two lines", T0 + DAY);

    let opts = chant_lsp::io::load::Options { check_only: true, ..Default::default() };
    let mut loaded = chant_lsp::io::load::load(&root, &opts).unwrap();
    chant_lsp::io::git::attach(&root, &mut loaded.workspace);
    let i = loaded.workspace.index_of(&format!(".chant/specs/{A}.md")).unwrap();
    let diags = loaded.workspace.diagnostics(i);
    let shown: Vec<String> = diags
        .iter()
        .filter(|d| matches!(d.code, Code::LinesChanged | Code::BrokenLineRef))
        .map(|d| {
            let fixes: Vec<String> = d
                .fixes
                .iter()
                .map(|f| match &f.action {
                    FixAction::Edits(e) => format!("{} -> {:?}", f.title, e[0].1),
                    _ => f.title.clone(),
                })
                .collect();
            format!("{} {}: {} {fixes:?}", d.code.as_str(), &body[d.range.clone()], d.message)
        })
        .collect();
    assert_eq!(
        shown,
        [
            "lines-changed src/lib.rs:3-4: lines 3-4 of `src/lib.rs` changed since this spec completed: the text it cited now stands at lines 5-6 [\"Cite src/lib.rs:5-6 -> \\\"5-6\\\"\"]",
            "lines-changed src/lib.rs:8: line 8 of `src/lib.rs` changed since this spec completed: the text it cited now stands at line 10 [\"Cite src/lib.rs:10 -> \\\"10\\\"\"]",
            "lines-changed src/lib.rs:2: line 2 of `src/lib.rs` changed since this spec completed: what this spec says about it may be out of date []",
            "broken-line-ref src/lib.rs:99: `src/lib.rs` has 12 lines: line 99 is past its end (the code moved or was deleted) []",
            "broken-line-ref src/gone.rs:1: `src/gone.rs` does not exist: the reference to its line 1 points nowhere []",
        ],
        "{shown:#?}"
    );
}

/// A history of 100,001 commits (one per second, chant subjects among them): `check`
/// finishes, keeps the newest 50,000 commits and diffs the newest 20,000, and says both
/// cuts once; a hash it could not look up is not called unknown.
#[test]
fn a_history_of_100k_commits_is_cut_with_notes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("big");
    write_in(&root, ".chant/config.md", config());
    write_in(&root, ".chant/prompts/standard.md", "# Standard\n");
    write_in(&root, "src/x.rs", "x\n");
    write_in(
        &root,
        &format!(".chant/specs/{A}.md"),
        &spec("completed", "type: documentation\ntracks: [src/x.rs]\ncommits: [abcdef0]\ncompleted_at: 2026-01-01T00:00:30Z\n"),
    );
    let g = GitRepo::init(&root, "start");
    let tree = g.repo.head().unwrap().peel_to_tree().unwrap();
    let mut parent = g.repo.head().unwrap().peel_to_commit().unwrap().id();
    let started = std::time::Instant::now();
    {
        // Commits go to memory (libgit2's mempack) and then into one pack file: 100k loose
        // objects would take minutes to write and to delete.
        let odb = g.repo.odb().unwrap();
        let mempack = odb.add_new_mempack_backend(1000).unwrap();
        for i in 1..=100_000i64 {
            let at = git2::Signature::new("Ada Tester", "ada@example.invalid", &git2::Time::new(T0 + i, 0))
                .unwrap();
            let subject = if i % 1000 == 0 { format!("chant({A}): step {i}") } else { format!("commit {i}") };
            let p = g.repo.find_commit(parent).unwrap();
            parent = g.repo.commit(None, &at, &at, &subject, &tree, &[&p]).unwrap();
        }
        let mut buf = git2::Buf::new();
        mempack.dump(&g.repo, &mut buf).unwrap();
        let mut w = odb.packwriter().unwrap();
        std::io::Write::write_all(&mut w, &buf).unwrap();
        w.commit().unwrap();
        mempack.reset().unwrap();
    }
    g.repo.reference("refs/heads/main", parent, true, "100k commits").unwrap();
    let made = started.elapsed();

    // Bounded: a stall fails the test instead of hanging it.
    let started = std::time::Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let r = root.clone();
    std::thread::spawn(move || {
        let _ = tx.send(git_findings(&r, &[]));
    });
    let (lines, code) = rx
        .recv_timeout(std::time::Duration::from_secs(300))
        .expect("check did not finish within 300 s on a 100k-commit history");
    let took = started.elapsed();
    assert_eq!(code, 0, "made in {made:?}, checked in {took:?}: {lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains("git-skipped: the history has more than 50000 commits")),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.contains("drift is checked over the newest 20000 commits")), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.contains("unknown-commit")), "{lines:#?}");
    assert_eq!(lines.iter().filter(|l| l.contains("git-skipped")).count(), 2, "{lines:#?}");
}

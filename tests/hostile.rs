//! Hostile files in a project (issue 12): what chant-lsp does not read, and says so.
//! The rules through injected file facts (a FIFO, a link leading outside, permission
//! denied, files past their caps), then the real binary on real files with a bounded
//! wait: FIFOs, symlink loops, endless devices, links out of the project (with a marker
//! that must never be printed), unreadable folders (as another user, where possible).

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chant_lsp::analysis::facts::caps;
use expect_test::expect;
use support::{base, check_codes};

const HOSTILE_CODES: &[&str] = &[
    "not-a-file",
    "path-outside-project",
    "unreadable",
    "too-large",
    "walk-limit",
    "no-glob-match",
    "missing-file",
];

fn spec(id: &str, frontmatter: &str) -> String {
    format!("//- .chant/specs/{id}.md\n---\n{frontmatter}---\n# Spec {id}\n\n## Acceptance Criteria\n\n- [x] Add a\n- [x] Test b\n")
}

#[test]
fn files_chant_lsp_does_not_read_are_reported() {
    let fixture = format!(
        "{}{}{}{}{}//- docs/a.md\n//-! docs/pipe.md fifo\n//-! docs/out.md outside\n//-! docs/linked outside\n//-! docs/locked denied\n//- schemas/ok.json\n{{}}\n//- schemas/big.json\n{}\n//- .chant/logs/2026-01-02-001-links.log\n{{}}\n//-! .chant/logs/2026-01-02-002-log.log fifo\n//-! .chant/logs/2026-01-02-003-far.log outside\n//-! .chant/specs/2026-01-03-001-pipe.md fifo\n//-! .chant/specs/2026-01-03-002-out.md outside\n//-! .chant/specs/2026-01-03-003-locked.md denied\n//- .chant/specs/2026-01-03-004-huge.md\n{}\n",
        base!(),
        spec(
            "2026-01-02-001-links",
            "status: completed\ninformed_by:\n- docs/pipe.md\n- docs/out.md\n- docs/locked/notes.md\n- docs/*.md\ncontext: [docs/linked/inner.md]\ntarget_files: [docs/locked/new.rs]\noutput_schema: schemas/big.json\n",
        ),
        spec("2026-01-02-002-log", "status: completed\noutput_schema: schemas/ok.json\n"),
        spec("2026-01-02-003-far", "status: completed\noutput_schema: schemas/ok.json\n"),
        spec("2026-01-02-004-dep", "depends_on: [2026-01-03-002-out]\ntracks: [docs/linked/**]\n"),
        " ".repeat(caps::SCHEMA + 1),
        "x".repeat(caps::SPEC + 1),
    );
    expect![[r#"
        .chant/specs/2026-01-02-001-links.md:4:3 warning not-a-file `docs/pipe.md`: `docs/pipe.md` is a FIFO, not a regular file: reading it blocks or never ends (chant-lsp does not open it); link a regular file
        .chant/specs/2026-01-02-001-links.md:5:3 error path-outside-project `docs/out.md`: `docs/out.md` leads outside the project through a symbolic link: chant-lsp does not read it, and agent worktrees may not have its target; link a file inside the project
        .chant/specs/2026-01-02-001-links.md:6:3 error unreadable `docs/locked/notes.md`: `docs/locked/notes.md` cannot be read (permission denied): chant cannot read it either, and whether it exists is not known; fix the permissions
        .chant/specs/2026-01-02-001-links.md:7:3 error path-outside-project `docs/*.md`: `docs/*.md` reaches `docs/out.md` (and 1 more), a symbolic link that leads outside the project: chant-lsp does not follow it
        .chant/specs/2026-01-02-001-links.md:8:11 error path-outside-project `docs/linked/inner.md`: `docs/linked/inner.md` leads outside the project through a symbolic link: chant-lsp does not read it, and agent worktrees may not have its target; link a file inside the project
        .chant/specs/2026-01-02-001-links.md:9:16 error unreadable `docs/locked/new.rs`: `docs/locked/new.rs` cannot be read (permission denied): chant cannot read it either, and whether it exists is not known; fix the permissions
        .chant/specs/2026-01-02-001-links.md:10:16 error too-large `schemas/big.json`: the output schema `schemas/big.json` is larger than 1 MB, chant-lsp's limit: chant-lsp did not read it, so the agent output is not checked against this schema
        .chant/specs/2026-01-02-002-log.md:3:16 error unreadable `schemas/ok.json`: the agent log `.chant/logs/2026-01-02-002-log.log` is a FIFO, not a regular file: chant-lsp did not read it, so the agent output is not checked against this schema
        .chant/specs/2026-01-02-003-far.md:3:16 error path-outside-project `schemas/ok.json`: the agent log `.chant/logs/2026-01-02-003-far.log` leads outside the project (through a symbolic link): chant-lsp did not read it, so the agent output is not checked against this schema
        .chant/specs/2026-01-02-004-dep.md:3:10 error path-outside-project `docs/linked/**`: `docs/linked/**` reaches `docs/linked`, a symbolic link that leads outside the project: chant-lsp does not follow it
        .chant/specs/2026-01-03-001-pipe.md:1:1 error unreadable ``: this spec is a FIFO, not a regular file: chant blocks or fails reading it, and chant-lsp does not open it; replace it with a file
        .chant/specs/2026-01-03-002-out.md:1:1 error path-outside-project ``: this spec is a symbolic link that leads outside the project: chant-lsp does not read it, and agent worktrees do not have its target; put the spec itself in `.chant/specs/`
        .chant/specs/2026-01-03-003-locked.md:1:1 error unreadable ``: this spec cannot be read (permission denied): chant cannot load it either and treats it as missing; fix its permissions
        .chant/specs/2026-01-03-004-huge.md:1:1 error too-large ``: this spec is larger than 4 MB, chant-lsp's limit: it was not read or checked; keep specs small (split it, move data out of it)
    "#]].assert_eq(&check_codes(&fixture, HOSTILE_CODES));
}

/// The most any `check` below may take: every one of them ends in well under a second.
const BOUND: Duration = Duration::from_secs(60);

/// Runs `chant-lsp check` (after `prefix`, e.g. `setpriv …`) in `root` with `HOME` at
/// `home`, waiting at most [`BOUND`]: a `check` that does not end fails the test.
fn check_as(prefix: &[String], root: &Path, home: &Path, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let bin = env!("CARGO_BIN_EXE_chant-lsp");
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(bin);
            c
        }
        None => Command::new(bin),
    };
    let mut child = cmd
        .arg("check")
        .args(args)
        .current_dir(root)
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("check did not end within {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output { status, stdout: std::fs::read(&out).unwrap(), stderr: std::fs::read(&err).unwrap() }
}

fn check_bin(root: &Path, home: &Path, args: &[&str]) -> Output {
    check_as(&[], root, home, args)
}

/// A temporary folder holding `proj/` (the fixture), `home/` and `outside/`.
struct Tmp {
    dir: tempfile::TempDir,
}

impl Tmp {
    fn new(fixture: &str) -> Tmp {
        let dir = tempfile::tempdir().unwrap();
        support::write_fixture(&dir.path().join("proj"), fixture);
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        Tmp { dir }
    }
    fn root(&self) -> std::path::PathBuf {
        self.dir.path().join("proj")
    }
    fn home(&self) -> std::path::PathBuf {
        self.dir.path().join("home")
    }
    fn outside(&self) -> std::path::PathBuf {
        self.dir.path().join("outside")
    }
    fn fifo(&self, rel: &str) {
        let p = self.root().join(rel);
        let _ = std::fs::remove_file(&p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        nix::unistd::mkfifo(&p, nix::sys::stat::Mode::S_IRWXU).unwrap();
    }
    fn link(&self, rel: &str, target: &Path) {
        let p = self.root().join(rel);
        let _ = std::fs::remove_file(&p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        symlink(target, p).unwrap();
    }
    /// A sparse file of `len` bytes (zeros): large on paper, nothing on disk.
    fn sized(&self, rel: &str, len: usize) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::File::create(p).unwrap().set_len(len as u64).unwrap();
    }
    fn check(&self, args: &[&str]) -> Output {
        check_bin(&self.root(), &self.home(), args)
    }
}

/// `code file` of every diagnostic in a JSON report, sorted.
fn codes(out: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let mut codes: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    codes.sort();
    codes
}

const DONE: &str = "## Acceptance Criteria\n\n- [x] Add a\n- [x] Test b\n";

fn project() -> String {
    format!(
        "{}//- .chant/specs/2026-01-02-001-read.md\n---\nstatus: completed\ninformed_by: [docs/pipe.md]\noutput_schema: schemas/pipe.json\n---\n# Read\n\n{DONE}//- .chant/specs/2026-01-02-002-log.md\n---\nstatus: completed\noutput_schema: schemas/ok.json\n---\n# Log\n\n{DONE}//- schemas/ok.json\n{{\"type\": \"object\", \"required\": [\"findings\"], \"properties\": {{\"findings\": {{\"type\": \"array\"}}}}}}\n",
        base!()
    )
}

#[test]
fn a_fifo_never_blocks_check() {
    let t = Tmp::new(&project());
    t.fifo("docs/pipe.md");
    t.fifo("schemas/pipe.json");
    t.fifo(".chant/logs/2026-01-02-002-log.log");
    t.fifo(".chant/specs/2026-01-02-003-pipe.md");
    t.fifo(".chant/archive/2026-01-01/2026-01-01-009-old.md");
    let out = t.check(&["--format", "json", "--include-archived"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        codes(&out),
        [
            "not-a-file .chant/specs/2026-01-02-001-read.md",
            "not-a-file .chant/specs/2026-01-02-001-read.md",
            "unreadable .chant/archive/2026-01-01/2026-01-01-009-old.md",
            "unreadable .chant/specs/2026-01-02-002-log.md",
            "unreadable .chant/specs/2026-01-02-003-pipe.md",
        ]
    );
    // The human report reads the files with findings again, for their lines: not a FIFO.
    let human = t.check(&["--color", "never"]);
    assert_eq!(human.status.code(), Some(1));
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(
        text.contains(".chant/specs/2026-01-02-003-pipe.md:1:1: error[unreadable]: this spec is a FIFO"),
        "{text}"
    );
    // A config that is a FIFO: check cannot run, and says why (exit 2).
    t.fifo(".chant/config.md");
    let out = t.check(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(".chant/config.md") && err.contains("a FIFO"), "{err}");
    // And a global config that is one.
    let t = Tmp::new(&project());
    std::fs::create_dir_all(t.home().join(".config/chant")).unwrap();
    nix::unistd::mkfifo(&t.home().join(".config/chant/config.md"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    assert_eq!(t.check(&[]).status.code(), Some(2));
}

#[test]
fn symlink_loops_end_and_every_walk_is_bounded() {
    let spec = |id: &str, fm: &str| format!("//- .chant/specs/{id}.md\n---\n{fm}---\n# Doc {id}\n\n{DONE}");
    let t = Tmp::new(&format!(
        "{}{}{}//- docs/x.md\n# X\n//- docs/sub/y.md\n# Y\n",
        base!(),
        spec("2026-01-02-001-loop", "status: completed\ntracks: [\"docs/**/*.md\"]\n"),
        spec("2026-01-02-002-deep", "status: completed\ntracks: [\"deep/**/*.none\"]\n"),
    ));
    // Links back to their own folder and to its parent: a naive walk never ends.
    t.link("docs/a", Path::new("."));
    t.link("docs/b", Path::new("."));
    t.link("docs/sub/up", Path::new(".."));
    // A chain of folders deeper than any walk goes, under `deep/` and under the specs.
    let chain = vec!["d"; caps::WALK_DEPTH + 3].join("/");
    std::fs::create_dir_all(t.root().join("deep").join(&chain)).unwrap();
    let nested = t.root().join(".chant/specs").join(&chain);
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("2026-01-02-009-lost.md"), "---\n---\n# Lost\n").unwrap();
    let out = t.check(&["--format", "json"]);
    let deepest = format!(".chant/specs/{}", vec!["d"; caps::WALK_DEPTH + 1].join("/"));
    assert_eq!(
        codes(&out),
        [format!("unreadable {deepest}"), "walk-limit .chant/specs/2026-01-02-002-deep.md".to_string()],
    );
}

#[test]
fn reads_stop_at_their_caps() {
    let t = Tmp::new(&project());
    t.fifo("docs/pipe.md");
    t.fifo("schemas/pipe.json");
    // Sizes past each cap, not the issue's: sparse files, so nothing is written.
    t.sized(".chant/specs/2026-01-02-003-huge.md", caps::SPEC + 1);
    t.sized(".chant/logs/2026-01-02-002-log.log", caps::LOG + 4096);
    t.sized(".chant/specs/2026-01-02-004-large.md", caps::SPEC * 3);
    let out = t.check(&["--format", "json"]);
    assert_eq!(
        codes(&out),
        [
            "not-a-file .chant/specs/2026-01-02-001-read.md",
            "not-a-file .chant/specs/2026-01-02-001-read.md",
            "too-large .chant/specs/2026-01-02-002-log.md",
            "too-large .chant/specs/2026-01-02-003-huge.md",
            "too-large .chant/specs/2026-01-02-004-large.md",
        ]
    );
    // A schema past its cap, and a config past its own: reported, not read, never a pass.
    std::fs::write(t.root().join(".chant/logs/2026-01-02-002-log.log"), "{\"findings\": []}").unwrap();
    t.sized("schemas/ok.json", caps::SCHEMA + 1);
    t.sized(".chant/config.md", caps::SPEC + 10);
    let out = t.check(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let found = codes(&out);
    assert!(found.contains(&"too-large .chant/specs/2026-01-02-002-log.md".to_string()), "{found:?}");
    assert!(found.contains(&"too-large .chant/config.md".to_string()), "{found:?}");
    assert!(
        !found.iter().any(|c| c.starts_with("config-unreadable")),
        "the config is not missing: {found:?}"
    );
    // A spec that is an endless device behind a symlink is read no further than that.
    t.link(".chant/specs/2026-01-02-005-zero.md", Path::new("/dev/zero"));
    let found = codes(&t.check(&["--format", "json"]));
    assert!(
        found.contains(&"path-outside-project .chant/specs/2026-01-02-005-zero.md".to_string()),
        "{found:?}"
    );
}

/// What must never appear in any output: it is only in files outside the project.
const MARKER: &str = "OUTSIDE-MARKER-5e1d";

#[test]
fn nothing_outside_the_project_is_read_shown_or_quoted() {
    let t = Tmp::new(&format!(
        "{}{}//- .chant/specs/2026-01-02-002-log.md\n---\nstatus: completed\noutput_schema: schemas/ok.json\n---\n# Log\n\n{DONE}//- schemas/ok.json\n{{\"type\": \"object\", \"required\": [\"findings\"], \"properties\": {{\"findings\": {{\"type\": \"array\"}}}}}}\n",
        base!(),
        "//- .chant/specs/2026-01-02-001-links.md\n---\ninformed_by:\n- docs/secret.md\n- \"docs/ext/**/*.md\"\ncontext: [docs/ext/notes.md]\n---\n# Links\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n",
    ));
    let out_dir = t.outside();
    // A file shaped like a spec, so that a reader would show its lines in a report.
    let secret = format!("---\nstatus: {MARKER}\n{MARKER}: [\n---\n# {MARKER}\n");
    std::fs::write(out_dir.join("secret.md"), &secret).unwrap();
    std::fs::write(out_dir.join("notes.md"), &secret).unwrap();
    std::fs::write(out_dir.join(format!("{MARKER}.md")), &secret).unwrap();
    std::fs::write(out_dir.join("agent.log"), format!("{{\"findings\": \"{MARKER}\"}}")).unwrap();
    std::fs::create_dir_all(out_dir.join("specs")).unwrap();
    std::fs::write(out_dir.join("specs/2026-01-09-001-far.md"), &secret).unwrap();
    t.link(".chant/specs/2026-01-02-003-stolen.md", &out_dir.join("secret.md"));
    t.link(".chant/specs/2026-01-02-004-rel.md", Path::new("../../../outside/secret.md"));
    t.link("docs/secret.md", &out_dir.join("secret.md"));
    t.link("docs/ext", &out_dir);
    t.link(".chant/logs/2026-01-02-002-log.log", &out_dir.join("agent.log"));
    t.link(".chant/archive", &out_dir.join("specs"));
    t.link(".chant/specs/elsewhere", &out_dir.join("specs"));
    for args in
        [&["--format", "json", "--include-archived"][..], &["--color", "never", "--include-archived"][..]]
    {
        let out = t.check(args);
        assert_eq!(out.status.code(), Some(1));
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(MARKER), "an outside file's content or name was printed");
    }
    assert_eq!(
        codes(&t.check(&["--format", "json"])),
        [
            "path-outside-project .chant/archive",
            "path-outside-project .chant/specs/2026-01-02-001-links.md",
            "path-outside-project .chant/specs/2026-01-02-001-links.md",
            "path-outside-project .chant/specs/2026-01-02-001-links.md",
            "path-outside-project .chant/specs/2026-01-02-002-log.md",
            "path-outside-project .chant/specs/2026-01-02-003-stolen.md",
            "path-outside-project .chant/specs/2026-01-02-004-rel.md",
            "path-outside-project .chant/specs/elsewhere",
        ]
    );
    // The config and the specs folder themselves.
    t.link(".chant/config.md", &out_dir.join("secret.md"));
    let out = t.check(&["--format", "json"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(MARKER));
    assert!(codes(&out).contains(&"path-outside-project .chant/config.md".to_string()));
    std::fs::remove_dir_all(t.root().join(".chant/specs")).unwrap();
    t.link(".chant/specs", &out_dir.join("specs"));
    let out = t.check(&["--format", "json"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(MARKER));
    assert!(codes(&out).contains(&"path-outside-project .chant/specs".to_string()));
}

/// How to run the binary as a user that permissions apply to: directly when not root,
/// through `setpriv` as `nobody` when root (root reads through `chmod 000`); `None` when
/// neither is possible.
fn unprivileged() -> Option<Vec<String>> {
    // Whoever creates a file owns it.
    let probe = tempfile::NamedTempFile::new().unwrap();
    if std::os::unix::fs::MetadataExt::uid(&probe.as_file().metadata().unwrap()) != 0 {
        return Some(Vec::new());
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].into_iter().find(|p| Path::new(p).exists())?;
    Some(["--reuid=65534", "--regid=65534", "--clear-groups", "--"].iter().fold(
        vec![setpriv.to_string()],
        |mut v, a| {
            v.push(a.to_string());
            v
        },
    ))
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
#[allow(clippy::print_stderr, reason = "says why part of the test did not run")]
fn what_cannot_be_read_is_reported_never_skipped() {
    // A name that is not UTF-8 (no privileges needed).
    let t = Tmp::new(&project());
    let bad = t
        .root()
        .join(".chant/specs")
        .join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"2026-01-02-005-\xff.md"));
    std::fs::write(&bad, "---\n---\n# Bad name\n").unwrap();
    let found = codes(&t.check(&["--format", "json"]));
    assert!(found.contains(&"unreadable .chant/specs/2026-01-02-005-\\xFF.md".to_string()), "{found:?}");

    let Some(prefix) = unprivileged() else {
        eprintln!("skipped: running as root without setpriv, permissions cannot be tested");
        return;
    };
    let t = Tmp::new(&format!(
        "{}//- .chant/specs/2026-01-02-001-locked.md\n---\ninformed_by: [docs/locked/notes.md]\n---\n# Locked\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n//- docs/locked/notes.md\n# Notes\n//- .chant/specs/sub/2026-01-02-002-hidden.md\n---\n---\n# Hidden\n",
        base!()
    ));
    chmod(t.dir.path(), 0o755);
    chmod(&t.root().join("docs/locked"), 0o000);
    chmod(&t.root().join(".chant/specs/sub"), 0o000);
    let run = |args: &[&str]| check_as(&prefix, &t.root(), &t.home(), args);
    let out = run(&["--format", "json"]);
    assert_eq!(
        codes(&out),
        ["unreadable .chant/specs/2026-01-02-001-locked.md", "unreadable .chant/specs/sub"],
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The specs folder or the config unreadable: check cannot run (exit 2), and says why.
    chmod(&t.root().join(".chant/specs"), 0o000);
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".chant/specs"));
    chmod(&t.root().join(".chant/specs"), 0o755);
    chmod(&t.root().join(".chant/config.md"), 0o000);
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains("config.md"));
    // Give the temporary folder back to its owner for removal.
    for p in ["docs/locked", ".chant/specs/sub"] {
        chmod(&t.root().join(p), 0o755);
    }
}

#[test]
fn a_path_too_long_for_the_system_is_reported() {
    use nix::fcntl::{openat, OFlag};
    use nix::sys::stat::{mkdirat, Mode};
    let t = Tmp::new(&project());
    // Folders with long names, each made below the last (relative to its descriptor): the
    // whole path ends up longer than the system lets anyone open in one go.
    let name = "n".repeat(200);
    let mut dir: std::os::fd::OwnedFd = std::fs::File::open(t.root().join(".chant/specs")).unwrap().into();
    for _ in 0..25 {
        mkdirat(&dir, name.as_str(), Mode::S_IRWXU).unwrap();
        dir = openat(&dir, name.as_str(), OFlag::O_DIRECTORY | OFlag::O_RDONLY, Mode::empty()).unwrap();
    }
    let out = t.check(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let too_long =
        v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "unreadable").expect("reported");
    assert!(too_long["file"].as_str().unwrap().starts_with(&format!(".chant/specs/{name}/")), "{too_long}");
    assert!(too_long["message"].as_str().unwrap().contains("too long"), "{too_long}");
}

/// The `git-skipped` messages of a JSON report.
fn git_notes(out: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "git-skipped")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

/// libgit2 opens what a repository holds with a blocking `open()`: a FIFO anywhere it
/// reads (the index, a config and what it includes, a ref, a loose object, an
/// alternates file, the top `.gitignore`) would hold `check` forever. Each one is found
/// before libgit2 opens the repository, and said.
#[test]
fn a_fifo_in_the_git_repository_never_blocks_check() {
    let object = |root: &Path| {
        let objects = root.join(".git/objects");
        let dir =
            std::fs::read_dir(&objects).unwrap().flatten().find(|e| e.file_name().len() == 2).unwrap().path();
        let file = std::fs::read_dir(&dir).unwrap().flatten().next().unwrap().path();
        file.strip_prefix(root).unwrap().display().to_string()
    };
    // (A FIFO as `.git/HEAD` makes libgit2 see no repository there, without opening it.)
    let cases = [
        ".git/config",
        ".git/index",
        ".git/packed-refs",
        ".git/refs/heads/main",
        ".git/info/exclude",
        ".git/objects/info/alternates",
        ".gitignore",
        "<a loose object>",
    ];
    for what in cases {
        let t = Tmp::new(&project());
        support::git::GitRepo::init(&t.root(), "init");
        let rel = match what.starts_with('<') {
            true => object(&t.root()),
            false => what.to_string(),
        };
        t.fifo(&rel);
        let out = t.check(&["--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        let notes = git_notes(&out);
        assert!(
            notes
                .iter()
                .any(|n| n.contains(&format!("`{rel}` is a FIFO")) && n.contains("could not be opened")),
            "{what}: {notes:?}"
        );
    }
    // A config's include (outside the project: never read, but checked before libgit2
    // would open it) and a `core.excludesFile`.
    let t = Tmp::new(&project());
    support::git::GitRepo::init(&t.root(), "init");
    nix::unistd::mkfifo(&t.outside().join("pipe"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    let config = t.root().join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[include]\n\tpath = ../../outside/pipe\n");
    std::fs::write(&config, &text).unwrap();
    let notes = git_notes(&t.check(&["--format", "json"]));
    assert!(
        notes.iter().any(|n| n.contains("`../../outside/pipe` (`include.path` in .git/config) is a FIFO")),
        "{notes:?}"
    );
    // Through an include inside the repository.
    std::fs::write(t.root().join(".git/more.cfg"), "[include]\n\tpath = ../../outside/pipe\n").unwrap();
    std::fs::write(&config, text.replace("../../outside/pipe", "more.cfg")).unwrap();
    let notes = git_notes(&t.check(&["--format", "json"]));
    assert!(notes.iter().any(|n| n.contains("(`include.path` in .git/more.cfg) is a FIFO")), "{notes:?}");
    std::fs::write(&config, text.replace("[include]\n\tpath", "[core]\n\texcludesFile")).unwrap();
    let notes = git_notes(&t.check(&["--format", "json"]));
    assert!(notes.iter().any(|n| n.contains("(`core.excludesfile` in .git/config) is a FIFO")), "{notes:?}");
    // Without any of these, the repository is read and nothing is said.
    let t = Tmp::new(&project());
    support::git::GitRepo::init(&t.root(), "init");
    assert_eq!(git_notes(&t.check(&["--format", "json"])), Vec::<String>::new());
}

/// Threads of this process scanning uncommitted changes.
fn status_scans() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == "git-status"))
        .count()
}

/// A `.gitignore` below the top level is read by the status scan of the whole working
/// tree, which no check ahead of it can cover: a FIFO there blocks the scan. The read
/// waits for it at most its patience, says so, starts no second scan while the first
/// has not ended, and scans again once it has.
#[test]
fn a_status_scan_that_blocks_is_waited_for_once_and_said() {
    use chant_lsp::io::git::{GitReader, GitRequest};
    use std::os::unix::fs::OpenOptionsExt;
    let t = Tmp::new(&format!("{}//- sub/a.md\na\n", project()));
    support::git::GitRepo::init(&t.root(), "init");
    t.fifo("sub/.gitignore");
    std::fs::write(t.root().join("new.md"), "new\n").unwrap();
    let req = GitRequest {
        root: t.root(),
        main_branch: "main".into(),
        branch_prefix: "chant/".into(),
        since: None,
        paths: Vec::new(),
        copies: Vec::new(),
        lines: Vec::new(),
    };
    let mut reader = GitReader::with_patience(Duration::from_millis(300));
    let said = |f: &chant_lsp::analysis::git::GitFacts| {
        f.notes.iter().any(|n| n.contains("uncommitted changes were not read") && n.contains("may be a FIFO"))
    };
    for _ in 0..3 {
        let facts = reader.read(&req);
        assert!(facts.unavailable.is_none(), "{:?}", facts.unavailable);
        assert!(said(&facts), "{:?}", facts.notes);
        assert!(facts.dirty.is_empty() && !facts.commits.is_empty());
        assert_eq!(status_scans(), 1);
    }
    // The FIFO gets a writer and then an end of file, and a plain `.gitignore` takes its
    // place: the blocked scan ends, and the next read scans afresh.
    let pipe = t.root().join("sub/.gitignore");
    let writer =
        std::fs::OpenOptions::new().write(true).custom_flags(nix::libc::O_NONBLOCK).open(&pipe).unwrap();
    std::fs::remove_file(&pipe).unwrap();
    std::fs::write(&pipe, "").unwrap();
    drop(writer);
    let started = Instant::now();
    while status_scans() > 0 {
        assert!(started.elapsed() < BOUND, "the scan did not end after its FIFO did");
        std::thread::sleep(Duration::from_millis(20));
    }
    let facts = reader.read(&req);
    assert!(!said(&facts), "{:?}", facts.notes);
    assert!(facts.dirty.contains("new.md"), "{:?}", facts.dirty);
}

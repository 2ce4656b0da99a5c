//! The server's change model without a server: `State::apply(Change) -> Effects` on a
//! real project on disk, one change after another, each answer an expect snapshot (what
//! is published, what is (re)loaded, debounced, retried, refreshed, which projects'
//! specs views changed). After each disk
//! change, what the state has published equals a fresh load of the project.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chant_lsp::analysis::facts::caps;
use chant_lsp::io::load::{self, Options};
use chant_lsp::io::run::RunFacts;
use chant_lsp::lsp::changes::{Change, Effects, Texts};
use chant_lsp::lsp::settings;
use chant_lsp::lsp::state::State;
use expect_test::{expect, Expect};
use support::Fixture;
use tower_lsp_server::ls_types::{self as lsp, Uri};

/// A spec of good quality (so that only what a test changes shows).
fn spec(fm: &str, title: &str) -> String {
    format!(
        "---\n{fm}---\n# {title}\n\nRead `.chant/config.md` and report errors with their line.\n\n\
         ## Acceptance Criteria\n\n- [ ] Errors carry the line\n- [ ] A test covers a bad file\n"
    )
}

fn project() -> String {
    [
        "//- .chant/config.md\n---\nproject:\n  name: demo\ndefaults:\n  prompt: standard\n---\n".to_string(),
        "//- .chant/prompts/standard.md\nP\n".to_string(),
        format!("//- .chant/specs/{AAA}.md\n{}", spec("status: completed\n", "Add the limiter")),
        format!(
            "//- .chant/specs/{BBB}.md\n{}",
            spec(&format!("depends_on: [{AAA}]\ninformed_by: [docs/notes.md]\n"), "Wire the limiter")
        ),
        format!("//- .chant/specs/{CCC}.md\n{}", spec(&format!("depends_on: [{BBB}]\n"), "Use the limiter")),
        "//- docs/notes.md\nnotes\n".to_string(),
    ]
    .concat()
}

const AAA: &str = "2026-01-01-001-aaa";
const BBB: &str = "2026-01-02-001-bbb";
const CCC: &str = "2026-01-03-001-ccc";

struct Harness {
    tmp: tempfile::TempDir,
    root: PathBuf,
    st: State,
}

impl Harness {
    fn new(fixture: &str) -> Harness {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("proj");
        for (path, text) in Fixture::parse(fixture).files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut st = State::new(None);
        st.folders = vec![root.clone()];
        let mut h = Harness { tmp, root, st };
        assert!(h.st.begin_load(&h.root));
        let fx = h.load();
        // A clean project: nothing to publish.
        assert_eq!(fx, "refresh views\nproject changed <project>\n");
        h
    }

    fn load(&mut self) -> String {
        let l = load::load(&self.root, &Options::default()).unwrap();
        let read = self.st.disk_read();
        self.apply(Change::Loaded {
            read,
            root: self.root.clone(),
            result: Ok(Box::new(l)),
            runs: RunFacts::default(),
            project_file: settings::project_file(&self.root).0,
        })
    }

    fn spec(&self, id: &str) -> PathBuf {
        self.root.join(format!(".chant/specs/{id}.md"))
    }

    fn uri(&self, path: &Path) -> Uri {
        Uri::from_file_path(path).unwrap()
    }

    /// Files changed on disk: what the server does, reading before applying.
    fn disk(&mut self, paths: &[PathBuf]) -> String {
        let texts = self.read(paths);
        self.apply(Change::Disk { paths: paths.to_vec(), texts })
    }

    /// Reads what a disk change of `paths` needs, as the server does (numbered first).
    fn read(&mut self, paths: &[PathBuf]) -> Texts {
        let work = self.st.disk_reads(paths);
        let read = self.st.disk_read();
        work.perform(read)
    }

    fn closed(&mut self, id: &str) -> String {
        let path = self.spec(id);
        let read = self.st.disk_read();
        let project = self.st.project_of(&path).expect("a loaded project");
        let disk = Texts::new(read, [(path.clone(), project.read(&path, caps::SPEC))]);
        self.apply(Change::Closed { path, disk })
    }

    fn apply(&mut self, change: Change) -> String {
        let fx = self.st.apply(change);
        self.render(&fx)
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    fn open(&mut self, id: &str, text: &str, version: i32) -> String {
        let path = self.spec(id);
        let uri = self.uri(&path);
        self.apply(Change::Opened { path, uri, text: text.to_string(), version, disk_bom: false, root: None })
    }

    /// Replaces the whole text of an open spec, then lets typing pause.
    fn type_text(&mut self, id: &str, text: &str, version: i32) -> (String, String) {
        let path = self.spec(id);
        let change =
            lsp::TextDocumentContentChangeEvent { range: None, range_length: None, text: text.to_string() };
        let typed = self.st.apply(Change::Edited { path: path.clone(), changes: vec![change], version });
        let generation = typed.debounce.as_ref().map(|(_, g)| *g).unwrap();
        let paused = self.apply(Change::Paused { path, generation });
        (self.render(&typed), paused)
    }

    fn rel(&self, p: &Path) -> String {
        match (p.strip_prefix(&self.root), p.strip_prefix(self.tmp.path())) {
            (Ok(r), _) if r.as_os_str().is_empty() => "<project>".to_string(),
            (Ok(r), _) => r.display().to_string(),
            (_, Ok(r)) => format!("<tmp>/{}", r.display()),
            _ => p.display().to_string(),
        }
    }

    fn render(&self, fx: &Effects) -> String {
        let mut out = String::new();
        if !fx.publish.is_empty() {
            out.push_str("publish\n");
            let files: Vec<_> = fx.publish.iter().flat_map(|o| &o.files).collect();
            let shown = if files.len() > 6 { 3 } else { files.len() };
            if shown < files.len() {
                out.push_str(&format!("  ({} files; the first {shown})\n", files.len()));
            }
            {
                for f in &files[..shown] {
                    let codes: Vec<&str> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
                    let version = f.version.map(|v| format!(" v{v}")).unwrap_or_default();
                    let codes = if codes.is_empty() { "(clear)".to_string() } else { codes.join(", ") };
                    out.push_str(&format!("  {}{version}: {codes}\n", f.rel));
                }
            }
        }
        for (what, paths) in
            [("load", &fx.load), ("unwatch", &fx.unwatch), ("later", &fx.later), ("run facts", &fx.run_facts)]
        {
            for p in paths {
                out.push_str(&format!("{what} {}\n", self.rel(p)));
            }
        }
        if let Some((p, g)) = &fx.debounce {
            out.push_str(&format!("debounce {} (generation {g})\n", self.rel(p)));
        }
        if fx.refresh_views {
            out.push_str("refresh views\n");
        }
        let mut projects: Vec<String> = fx.projects.iter().map(|p| self.rel(p)).collect();
        projects.sort();
        projects.dedup();
        for p in projects {
            out.push_str(&format!("project changed {p}\n"));
        }
        if out.is_empty() {
            out.push_str("nothing\n");
        }
        out
    }

    /// What the client shows now equals a fresh load of the project (no open documents).
    fn assert_fresh(&self) {
        let fresh = load::load(&self.root, &Options::default()).unwrap().workspace;
        let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (i, s) in fresh.project.specs.iter().enumerate() {
            let d: Vec<String> = fresh.diagnostics(i).iter().map(|d| d.code.as_str().to_string()).collect();
            if !d.is_empty() {
                want.insert(s.path.clone(), d);
            }
        }
        let r = &self.st.roots[0];
        let have: BTreeMap<String, Vec<String>> = r
            .published
            .iter()
            .filter(|(p, _)| p.starts_with(".chant/specs/") || p.starts_with(".chant/archive/"))
            .map(|(p, d)| (p.clone(), d.iter().map(|d| d.code.as_str().to_string()).collect()))
            .collect();
        assert_eq!(have, want);
    }
}

#[test]
fn open_edit_pause_and_close() {
    let mut h = Harness::new(&project());
    // Opened as it is on disk: nothing new to publish.
    let text = std::fs::read_to_string(h.spec(CCC)).unwrap();
    check(
        h.open(CCC, &text, 1),
        expect![[r#"
        nothing
    "#]],
    );
    // Typing: the edit is applied at once, the check waits for a pause.
    let broken = text.replace("depends_on: [2026-01-02-001-bbb]", "depends_on: [2026-01-02-001-bbb, nope]");
    let (typed, paused) = h.type_text(CCC, &broken, 2);
    check(
        typed,
        expect![[r#"
        debounce .chant/specs/2026-01-03-001-ccc.md (generation 1)
    "#]],
    );
    check(
        paused,
        expect![[r#"
            publish
              .chant/specs/2026-01-03-001-ccc.md v2: unknown-dependency
            project changed <project>
        "#]],
    );
    // A pause reported for an older generation does nothing.
    let stale = h.apply(Change::Paused { path: h.spec(CCC), generation: 0 });
    check(
        stale,
        expect![[r#"
        nothing
    "#]],
    );
    // Closed without saving: back to the disk.
    let closed = h.closed(CCC);
    check(
        closed,
        expect![[r#"
            publish
              .chant/specs/2026-01-03-001-ccc.md: (clear)
            project changed <project>
        "#]],
    );
    h.assert_fresh();
}

#[test]
fn saving_and_disk_changes_of_open_and_closed_specs() {
    let mut h = Harness::new(&project());
    let text = std::fs::read_to_string(h.spec(CCC)).unwrap();
    h.open(CCC, &text, 1);
    let edited = text.replace("depends_on: [", "depends_on: [nope, ");
    let (_, paused) = h.type_text(CCC, &edited, 2);
    check(
        paused,
        expect![[r#"
            publish
              .chant/specs/2026-01-03-001-ccc.md v2: unknown-dependency
            project changed <project>
        "#]],
    );
    // Saved: the disk now says what the buffer says; the buffer was checked already.
    let saved = h.write(&format!(".chant/specs/{CCC}.md"), &edited);
    check(
        h.disk(&[saved]),
        expect![[r#"
        refresh views
    "#]],
    );
    // Another program changes the open spec on disk: the buffer still wins.
    let elsewhere = h.write(&format!(".chant/specs/{CCC}.md"), &text);
    check(
        h.disk(&[elsewhere]),
        expect![[r#"
        refresh views
    "#]],
    );
    // A closed spec changes on disk: it and the specs that depend on it are re-checked.
    let bbb = h.write(
        &format!(".chant/specs/{BBB}.md"),
        &spec(&format!("depends_on: [{AAA}, gone]\n"), "Wire the limiter"),
    );
    check(
        h.disk(&[bbb]),
        expect![[r#"
            publish
              .chant/specs/2026-01-02-001-bbb.md: unknown-dependency
            refresh views
            project changed <project>
        "#]],
    );
    // A linked file disappears: the spec linking to it is re-checked.
    std::fs::remove_file(h.root.join("docs/notes.md")).unwrap();
    let bbb = h.write(
        &format!(".chant/specs/{BBB}.md"),
        &spec("informed_by: [docs/notes.md]\n", "Wire the limiter"),
    );
    check(
        h.disk(&[bbb, h.root.join("docs/notes.md")]),
        expect![[r#"
            publish
              .chant/specs/2026-01-02-001-bbb.md: missing-file
            refresh views
            project changed <project>
        "#]],
    );
    let closed = h.closed(CCC);
    check(
        closed,
        expect![[r#"
            publish
              .chant/specs/2026-01-03-001-ccc.md: (clear)
            project changed <project>
        "#]],
    );
    h.assert_fresh();
}

/// Disk reads happen outside the lock and may finish out of order: a read that started
/// earlier never replaces what a later one applied.
#[test]
fn an_older_read_never_replaces_a_newer_one() {
    let mut h = Harness::new(&project());
    let bbb = h.spec(BBB);
    h.write(&format!(".chant/specs/{BBB}.md"), &spec("depends_on: [old]\n", "Wire the limiter"));
    let older = h.read(std::slice::from_ref(&bbb));
    h.write(
        &format!(".chant/specs/{BBB}.md"),
        &spec("depends_on: [2026-01-01-001-aaa]\n", "Wire the limiter"),
    );
    let newer = h.read(std::slice::from_ref(&bbb));
    check(
        h.apply(Change::Disk { paths: vec![bbb.clone()], texts: newer }),
        expect![[r#"
        refresh views
    "#]],
    );
    check(
        h.apply(Change::Disk { paths: vec![bbb], texts: older }),
        expect![[r#"
        refresh views
    "#]],
    );
    h.assert_fresh();
}

/// A reload reads every file: changes made while it runs wait for it, and a reload asked
/// for while one runs happens again after it.
#[test]
fn changes_during_a_reload_wait_and_a_second_reload_follows() {
    let mut h = Harness::new(&project());
    assert!(h.st.begin_load(&h.root));
    let bbb = h.write(&format!(".chant/specs/{BBB}.md"), &spec("depends_on: [nope]\n", "Wire the limiter"));
    check(
        h.disk(std::slice::from_ref(&bbb)),
        expect![[r#"
        later .chant/specs/2026-01-02-001-bbb.md
    "#]],
    );
    // A second reload asked for while this one runs (the config changed again) follows it.
    assert!(!h.st.begin_load(&h.root));
    check(
        h.load(),
        expect![[r#"
            publish
              .chant/specs/2026-01-02-001-bbb.md: unknown-dependency
            load <project>
            refresh views
            project changed <project>
        "#]],
    );
    h.assert_fresh();
    let folder = h.tmp.path().join("more");
    let fx = h.apply(Change::FolderAdded { folder: folder.clone(), roots: vec![folder.join("p")] });
    check(
        fx,
        expect![[r#"
        load <tmp>/more/p
    "#]],
    );
    assert!(h.st.folders.contains(&folder));
}

/// A spec file that appears or goes re-checks the specs whose links name it, as any
/// other linked file does (found by the `project` fuzz target).
#[test]
fn a_spec_file_that_appears_or_goes_rechecks_the_specs_linking_to_it() {
    let mut h = Harness::new(&project());
    let ddd = ".chant/specs/2026-01-04-001-ddd.md";
    let ccc = h.write(
        &format!(".chant/specs/{CCC}.md"),
        &spec(&format!("depends_on: [{BBB}]\ncontext: [{ddd}]\n"), "Use the limiter"),
    );
    check(
        h.disk(&[ccc]),
        expect![[r#"
            publish
              .chant/specs/2026-01-03-001-ccc.md: missing-file
            refresh views
        "#]],
    );
    let created = h.write(ddd, &spec("", "Document the limiter"));
    check(
        h.disk(std::slice::from_ref(&created)),
        expect![[r#"
            publish
              .chant/specs/2026-01-03-001-ccc.md: (clear)
            refresh views
            project changed <project>
        "#]],
    );
    h.assert_fresh();
    std::fs::remove_file(&created).unwrap();
    check(
        h.disk(&[created]),
        expect![[r#"
            publish
              .chant/specs/2026-01-03-001-ccc.md: missing-file
            refresh views
            project changed <project>
        "#]],
    );
    h.assert_fresh();
}

#[test]
fn delete_and_rename() {
    let mut h = Harness::new(&project());
    let bbb = h.spec(BBB);
    std::fs::remove_file(&bbb).unwrap();
    check(
        h.disk(std::slice::from_ref(&bbb)),
        expect![[r#"
            publish
              .chant/specs/2026-01-03-001-ccc.md: unknown-dependency
            refresh views
            project changed <project>
        "#]],
    );
    h.assert_fresh();
    // Renamed back under another ID: the dependent still names the old one.
    let moved = h.write(".chant/specs/2026-01-02-002-bbx.md", &spec("", "Wire the limiter"));
    check(
        h.disk(&[bbb, moved]),
        expect![[r#"
            publish
              .chant/specs/2026-01-03-001-ccc.md: unknown-dependency
            refresh views
            project changed <project>
        "#]],
    );
    h.assert_fresh();
}

#[test]
fn a_checkout_of_many_files_and_a_config_change_reload() {
    let mut h = Harness::new(&project());
    let paths: Vec<PathBuf> = (0..300)
        .map(|i| {
            h.write(
                &format!(".chant/specs/2026-02-01-{i:03}-new.md"),
                &spec(&format!("depends_on: [{AAA}, x{i}]\n"), "New"),
            )
        })
        .collect();
    check(
        h.disk(&paths),
        expect![[r#"
        load <project>
        refresh views
    "#]],
    );
    let config =
        h.write(".chant/config.md", "---\nproject:\n  name: other\ndefaults:\n  prompt: gone\n---\n");
    check(
        h.disk(&[config]),
        expect![[r#"
        load <project>
        refresh views
    "#]],
    );
    // The reload publishes the new specs' findings and the config's (its prompt is gone).
    assert!(h.st.begin_load(&h.root));
    check(
        h.load(),
        expect![[r#"
            publish
              (301 files; the first 3)
              .chant/specs/2026-02-01-000-new.md: unknown-dependency
              .chant/specs/2026-02-01-001-new.md: unknown-dependency
              .chant/specs/2026-02-01-002-new.md: unknown-dependency
            refresh views
            project changed <project>
        "#]],
    );
    h.assert_fresh();
}

/// `chant-lsp.toml` changing reloads the project (the load reads it); what it ignores is
/// not published, and the editor's settings come over it.
#[test]
fn the_project_file_selects_what_is_published() {
    let mut h = Harness::new(&project());
    let bbb = h.write(
        &format!(".chant/specs/{BBB}.md"),
        &spec(&format!("depends_on: [{AAA}, gone]\nlables: [x]\n"), "Wire the limiter"),
    );
    check(
        h.disk(&[bbb]),
        expect![[r#"
            publish
              .chant/specs/2026-01-02-001-bbb.md: unknown-dependency, unknown-key
            refresh views
            project changed <project>
        "#]],
    );
    let file = h.write("chant-lsp.toml", "ignore = [\"unknown-key\"]\n");
    check(
        h.disk(&[file]),
        expect![[r#"
        load <project>
        refresh views
    "#]],
    );
    assert!(h.st.begin_load(&h.root));
    check(
        h.load(),
        expect![[r#"
            publish
              .chant/specs/2026-01-02-001-bbb.md: unknown-dependency
            refresh views
            project changed <project>
        "#]],
    );
    // The editor selects one code: its `select` comes over the file (which sets none),
    // the file's `ignore` still holds.
    let (settings, _) = settings::Settings::from_json(&serde_json::json!({
        "diagnostics": { "select": ["unknown-key", "unknown-dependency"] }
    }));
    check(
        h.apply(Change::Settings(settings)),
        expect![[r#"
            refresh views
            project changed <project>
        "#]],
    );
    let (settings, _) = settings::Settings::from_json(&serde_json::json!({
        "diagnostics": { "select": ["unknown-key"], "ignore": [] }
    }));
    check(
        h.apply(Change::Settings(settings)),
        expect![[r#"
            publish
              .chant/specs/2026-01-02-001-bbb.md: unknown-key
            refresh views
            project changed <project>
        "#]],
    );
}

#[test]
fn run_facts_folders_and_loading() {
    let mut h = Harness::new(&project());
    // A run started elsewhere takes a lock: the run facts are read again.
    let lock = h.write(&format!(".chant/.locks/{CCC}.lock"), "1");
    check(
        h.disk(&[lock]),
        expect![[r#"
        run facts <project>
        refresh views
    "#]],
    );
    let facts = RunFacts { locks: [(CCC.to_string(), 1)].into(), ..RunFacts::default() };
    let (first, second) = (h.st.disk_read(), h.st.disk_read());
    let fx = h.apply(Change::RunFacts { root: h.root.clone(), facts: facts.clone(), read: second });
    check(
        fx,
        expect![[r#"
            refresh views
            project changed <project>
        "#]],
    );
    // Facts read before those (the lock was gone by then) come too late: dropped.
    let fx = h.apply(Change::RunFacts { root: h.root.clone(), facts: RunFacts::default(), read: first });
    check(
        fx,
        expect![[r#"
        nothing
    "#]],
    );
    assert_eq!(h.st.roots[0].runs.locks.len(), 1);
    // The same facts again change nothing.
    let read = h.st.disk_read();
    let fx = h.apply(Change::RunFacts { root: h.root.clone(), facts, read });
    check(
        fx,
        expect![[r#"
        nothing
    "#]],
    );
    // Changes under a project that is still loading wait for it.
    let other = h.tmp.path().join("other");
    assert!(h.st.begin_load(&other));
    let p = other.join(".chant/specs/x.md");
    check(
        h.disk(&[p]),
        expect![[r#"
        later <tmp>/other/.chant/specs/x.md
    "#]],
    );
    // A spec opened in a project nobody loaded asks for that project.
    let third = h.tmp.path().join("third");
    let path = third.join(".chant/specs/y.md");
    let uri = Uri::from_file_path(&path).unwrap();
    let fx = h.apply(Change::Opened {
        path,
        uri,
        text: String::new(),
        version: 1,
        disk_bom: false,
        root: Some(third),
    });
    check(
        fx,
        expect![[r#"
        load <tmp>/third
    "#]],
    );
    // The folder goes: its project is forgotten and what it showed is cleared.
    let bbb = h.write(&format!(".chant/specs/{BBB}.md"), &spec("depends_on: [nope]\n", "Wire the limiter"));
    h.disk(&[bbb]);
    let fx = h.apply(Change::FoldersRemoved(vec![h.root.clone()]));
    check(
        fx,
        expect![[r#"
            publish
              .chant/specs/2026-01-02-001-bbb.md: (clear)
            unwatch <project>
            project changed <project>
        "#]],
    );
    assert!(h.st.roots.is_empty());
}

#[test]
fn an_open_spec_keeps_its_project_loaded_when_its_folder_goes() {
    let mut h = Harness::new(&project());
    let text = std::fs::read_to_string(h.spec(CCC)).unwrap();
    h.open(CCC, &text, 1);
    let fx = h.apply(Change::FoldersRemoved(vec![h.root.clone()]));
    check(
        fx,
        expect![[r#"
        nothing
    "#]],
    );
    assert_eq!(h.st.roots.len(), 1);
}

fn check(actual: String, expect: Expect) {
    expect.assert_eq(&actual);
}

/// The specs view is told about edits that change what it shows (a status, a dependency),
/// not about prose.
#[test]
fn only_edits_the_specs_view_shows_name_the_project() {
    let mut h = Harness::new(&project());
    let text = std::fs::read_to_string(h.spec(CCC)).unwrap();
    check(
        h.open(CCC, &text, 1),
        expect![[r#"
            nothing
        "#]],
    );
    let prose = text.replace("report errors with their line", "report each error with its line");
    let (_, paused) = h.type_text(CCC, &prose, 2);
    check(
        paused,
        expect![[r#"
            nothing
        "#]],
    );
    let cancelled = prose.replace("depends_on:", "status: cancelled\ndepends_on:");
    let (_, paused) = h.type_text(CCC, &cancelled, 3);
    check(
        paused,
        expect![[r#"
            project changed <project>
        "#]],
    );
}

//! A fixture written into a temporary folder for tests over the protocol: the project
//! at `root`, and beside it a `home` for the server's `HOME`.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::lsp::{uri, Server, TIMEOUT};
use super::requests::is_progress;
use super::write_fixture;

pub struct Project {
    _tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub root: PathBuf,
}

impl Project {
    /// Writes `fixture` into a new project, committed into a git repository if `git`.
    pub fn new(fixture: &str, git: bool) -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let root = tmp.path().join("proj");
        std::fs::create_dir_all(&home).unwrap();
        write_fixture(&root, fixture);
        if git {
            git_init(&root);
        }
        Project { _tmp: tmp, home, root }
    }

    /// Starts the real server on the project, with `HOME` at `home`; returns it and its
    /// answer to `initialize`.
    pub fn start(&self, caps: Value, init_options: Value) -> (Server, Value) {
        Server::start(&self.root, &self.home, caps, init_options)
    }

    /// Starts the real server on the project with no settings and waits until it has
    /// loaded the project (its progress ended).
    pub fn loaded(&self, caps: Value) -> Server {
        let (mut s, _) = self.start(caps, Value::Null);
        s.wait_for(0, TIMEOUT, |m| is_progress(m, "end")).expect("loaded");
        s
    }

    /// The folder the fake chant makes its worktrees in (`FAKE_CHANT_WORKTREES`): beside
    /// the project in the test's own temporary folder, never in the shared `/tmp`.
    pub fn worktrees(&self) -> PathBuf {
        self.home.with_file_name("worktrees")
    }

    /// The path of active spec `id`.
    pub fn spec(&self, id: &str) -> PathBuf {
        self.root.join(format!(".chant/specs/{id}.md"))
    }

    pub fn spec_uri(&self, id: &str) -> String {
        uri(&self.spec(id))
    }
}

/// Commits everything under `root` into a new git repository on branch `main` (chant's
/// default `defaults.main_branch`, whatever git's own default is here).
pub fn git_init(root: &Path) {
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = git2::Repository::init_opts(root, &opts).unwrap();
    let mut index = repo.index().unwrap();
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("test", "test@example.invalid").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "initial", &tree, &[]).unwrap();
}

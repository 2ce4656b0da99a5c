//! Real git repositories for tests, made with git2 the way chant makes its history:
//! `chant: Add spec <ID>` commits, a `chant/<ID>` branch with a worktree, the
//! `chant(<ID>): …` commits of a run, the finalize commit on the main branch, merges.
//! Every commit has a time given by the test, so messages with ages are stable.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Repository, Signature, Time};

/// 2026-01-01T00:00:00Z: the start of every test history.
pub const T0: i64 = 1_767_225_600;
pub const DAY: i64 = 86_400;

pub struct GitRepo {
    pub repo: Repository,
    pub root: PathBuf,
}

fn sig(at: i64) -> Signature<'static> {
    Signature::new("Ada Tester", "ada@example.invalid", &Time::new(at, 0)).unwrap()
}

/// Stages everything in `repo`'s working tree and commits it on HEAD at `at`.
pub fn commit_all(repo: &Repository, subject: &str, at: i64) -> String {
    let mut index = repo.index().unwrap();
    index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let parents: Vec<git2::Commit> =
        repo.head().ok().and_then(|h| h.peel_to_commit().ok()).into_iter().collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig(at), &sig(at), subject, &tree, &parents).unwrap().to_string()
}

impl GitRepo {
    /// A repository on branch `main` at `root` (the files already written), with
    /// everything committed at [`T0`] as `subject`.
    pub fn init(root: &Path, subject: &str) -> GitRepo {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = Repository::init_opts(root, &opts).unwrap();
        commit_all(&repo, subject, T0);
        GitRepo { repo, root: root.to_path_buf() }
    }

    pub fn write(&self, path: &str, text: &str) {
        write_in(&self.root, path, text);
    }

    pub fn commit(&self, subject: &str, at: i64) -> String {
        commit_all(&self.repo, subject, at)
    }

    /// Creates branch `name` at HEAD.
    pub fn branch(&self, name: &str) {
        let head = self.repo.head().unwrap().peel_to_commit().unwrap();
        self.repo.branch(name, &head, false).unwrap();
    }

    /// Adds a worktree at `path` on existing branch `branch`; returns it opened.
    pub fn worktree(&self, name: &str, path: &Path, branch: &str) -> Repository {
        let reference = self.repo.find_branch(branch, git2::BranchType::Local).unwrap().into_reference();
        let mut opts = git2::WorktreeAddOptions::new();
        opts.reference(Some(&reference));
        let wt = self.repo.worktree(name, path, Some(&opts)).unwrap();
        Repository::open_from_worktree(&wt).unwrap()
    }

    /// Merges `branch` into the checked-out branch with a merge commit
    /// (`Merge <branch>`, as `chant merge` writes when it cannot fast-forward).
    /// Conflicting hunks keep the checked-out side (chant's merge driver keeps the
    /// main tree's spec status).
    pub fn merge(&self, branch: &str, at: i64) -> String {
        let ours = self.repo.head().unwrap().peel_to_commit().unwrap();
        let theirs =
            self.repo.find_branch(branch, git2::BranchType::Local).unwrap().get().peel_to_commit().unwrap();
        let mut opts = git2::MergeOptions::new();
        opts.file_favor(git2::FileFavor::Ours);
        let mut index = self.repo.merge_commits(&ours, &theirs, Some(&opts)).unwrap();
        assert!(!index.has_conflicts(), "test merges have no conflicts");
        let tree = self.repo.find_tree(index.write_tree_to(&self.repo).unwrap()).unwrap();
        let id = self
            .repo
            .commit(Some("HEAD"), &sig(at), &sig(at), &format!("Merge {branch}"), &tree, &[&ours, &theirs])
            .unwrap();
        self.repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force())).unwrap();
        id.to_string()
    }

    /// The abbreviation chant writes into `commits:`.
    pub fn short(id: &str) -> &str {
        &id[..7]
    }
}

pub fn write_in(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

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

pub const A: &str = "2026-01-02-001-aaa";
pub const C: &str = "2026-01-02-003-ccc";
pub const D: &str = "2026-01-02-004-ddd";
pub const E: &str = "2026-01-02-005-eee";
pub const F: &str = "2026-01-02-006-fff";

pub fn spec(status: &str, extra: &str) -> String {
    format!("---\nstatus: {status}\n{extra}---\n# A spec\n\n## Acceptance Criteria\n\n- [x] Done\n")
}

pub fn config() -> &'static str {
    "---\ndefaults:\n  prompt: standard\n---\n"
}

/// A project whose specs went through chant's lifecycle in git:
/// - A ran in a worktree (two `chant(A):` commits), was finalized and merged; then
///   someone changed a file it tracks, and another is changed but not committed;
/// - C is in progress with a branch but no worktree, D with neither, E with both;
/// - F is completed with its branch not merged; a branch of a spec that does not exist.
pub fn lifecycle(dir: &Path) -> (std::path::PathBuf, String) {
    let root = dir.join("proj");
    write_in(&root, ".chant/config.md", config());
    write_in(&root, ".chant/prompts/standard.md", "# Standard\n");
    write_in(&root, "src/store.rs", "fn store() {}\n");
    write_in(&root, "docs/guide.md", "# Guide\n");
    write_in(&root, "docs/api.md", "# API\n");
    let a_spec = |status: &str, extra: &str| {
        spec(status, &format!("type: documentation\ntracks:\n- src/store.rs\n- docs/**/*.md\n{extra}"))
    };
    write_in(&root, &format!(".chant/specs/{A}.md"), &a_spec("pending", ""));
    for id in [C, D, E, F] {
        write_in(&root, &format!(".chant/specs/{id}.md"), &spec("pending", ""));
    }
    let g = GitRepo::init(&root, &format!("chant: Add spec {A}"));

    // chant work A: branch, worktree, the status commit and the agent's commit.
    g.branch(&format!("chant/{A}"));
    let wt_path = dir.join(format!("chant-proj-{A}"));
    let wt = g.worktree("a", &wt_path, &format!("chant/{A}"));
    write_in(&wt_path, &format!(".chant/specs/{A}.md"), &a_spec("in_progress", ""));
    let c1 = commit_all(&wt, &format!("chant({A}): update spec status to in_progress"), T0 + 3600);
    write_in(&wt_path, "src/store.rs", "fn store() { /* rewritten */ }\n");
    let c2 = commit_all(&wt, &format!("chant({A}): Rewrite the store"), T0 + 7200);
    // Finalize on main, then merge (not a fast-forward: main moved).
    let done = "2026-01-01T03:00:00Z";
    let extra = format!("commits:\n- {}\n- {}\n- deadbee\ncompleted_at: {done}\n", &c1[..7], &c2[..7]);
    write_in(&root, &format!(".chant/specs/{A}.md"), &a_spec("completed", &extra));
    g.commit(&format!("chant: Record agent transcript for {A}"), T0 + 3 * 3600);
    g.merge(&format!("chant/{A}"), T0 + 4 * 3600);
    // Later: an own follow-up, then somebody else's change, then an uncommitted one.
    std::fs::write(root.join("docs/guide.md"), "# Guide\n\nMore.\n").unwrap();
    g.commit(&format!("chant({A}): follow-up"), T0 + DAY);
    std::fs::write(root.join("src/store.rs"), "fn store() { /* fixed */ }\n").unwrap();
    let fix = g.commit("Fix lock order", T0 + 2 * DAY);
    std::fs::write(root.join("docs/api.md"), "# API\n\nChanged.\n").unwrap();

    // C: branch, no worktree. D: nothing. E: branch and worktree. All in progress.
    for id in [C, E] {
        g.branch(&format!("chant/{id}"));
    }
    g.worktree("e", &dir.join(format!("chant-proj-{E}")), &format!("chant/{E}"));
    // F: completed, its branch one commit ahead and never merged.
    g.branch(&format!("chant/{F}"));
    let f_wt = dir.join(format!("chant-proj-{F}"));
    let f_repo = g.worktree("f", &f_wt, &format!("chant/{F}"));
    write_in(&f_wt, "src/f.rs", "fn f() {}\n");
    commit_all(&f_repo, &format!("chant({F}): Add f"), T0 + DAY);
    std::fs::remove_dir_all(&f_wt).unwrap();
    // A branch of a spec nobody has.
    g.branch("chant/2025-12-31-001-zzz");
    // The statuses as chant leaves them in the main tree (not committed, as chant does).
    for (id, status) in [(C, "in_progress"), (D, "in_progress"), (E, "in_progress"), (F, "completed")] {
        std::fs::write(root.join(format!(".chant/specs/{id}.md")), spec(status, "")).unwrap();
    }
    (root, fix)
}

//! `io::git`'s reader against libgit2's own answers, on a generated history made as chant
//! makes it (the benchmark's generator, small: merges, fast-forwards, kept, unmerged and
//! open `chant/<ID>` branches, two worktrees): the commits in libgit2's time order, each
//! branch merged or not and ahead/behind as `graph_ahead_behind` counts, the paths each
//! commit changed as `diff_tree_to_tree` finds them, the spec copies of the specs in
//! progress. Checked on a cold read, then on a warm reader after one more commit.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
#![allow(dead_code, reason = "the generator's manifest has fields for the benchmark")]

#[path = "../benches/support/git_repo.rs"]
mod git_repo;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use git2::{BranchType, Oid, Repository, Signature, Sort, Time};

use chant_lsp::analysis::git::{text_hash, GitFacts};
use chant_lsp::io::git::{self, GitReader, GitRequest};
use chant_lsp::io::load::{self, Options};

/// The reader's slack for committer times that are not in order.
const SLACK: i64 = 86_400;

fn revwalk(repo: &Repository, push: impl FnOnce(&mut git2::Revwalk)) -> Vec<Oid> {
    let mut walk = repo.revwalk().unwrap();
    walk.set_sorting(Sort::TIME).unwrap();
    push(&mut walk);
    walk.map(Result::unwrap).collect()
}

/// Whether a drift input (a path or a glob) can match `path`, as the drift rule matches.
fn wanted(req: &GitRequest, path: &str) -> bool {
    let opts = chant_lsp::analysis::facts::glob_options();
    req.paths.iter().any(|p| match p.contains(['*', '?', '[']) {
        true => glob::Pattern::new(p).unwrap().matches_with(path, opts),
        false => p == path,
    })
}

fn agree(root: &Path, req: &GitRequest, facts: &GitFacts) {
    assert!(
        facts.unavailable.is_none() && facts.notes.is_empty(),
        "{:?} {:?}",
        facts.unavailable,
        facts.notes
    );
    let repo = Repository::open(root).unwrap();

    // Commits: every ref, HEAD and the worktrees' HEADs, newest first.
    let worktree_heads: Vec<Oid> = repo
        .worktrees()
        .unwrap()
        .iter()
        .flatten()
        .flatten()
        .map(|name| {
            let wt = repo.find_worktree(name).unwrap();
            Repository::open_from_worktree(&wt).unwrap().head().unwrap().target().unwrap()
        })
        .collect();
    assert_eq!(worktree_heads.len(), 2);
    let all = revwalk(&repo, |w| {
        w.push_glob("refs/heads/*").unwrap();
        w.push_glob("refs/remotes/*").unwrap();
        w.push_head().unwrap();
        for h in &worktree_heads {
            w.push(*h).unwrap();
        }
    });
    let ids: Vec<String> = facts.commits.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, all.iter().map(Oid::to_string).collect::<Vec<_>>());
    for (c, oid) in facts.commits.iter().zip(&all) {
        let commit = repo.find_commit(*oid).unwrap();
        assert_eq!(c.subject, commit.summary().unwrap().unwrap());
        assert_eq!(c.time, commit.committer().when().seconds());
        assert_eq!(c.merge, commit.parent_count() > 1);
    }

    // Branches: merged into `main` or not, ahead and behind.
    let main = repo.find_branch("main", BranchType::Local).unwrap().get().target().unwrap();
    let main_set: HashSet<Oid> = revwalk(&repo, |w| w.push(main).unwrap()).into_iter().collect();
    let mut kinds = (0, 0);
    let branches: Vec<(String, Oid)> = repo
        .branches(Some(BranchType::Local))
        .unwrap()
        .map(|b| {
            let (b, _) = b.unwrap();
            (b.name().unwrap().unwrap().to_string(), b.get().target().unwrap())
        })
        .collect();
    assert_eq!(facts.branches.len(), branches.len());
    for (name, tip) in branches {
        let fact = &facts.branches[&name];
        assert_eq!(fact.tip, tip.to_string());
        let merged = main_set.contains(&tip);
        assert_eq!(fact.merged, Some(merged), "{name}");
        let counts = if merged { (0, 0) } else { repo.graph_ahead_behind(tip, main).unwrap() };
        assert_eq!(fact.ahead_behind, Some(counts), "{name}");
        if merged {
            kinds.0 += 1
        } else {
            kinds.1 += 1
        }
        // The spec copy, for specs in progress only.
        let id = name.strip_prefix("chant/").unwrap_or_default();
        let copy = req.copies.iter().any(|c| c == id).then(|| {
            let tree = repo.find_commit(tip).unwrap().tree().unwrap();
            let entry = tree.get_path(Path::new(&format!(".chant/specs/{id}.md"))).unwrap();
            text_hash(repo.find_blob(entry.id()).unwrap().content())
        });
        assert_eq!(fact.spec_copy, copy, "{name}");
    }
    assert!(kinds.0 >= 5 && kinds.1 >= 3, "merged and unmerged branches: {kinds:?}");

    // Changes: each non-merge commit of HEAD's history since the oldest completion,
    // the paths it changed against its first parent that a drift input can match.
    let since = req.since.unwrap();
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for oid in revwalk(&repo, |w| w.push_head().unwrap()) {
        let commit = repo.find_commit(oid).unwrap();
        if commit.committer().when().seconds() < since - SLACK {
            break;
        }
        if commit.parent_count() > 1 {
            continue;
        }
        let parent = commit.parent(0).ok().map(|p| p.tree().unwrap());
        let diff = repo.diff_tree_to_tree(parent.as_ref(), Some(&commit.tree().unwrap()), None).unwrap();
        for d in diff.deltas() {
            let path = d.new_file().path().unwrap().to_str().unwrap();
            if wanted(req, path) {
                expected.entry(path.to_string()).or_default().push(oid.to_string());
            }
        }
    }
    let got: BTreeMap<String, Vec<String>> = facts
        .changes
        .iter()
        .filter(|(p, _)| wanted(req, p))
        .map(|(p, v)| (p.clone(), v.iter().map(|&i| facts.commits[i as usize].id.clone()).collect()))
        .collect();
    assert!(expected.len() > 10, "drift paths changed: {}", expected.len());
    assert_eq!(got, expected);
}

#[test]
fn the_reader_agrees_with_libgit2() {
    let dir = tempfile::tempdir().unwrap();
    let shape = git_repo::Shape { commits: 600, specs: 80, files: 60, long_lines: 40, long_touches: 10 };
    git_repo::generate(dir.path(), shape).unwrap();
    let root = dir.path().join("repo");
    let loaded = load::load(&root, &Options::default()).unwrap();
    let req = git::request(&root, &loaded.workspace);
    assert!(req.since.is_some() && !req.paths.is_empty() && !req.copies.is_empty(), "{req:?}");

    let mut reader = GitReader::new();
    let first = reader.read(&req);
    agree(&root, &req, &first);

    // One more commit on `main`, changing a file a drift input names: the warm reader
    // reads it (and only it) and still agrees.
    let repo = Repository::open(&root).unwrap();
    let file = req.paths.iter().find(|p| !p.contains('*')).expect("a plain drift path").clone();
    std::fs::write(root.join(&file), "rewritten\n").unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new(&file)).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let at = Time::new(first.commits[0].time + 60, 0);
    let sig = Signature::new("Ada Tester", "ada@example.invalid", &at).unwrap();
    let new = repo.commit(Some("HEAD"), &sig, &sig, "Rewrite a tracked file", &tree, &[&head]).unwrap();
    let facts = reader.read(&req);
    assert_eq!(facts.commits[0].id, new.to_string());
    assert_eq!(facts.changes[&file].first(), Some(&0), "the new commit changed {file}");
    agree(&root, &req, &facts);
}

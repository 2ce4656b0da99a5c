//! The scan of the working trees' uncommitted changes (libgit2's status), on its own
//! thread while the history is read. The scan reads every `.gitignore` it meets, which
//! no check ahead of it can cover: one that is a FIFO blocks it for good. A read waits
//! for it at most its patience and says so; while it has not ended no other scan starts.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use git2::{Repository, StatusOptions};

use crate::analysis::git::GitFacts;

/// Uncommitted paths kept at most.
const MAX_DIRTY: usize = 50_000;

/// A scan of uncommitted changes going on.
pub struct Scan {
    rx: std::sync::mpsc::Receiver<Scanned>,
    started: Instant,
}

/// What a scan found, with the repositories it used (kept open for the next read).
pub struct Scanned {
    pub status: Option<Repository>,
    pub dirty: HashSet<String>,
    pub tracked: usize,
    /// Changed files of each worktree, in the order given.
    pub counts: Vec<Option<usize>>,
    pub repos: Vec<Option<Repository>>,
}

/// Starts the scan of the working trees' uncommitted changes on its own thread;
/// `None` while the scan of an earlier read has not ended (it is not started twice).
pub fn start(
    pending: &mut Option<Scan>,
    status: Option<Repository>,
    worktrees: Vec<Option<Repository>>,
    prefix: String,
) -> Option<Scan> {
    if let Some(earlier) = pending.take() {
        // Ended since (its answer is stale) or died: a new scan starts.
        if let Err(std::sync::mpsc::TryRecvError::Empty) = earlier.rx.try_recv() {
            *pending = Some(earlier);
            return None;
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new().name("git-status".to_string()).spawn(move || {
        let (dirty, tracked) = status.as_ref().map(|r| dirty(r, &prefix)).unwrap_or_default();
        let counts = worktrees.iter().map(|r| r.as_ref().and_then(count_changes)).collect();
        let _ = tx.send(Scanned { status, dirty, tracked, counts, repos: worktrees });
    });
    spawned.ok().map(|_| Scan { rx, started: Instant::now() })
}

/// The scan's answer, waited for until `patience` after it started; when it is not
/// there by then (or was not started), why is said in the facts.
pub fn finish(
    pending: &mut Option<Scan>,
    patience: Duration,
    scan: Option<Scan>,
    facts: &mut GitFacts,
) -> Option<Scanned> {
    let note = |facts: &mut GitFacts| {
        facts.notes.push(format!(
            "uncommitted changes were not read: scanning the working tree did not end within {:?} (a `.gitignore` or another file git reads there may be a FIFO); no new scan starts until it ends",
            patience
        ));
    };
    let Some(scan) = scan else {
        if pending.is_some() {
            note(facts);
        }
        return None;
    };
    match scan.rx.recv_timeout(patience.saturating_sub(scan.started.elapsed())) {
        Ok(s) => Some(s),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            *pending = Some(scan);
            note(facts);
            None
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
    }
}

fn status_options() -> StatusOptions {
    let mut o = StatusOptions::new();
    o.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false).exclude_submodules(true);
    o
}

fn count_changes(repo: &Repository) -> Option<usize> {
    repo.statuses(Some(&mut status_options())).ok().map(|s| s.len())
}

/// Project-relative paths with uncommitted changes in the main working tree, and how
/// many tracked files of the whole working tree have changes.
fn dirty(repo: &Repository, prefix: &str) -> (HashSet<String>, usize) {
    let Ok(statuses) = repo.statuses(Some(&mut status_options())) else {
        return (HashSet::new(), 0);
    };
    let tracked = statuses.iter().filter(|e| e.status() != git2::Status::WT_NEW).count();
    let paths = statuses
        .iter()
        .filter_map(|e| e.path().ok().and_then(|p| p.strip_prefix(prefix)).map(str::to_string))
        .take(MAX_DIRTY)
        .collect();
    (paths, tracked)
}

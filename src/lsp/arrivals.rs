//! Facts read in the background arriving at the state: a project's run facts (locks,
//! logs, git precondition) and its git facts. Part of [`State::apply`]: synchronous, no
//! IO; a read older than the one kept is dropped.

use std::path::Path;
use std::sync::Arc;

use super::changes::Effects;
use super::state::State;
use crate::analysis::git::GitFacts;
use crate::io::run::RunFacts;

impl State {
    pub(super) fn run_facts_arrived(&mut self, root: &Path, facts: RunFacts, read: u64, fx: &mut Effects) {
        let Some(idx) = self.roots.iter().position(|r| r.path == root && r.runs_read < read) else {
            return;
        };
        let r = &mut self.roots[idx];
        r.runs_read = read;
        if r.runs == facts {
            return;
        }
        let locks_changed = r.runs.locks != facts.locks;
        r.runs = facts;
        fx.refresh_views = true;
        // Whether a spec has a live run changes its git findings.
        if let Some(git) = r.ws.git_facts().cloned().filter(|_| locks_changed) {
            let running = r.runs.locks.keys().cloned().collect();
            let changed = r.ws.set_git(Some(git), running);
            self.collect(idx, Some(&changed), fx);
        }
    }

    pub(super) fn git_arrived(&mut self, root: &Path, facts: Arc<GitFacts>, read: u64, fx: &mut Effects) {
        let Some(idx) = self.roots.iter().position(|r| r.path == root && r.git_read < read) else {
            return;
        };
        let r = &mut self.roots[idx];
        r.git_read = read;
        // Nothing new (a file event that changed nothing git knows): nothing to redo.
        // Ages in messages move only with facts that changed.
        if r.ws.git_facts().is_some_and(|old| old.same_as(&facts)) {
            return;
        }
        let running = r.runs.locks.keys().cloned().collect();
        r.ws.set_git(Some(facts), running);
        // The config file's findings may have changed too.
        self.collect(idx, None, fx);
        fx.refresh_views = true;
    }
}

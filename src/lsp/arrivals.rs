//! What comes and goes around the projects, as part of [`State::apply`] (synchronous,
//! no IO): facts read in the background arriving (a project's run facts and its git
//! facts; a read older than the one kept is dropped), and workspace folders leaving.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::changes::{Effects, OutFile, Outgoing};
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
        fx.projects.push(r.path.clone());
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
        fx.projects.push(self.roots[idx].path.clone());
        self.collect(idx, None, fx);
        fx.refresh_views = true;
    }

    /// Forgets the projects below removed workspace folders (unless another folder still
    /// holds them, or an open document lies in them) and clears what was published for
    /// them.
    pub(super) fn unload_folders(&mut self, removed: &[PathBuf], fx: &mut Effects) {
        self.folders.retain(|f| !removed.contains(f));
        let mut i = 0;
        while i < self.roots.len() {
            let path = self.roots[i].path.clone();
            let drop = removed.iter().any(|f| path.starts_with(f))
                && !self.folders.iter().any(|f| path.starts_with(f))
                && !self.docs.keys().any(|d| d.starts_with(&path));
            if !drop {
                i += 1;
                continue;
            }
            let root = self.roots.remove(i);
            let files = root
                .published
                .keys()
                .filter_map(|rel| {
                    let uri = Uri::from_file_path(root.abs(rel))?;
                    Some(OutFile { rel: rel.clone(), uri, version: None, diagnostics: Vec::new() })
                })
                .collect();
            fx.publish.push(Outgoing { root: root.path.clone(), files, open: HashMap::new() });
            fx.projects.push(root.path.clone());
            fx.unwatch.push(root.path);
        }
    }
}

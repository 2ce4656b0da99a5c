//! Code lenses on a spec's title line: what a run would do now (run, stop, or why not),
//! how the last run from the editor ended, the spec's status and readiness, its
//! dependents, and its branch, worktree and commits in git. Plain data from plain
//! inputs: the run facts come in a [`RunState`].

use super::actions::{spec_actions, RunFlags, RunState, Verb};
use super::commands::{Args, Call, Command};
use super::hover::readiness_text;
use crate::analysis::frontmatter::Status;
use crate::analysis::spec::{Place, SpecFile};
use crate::analysis::text::ellipsis;
use crate::analysis::workspace::Workspace;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lens {
    pub range: std::ops::Range<usize>,
    pub title: String,
    /// What clicking it does (`None`: it only informs).
    pub call: Option<Call>,
}

/// Every lens of the spec file `f`, with `run` the facts about its runs.
pub fn lenses(ws: &Workspace, f: &SpecFile, run: &RunState) -> Vec<Lens> {
    let Some(title) = &f.body.title else { return Vec::new() };
    let Some(i) = ws.index_of(f.path) else { return Vec::new() };
    let range = title.line.clone();
    let lens = |title: String, call: Option<Call>| Lens { range: range.clone(), title, call };
    let mut out = Vec::new();
    if let Some(l) = run_lens(ws, i, run) {
        out.push(lens(l.0, l.1));
    }
    if let (Some(last), false) = (&run.last, run.running_here) {
        let mark = if last.ok { "✓" } else { "✗" };
        out.push(lens(format!("{mark} Last run: {}", last.summary), Some(Call::on_spec(Command::ShowLog))));
    }
    let project = &ws.project;
    let s = &project.specs[i];
    let status = s.chant_status().as_str().replace('_', " ");
    let state = if s.place == Place::Archived { "archived".to_string() } else { readiness_text(project, i) };
    out.push(lens(if state == status { status } else { format!("{status} · {state}") }, None));
    let dependents = project.dependents(&s.id).len();
    out.push(lens(format!("{dependents} dependent{}", if dependents == 1 { "" } else { "s" }), None));
    if let Some(title) = ws.git_facts().and_then(|g| super::git::lens(g, project, f.id, f.text)) {
        out.push(lens(title, None));
    }
    out
}

/// ▶ Run (with the flags that get it past chant's refusals), Running… ■ Stop, who runs
/// it elsewhere, or why chant would refuse it now. A finished spec gets none.
fn run_lens(ws: &Workspace, i: usize, run: &RunState) -> Option<(String, Option<Call>)> {
    if run.running_here {
        return Some(("Running… ■ Stop".to_string(), Some(Call::on_spec(Command::Stop))));
    }
    if let Some(pid) = run.running_elsewhere {
        return Some((format!("Running elsewhere (pid {pid})"), None));
    }
    let s = &ws.project.specs[i];
    if s.place == Place::Archived {
        return None;
    }
    let actions = spec_actions(ws, i, run);
    let runs: Vec<_> = actions.iter().filter(|a| a.verb == Verb::Run).collect();
    if let Some(a) = runs.iter().find(|a| a.enabled.is_ok()) {
        let title =
            if a.flags == RunFlags::default() { "▶ Run".to_string() } else { format!("▶ {}", a.title) };
        return Some((title, Some(Call { command: Command::Run, args: Args::Spec(a.flags) })));
    }
    // A finished spec is not going to run again: no lens saying why not.
    if matches!(s.chant_status(), Status::Completed | Status::Cancelled) {
        return None;
    }
    let reason = runs.first()?.enabled.clone().err().unwrap_or_default();
    Some((format!("▶ Run (not now: {})", ellipsis(&reason, 60)), Some(Call::explain(reason))))
}

//! Which chant commands an editor may offer on a spec, and whether chant would accept
//! them now: the `chant work` gate (chant-behaviour.md §6.3), work-time lint
//! (chant-behaviour.md §5.3), the quality gate (chant-behaviour.md §7.2), approval
//! (chant-behaviour.md §6.5), and the status preconditions of verify, reset and
//! split. A refused action carries the reason, and where a flag gets past the refusal,
//! a variant with that flag is offered too.

use super::commands::Command;
use crate::analysis::diagnostic::{Code, Diagnostic, Severity};
use crate::analysis::frontmatter::{ApprovalStatus, SpecType, Status};
use crate::analysis::id;
use crate::analysis::ide::hover::blocker_text;
use crate::analysis::project::{Blocker, Project};
use crate::analysis::quality::{Grade, Light};
use crate::analysis::spec::{Place, Readable};
use crate::analysis::workspace::Workspace;

/// What `chant work` is told besides the ID.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RunFlags {
    pub skip_criteria: bool,
    pub skip_deps: bool,
    pub skip_approval: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Run,
    Verify,
    Reset,
    Split,
    ShowLog,
    Stop,
    Merge,
    ShowChanges,
}

impl Verb {
    /// The server command that performs it.
    pub fn command(self) -> Command {
        match self {
            Verb::Run => Command::Run,
            Verb::Verify => Command::Verify,
            Verb::Reset => Command::Reset,
            Verb::Split => Command::Split,
            Verb::ShowLog => Command::ShowLog,
            Verb::Stop => Command::Stop,
            Verb::Merge => Command::Merge,
            Verb::ShowChanges => Command::ShowChanges,
        }
    }

    /// The verb a server command performs (`None` for commands that are no verb).
    pub fn of(command: Command) -> Option<Verb> {
        [
            Verb::Run,
            Verb::Verify,
            Verb::Reset,
            Verb::Split,
            Verb::ShowLog,
            Verb::Stop,
            Verb::Merge,
            Verb::ShowChanges,
        ]
        .into_iter()
        .find(|v| v.command() == command)
    }

    /// The code action kind under `source.` (VS Code's Source Action… menu).
    pub fn kind(self) -> &'static str {
        match self {
            Verb::Run => "source.chant.run",
            Verb::Verify => "source.chant.verify",
            Verb::Reset => "source.chant.reset",
            Verb::Split => "source.chant.split",
            Verb::ShowLog => "source.chant.log",
            Verb::Stop => "source.chant.stop",
            Verb::Merge => "source.chant.merge",
            Verb::ShowChanges => "source.chant.changes",
        }
    }

    /// The chant subcommand (`None` for actions the server does itself).
    pub fn subcommand(self) -> Option<&'static str> {
        match self {
            Verb::Run => Some("work"),
            Verb::Verify => Some("verify"),
            Verb::Reset => Some("reset"),
            Verb::Split => Some("split"),
            Verb::Merge => Some("merge"),
            Verb::ShowLog | Verb::Stop | Verb::ShowChanges => None,
        }
    }
}

/// One action on a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecAction {
    pub verb: Verb,
    pub title: String,
    pub flags: RunFlags,
    /// `Err(reason)` when chant would refuse it now.
    pub enabled: Result<(), String>,
}

/// What the server knows about runs of this spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunState {
    /// A run started from this editor is going on.
    pub running_here: bool,
    /// How long that run has been going on, in seconds.
    pub running_for: u64,
    /// A `chant work` started elsewhere holds the spec's lock (its PID).
    pub running_elsewhere: Option<u32>,
    /// `.chant/logs/<ID>.log` exists, or this server kept output of a run.
    pub has_log: bool,
    /// Why chant cannot run agents here at all (no git repository or no commit).
    pub git_problem: Option<String>,
    /// The outcome of the last run of this spec from the editor.
    pub last: Option<LastRun>,
}

/// How a finished run from the editor ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastRun {
    pub ok: bool,
    pub summary: String,
}

/// Prompt files the commands need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompts {
    /// The prompt `chant work` would use for this spec exists.
    pub work: bool,
    pub work_name: String,
    pub verify: bool,
    pub split: bool,
}

impl Prompts {
    /// The prompts chant would use for spec `i` (chant-behaviour.md §7.3, single mode without
    /// `--prompt`): the spec's `prompt:`, then `documentation` for documentation specs
    /// when that prompt exists, then `defaults.prompt`.
    pub fn of(ws: &Workspace, i: usize) -> Prompts {
        let s = &ws.project.specs[i];
        let has = |name: &str| ws.prompts.contains(name);
        let work_name = match &s.prompt {
            Some(p) => p.clone(),
            None if s.kind == SpecType::Documentation && has("documentation") => "documentation".to_string(),
            None => ws.config().default_prompt.clone(),
        };
        Prompts { work: has(&work_name), work_name, verify: has("verify"), split: has("split") }
    }
}

/// Every action for spec `i` of a checked workspace.
pub fn spec_actions(ws: &Workspace, i: usize, run: &RunState) -> Vec<SpecAction> {
    let mut out = actions(&ws.project, i, &ws.diagnostics(i), &Prompts::of(ws, i), run);
    out.extend(merge_action(ws, i, run));
    out.extend(changes_action(ws, i));
    out
}

/// "Show changes" for a spec with commits: the diff of its `chant(<ID>):` commits and
/// those its `commits:` names.
fn changes_action(ws: &Workspace, i: usize) -> Option<SpecAction> {
    let facts = ws.git_facts()?;
    let s = &ws.project.specs[i];
    let named = s.git.as_deref().is_some_and(|g| {
        g.commits.iter().any(|(raw, _)| matches!(facts.lookup(raw), crate::analysis::git::Lookup::Found(_)))
    });
    if facts.spec_commits(&s.id).next().is_none() && !named {
        return None;
    }
    Some(SpecAction {
        verb: Verb::ShowChanges,
        title: format!("Show the changes of {}'s commits", s.id),
        flags: RunFlags::default(),
        enabled: Ok(()),
    })
}

/// `chant merge <ID>`, offered for a completed spec whose branch is not merged into the
/// main branch: chant checks out the main branch in the person's working tree first, so
/// it is refused while tracked files there have uncommitted changes.
fn merge_action(ws: &Workspace, i: usize, run: &RunState) -> Option<SpecAction> {
    let facts = ws.git_facts()?;
    let s = &ws.project.specs[i];
    if s.place == Place::Archived || s.chant_status() != Status::Completed {
        return None;
    }
    let name = s
        .git
        .as_deref()
        .and_then(|g| g.branch.clone())
        .unwrap_or_else(|| format!("{}{}", facts.branch_prefix, s.id));
    let branch = facts.branches.get(&name)?;
    if branch.merged != Some(false) {
        return None;
    }
    let main = &facts.main_branch;
    let enabled = if run.running_here || run.running_elsewhere.is_some() {
        Err(format!("a chant command on {} is going on", s.id))
    } else if facts.tracked_changes > 0 {
        Err(format!(
            "chant merge checks out `{main}` in your working tree, which has uncommitted changes in {} tracked file{}: commit or stash them first",
            facts.tracked_changes,
            if facts.tracked_changes == 1 { "" } else { "s" }
        ))
    } else if s.requires_approval() {
        Err("chant merge refuses specs that still need approval".to_string())
    } else {
        Ok(())
    };
    Some(SpecAction {
        verb: Verb::Merge,
        title: format!("Merge {name} into {main} (chant merge; checks out {main} in your working tree)"),
        flags: RunFlags::default(),
        enabled,
    })
}

/// The argv for chant (without the executable): `work <ID> --no-watch [flags]` etc.
pub fn argv(verb: Verb, id: &str, flags: RunFlags, watch: bool) -> Option<Vec<String>> {
    let mut args = vec![verb.subcommand()?.to_string(), id.to_string()];
    if verb == Verb::Merge {
        // Without a terminal chant would ask for a confirmation nobody can give: the
        // action the person chose (its title says what happens) is the confirmation.
        args.push("--yes".to_string());
    }
    if verb == Verb::Run {
        if !watch {
            args.push("--no-watch".to_string());
        }
        if flags.skip_criteria {
            args.push("--skip-criteria".to_string());
        }
        if flags.skip_deps {
            args.push("--skip-deps".to_string());
        }
        if flags.skip_approval {
            args.push("--skip-approval".to_string());
        }
    }
    Some(args)
}

/// A spec ID that is safe to hand to chant as an argument: it names an active spec and
/// cannot be read as an option or split by anything.
pub fn valid_id(project: &Project, id: &str) -> Result<(), String> {
    if id.is_empty() || id.starts_with('-') || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{id}` is not a spec ID chant accepts"));
    }
    if id::split_repo(id).is_some() {
        return Err(format!("`{id}` names a spec in another repository"));
    }
    match project.active(id) {
        Some(_) => Ok(()),
        None if project.archived(id).is_some() => {
            Err(format!("`{id}` is archived; chant does not run archived specs"))
        }
        None => Err(format!("no active spec has the ID `{id}`")),
    }
}

/// A blocker as plain text (reasons are shown as plain text, not markdown).
fn plain_blocker(b: &Blocker) -> String {
    blocker_text(b).replace('`', "")
}

fn join(list: &[String]) -> String {
    list.join(", ")
}

/// Every action for spec `i`. `lint` are the spec's current diagnostics (for the
/// work-time lint errors chant checks before running).
pub fn actions(
    project: &Project,
    i: usize,
    lint: &[Diagnostic],
    prompts: &Prompts,
    run: &RunState,
) -> Vec<SpecAction> {
    let s = &project.specs[i];
    let mut out = Vec::new();
    if s.place == Place::Archived {
        return out;
    }
    let status = s.chant_status();
    let id = s.id.clone();
    let action = |verb, title: String, flags, enabled| SpecAction { verb, title, flags, enabled };

    if run.running_here {
        out.push(action(Verb::Stop, format!("Stop chant work {id}"), RunFlags::default(), Ok(())));
    } else {
        out.extend(run_actions(project, i, lint, prompts, run));
    }
    if let Some(pid) = run.running_elsewhere {
        let why = format!(
            "started outside the editor (pid {pid}): stop it where it runs, or with `chant pause {id}`"
        );
        if !run.running_here {
            out.push(action(Verb::Stop, format!("Stop chant work {id}"), RunFlags::default(), Err(why)));
        }
    }

    let verify = if status != Status::Completed {
        Err(format!("chant verifies completed specs only (this one is {})", status.as_str()))
    } else if !s.has_ac {
        Err("chant verify needs an `## Acceptance Criteria` section".to_string())
    } else if !prompts.verify {
        Err("chant verify needs `.chant/prompts/verify.md` (`chant init prompts` installs it)".to_string())
    } else {
        Ok(())
    };
    out.push(action(Verb::Verify, format!("Verify {id} (chant verify)"), RunFlags::default(), verify));

    let reset = match status {
        Status::Failed | Status::NeedsAttention => Ok(()),
        Status::InProgress => Err("chant cannot reset an in_progress spec (it fails halfway): stop the run, let it fail, then reset".to_string()),
        other => Err(format!("only failed specs can be reset (this one is {})", other.as_str())),
    };
    out.push(action(Verb::Reset, format!("Reset {id} to pending (chant reset)"), RunFlags::default(), reset));

    let split = if s.kind == SpecType::Group {
        Err("chant does not split specs of type group".to_string())
    } else if status != Status::Pending {
        Err(format!("chant splits pending specs only (this one is {})", status.as_str()))
    } else if s.quality.split == Grade::D {
        Err("chant refuses to split without a terminal: splittability D (its parts are tightly coupled)"
            .to_string())
    } else if !prompts.split {
        Err("chant split needs `.chant/prompts/split.md` (`chant init prompts` installs it)".to_string())
    } else {
        Ok(())
    };
    out.push(action(
        Verb::Split,
        format!("Split {id} into members (chant split)"),
        RunFlags::default(),
        split,
    ));

    let log = if run.has_log { Ok(()) } else { Err(format!("no agent log yet (`.chant/logs/{id}.log`)")) };
    out.push(action(Verb::ShowLog, format!("Show the agent log of {id}"), RunFlags::default(), log));
    out
}

fn run_actions(
    project: &Project,
    i: usize,
    lint: &[Diagnostic],
    prompts: &Prompts,
    run: &RunState,
) -> Vec<SpecAction> {
    let s = &project.specs[i];
    let id = &s.id;
    let status = s.chant_status();
    let title = format!("Run {id} (chant work)");
    let mut out = Vec::new();
    let refuse = |reason: String| SpecAction {
        verb: Verb::Run,
        title: title.clone(),
        flags: RunFlags::default(),
        enabled: Err(reason),
    };

    if s.readable == Readable::No {
        return vec![refuse("chant cannot read this spec (see its diagnostics)".to_string())];
    }
    if let Some(pid) = run.running_elsewhere {
        return vec![refuse(format!("already running (pid {pid}, started outside the editor)"))];
    }
    if let Some(problem) = &run.git_problem {
        return vec![refuse(problem.clone())];
    }
    // Work-time lint errors stop every run, whatever the flags.
    let lint_errors: Vec<String> = lint
        .iter()
        .filter(|d| {
            d.severity == Severity::Error
                && matches!(
                    d.code,
                    Code::MissingTitle
                        | Code::UnknownDependency
                        | Code::ArchivedDependency
                        | Code::UnreadableDependency
                        | Code::CrossRepoDependency
                )
        })
        .map(|d| d.code.as_str().to_string())
        .collect();
    if !lint_errors.is_empty() {
        return vec![refuse(format!("chant work's lint fails: {}", join(&lint_errors)))];
    }
    // A driver runs its members, in order, in the main working tree.
    let members = project.members_of(id);
    if s.chant_kind().is_driver() || !members.is_empty() {
        let open: Vec<&str> =
            members.iter().filter(|m| m.chant_status() != Status::Completed).map(|m| m.id.as_str()).collect();
        let enabled = if members.is_empty() {
            Err("this driver has no member specs (`<ID>.<N>.md`) to run".to_string())
        } else if open.is_empty() {
            Err("all members are completed".to_string())
        } else {
            Ok(())
        };
        let title = format!(
            "Run the {} open member{} of {id} (chant work)",
            open.len(),
            if open.len() == 1 { "" } else { "s" }
        );
        return vec![SpecAction { verb: Verb::Run, title, flags: RunFlags::default(), enabled }];
    }
    if !prompts.work {
        return vec![refuse(format!(
            "prompt `{}` has no file in .chant/prompts/: chant work would fail halfway",
            prompts.work_name
        ))];
    }
    let r = project.readiness(i);
    // What `--skip-deps` cannot get past: the transition re-checks `is_blocked`.
    let hard: Vec<String> = r
        .blockers
        .iter()
        .filter(|b| !matches!(b, Blocker::Approval | Blocker::Sibling { .. } | Blocker::Member { .. }))
        .map(plain_blocker)
        .collect();
    if !hard.is_empty() {
        return vec![refuse(format!("blocked by {}", join(&hard)))];
    }
    // No flag helps here: the state machine allows no move to in_progress from these.
    match status {
        Status::Completed | Status::Cancelled => {
            return vec![refuse(format!(
                "chant work refuses {} specs (no transition to in_progress)",
                status.as_str()
            ))];
        }
        // No run holds it (those were handled above): a run was stopped or crashed.
        // `--skip-deps` skips the status check, and in_progress → in_progress is allowed.
        Status::InProgress => {
            let why = "in_progress, but no run holds its lock (a run was stopped or crashed)".to_string();
            let flags = RunFlags { skip_deps: true, ..RunFlags::default() };
            return vec![
                refuse(why),
                SpecAction {
                    verb: Verb::Run,
                    title: format!("Run {id} again with --skip-deps"),
                    flags,
                    enabled: Ok(()),
                },
            ];
        }
        Status::Ready => return vec![refuse("`status: ready` on disk can never be worked".to_string())],
        _ => {}
    }
    let mut reasons: Vec<String> = Vec::new();
    let mut flags = RunFlags::default();
    if s.requires_approval() {
        let rejected = s.approval.is_some_and(|(_, st)| st == ApprovalStatus::Rejected);
        reasons.push(if rejected {
            "the spec was rejected".to_string()
        } else {
            "needs approval".to_string()
        });
        flags.skip_approval = true;
    }
    let soft: Vec<String> = r.work_blockers.iter().map(plain_blocker).collect();
    if !soft.is_empty() {
        reasons.push(format!("blocked by {}", join(&soft)));
        flags.skip_deps = true;
    }
    if s.quality.work_light == Light::Refine {
        reasons.push(
            "quality gate: chant refuses Refine specs without --skip-criteria when no terminal is attached"
                .to_string(),
        );
        flags.skip_criteria = true;
    }
    if reasons.is_empty() {
        out.push(SpecAction { verb: Verb::Run, title, flags, enabled: Ok(()) });
        return out;
    }
    out.push(refuse(reasons.join("; ")));
    let mut names = Vec::new();
    if flags.skip_criteria {
        names.push("--skip-criteria");
    }
    if flags.skip_deps {
        names.push("--skip-deps");
    }
    if flags.skip_approval {
        names.push("--skip-approval");
    }
    let mut note = String::new();
    if flags.skip_criteria {
        note = " (then open checkboxes after the run make it fail)".to_string();
    }
    out.push(SpecAction {
        verb: Verb::Run,
        title: format!("Run {id} with {}{note}", names.join(" ")),
        flags,
        enabled: Ok(()),
    });
    out
}

//! The specs view: a project's specs in sections by what they are waiting for (ready,
//! running, blocked and by what, pending, failed, paused, needing attention, in progress
//! without a live run, completed, cancelled), the ready queue on top in the order
//! `chant work --chain` would take it (`project::queue`), and per spec the Run, Stop and
//! Show log buttons enabled exactly as the code actions are ([`spec_actions`]). Plain data
//! from plain inputs: what the server knows about runs comes as a [`RunState`] per spec.

use std::hash::{Hash, Hasher};

use super::actions::{spec_actions, RunFlags, RunState, Verb};
use super::hover::blocker_text;
use crate::analysis::frontmatter::{SpecType, Status};
use crate::analysis::id;
use crate::analysis::project::{Blocker, Readiness};
use crate::analysis::spec::{Place, Readable, Summary};
use crate::analysis::workspace::Workspace;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    Ready,
    Running,
    Blocked,
    Pending,
    Failed,
    Paused,
    NeedsAttention,
    Stopped,
    Completed,
    Cancelled,
}

impl SectionKind {
    /// In the order the view shows them.
    pub const ALL: [SectionKind; 10] = [
        SectionKind::Ready,
        SectionKind::Running,
        SectionKind::Blocked,
        SectionKind::Pending,
        SectionKind::Failed,
        SectionKind::Paused,
        SectionKind::NeedsAttention,
        SectionKind::Stopped,
        SectionKind::Completed,
        SectionKind::Cancelled,
    ];

    /// The name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            SectionKind::Ready => "ready",
            SectionKind::Running => "running",
            SectionKind::Blocked => "blocked",
            SectionKind::Pending => "pending",
            SectionKind::Failed => "failed",
            SectionKind::Paused => "paused",
            SectionKind::NeedsAttention => "needsAttention",
            SectionKind::Stopped => "stopped",
            SectionKind::Completed => "completed",
            SectionKind::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SectionKind::Ready => "Ready",
            SectionKind::Running => "Running",
            SectionKind::Blocked => "Blocked",
            SectionKind::Pending => "Pending",
            SectionKind::Failed => "Failed",
            SectionKind::Paused => "Paused",
            SectionKind::NeedsAttention => "Needs attention",
            SectionKind::Stopped => "In progress without a live run",
            SectionKind::Completed => "Completed",
            SectionKind::Cancelled => "Cancelled",
        }
    }
}

/// Whether a button is enabled, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub enabled: bool,
    pub why: Option<String>,
    /// What the button runs with (the flags of the run action it stands for).
    pub flags: RunFlags,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The spec's index in the project.
    pub index: usize,
    pub id: String,
    pub short_id: String,
    pub title: Option<String>,
    /// Project-relative path.
    pub path: String,
    pub status: Status,
    pub reason: Option<String>,
    pub run: Button,
    pub stop: Button,
    pub show_log: Button,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub kind: SectionKind,
    /// How many specs are in the section (whether or not they are listed).
    pub count: usize,
    /// Whether `items` lists them: a client can leave out the sections it shows collapsed
    /// (Completed holds most of a mature project), and their rows cost nothing then.
    pub listed: bool,
    /// The specs, when `listed`; empty otherwise.
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// Every section, in [`SectionKind::ALL`] order (empty ones included).
    pub sections: Vec<Section>,
    /// The ready queue: IDs in the order `chant work --chain` would take them.
    pub ready: Vec<String>,
    /// Why `chant work --chain` would take nothing although specs are ready.
    pub queue_note: Option<String>,
}

impl View {
    pub fn count(&self, kind: SectionKind) -> usize {
        self.sections.iter().find(|s| s.kind == kind).map_or(0, |s| s.count)
    }

    /// Specs in every section.
    pub fn total(&self) -> usize {
        self.sections.iter().map(|s| s.count).sum()
    }
}

/// The short form of an ID people type: without the date of a dated ID (chant resolves
/// a partial ID by its end).
pub fn short_id(spec_id: &str) -> &str {
    match id::dated_parts(spec_id) {
        Some(_) if spec_id.len() > 11 && spec_id.is_char_boundary(11) => &spec_id[11..],
        _ => spec_id,
    }
}

/// A hash of what the view shows of one spec and what its neighbours' rows read from it:
/// when an edit leaves it unchanged, no row of the view changed (the view's other inputs
/// are run facts, prompts and config, which change through their own paths).
pub fn fingerprint(s: &Summary) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&s.id, &s.path, s.place as u8, s.readable as u8, s.kind.as_str(), s.status, &s.title).hash(&mut h);
    for r in s.depends_on.iter().flatten().chain(s.members.iter().flatten()) {
        r.id.hash(&mut h);
    }
    (s.depends_on.is_some(), s.approval.map(|(r, st)| (r, st as u8)), &s.prompt, s.has_ac).hash(&mut h);
    (s.quality.work_light as u8, s.quality.split as u8).hash(&mut h);
    h.finish()
}

fn plain(b: &Blocker) -> String {
    blocker_text(b).replace('`', "")
}

fn list(bs: &[&Blocker]) -> String {
    bs.iter().map(|b| plain(b)).collect::<Vec<_>>().join(", ")
}

/// The view of a checked workspace, every section listed; `run` tells what the server
/// knows about the runs of a spec (by ID).
pub fn view(ws: &Workspace, run: &dyn Fn(&str) -> RunState) -> View {
    view_listing(ws, run, &|_| true)
}

/// [`view`] with the specs of only the sections `list` picks; the others carry their
/// count, and their rows (each deciding three buttons) are never built.
pub fn view_listing(
    ws: &Workspace,
    run: &dyn Fn(&str) -> RunState,
    list: &dyn Fn(SectionKind) -> bool,
) -> View {
    let project = &ws.project;
    let active: Vec<usize> = (0..project.specs.len())
        .filter(|&i| project.specs[i].place != Place::Archived)
        .filter(|&i| project.active_index(&project.specs[i].id) == Some(i))
        .collect();
    let runs: Vec<RunState> = active.iter().map(|&i| run(&project.specs[i].id)).collect();
    let readiness: Vec<Readiness> = active.iter().map(|&i| project.readiness(i)).collect();
    // What `chant list --ready` shows (`Project::listed_ready`), less what runs now (it is
    // taken already).
    let ready: Vec<usize> = active
        .iter()
        .zip(runs.iter().zip(&readiness))
        .filter(|(_, (run, r))| r.ready && !run.running_here && run.running_elsewhere.is_none())
        .map(|(&i, _)| i)
        .filter(|&i| {
            project.specs[i].readable != Readable::No && project.specs[i].chant_kind() != SpecType::Group
        })
        .collect();
    let queue = project.ready_queue(&ready);
    let mut sections: Vec<Section> = SectionKind::ALL
        .iter()
        .map(|&kind| Section { kind, count: 0, listed: list(kind), items: Vec::new() })
        .collect();
    let mut placed: Vec<(SectionKind, usize, Option<String>, RunState)> = Vec::with_capacity(active.len());
    for ((&i, runs), r) in active.iter().zip(runs).zip(&readiness) {
        let (kind, reason) = classify(ws, i, r, &runs, ready.binary_search(&i).is_ok());
        placed.push((kind, i, reason, runs));
    }
    for (kind, i, reason, runs) in placed {
        let sec = &mut sections[SectionKind::ALL.iter().position(|&k| k == kind).unwrap_or(0)];
        sec.count += 1;
        if sec.listed {
            sec.items.push(item(ws, i, reason, &runs));
        }
    }
    // The Ready section in queue order, the drivers chain leaves to `chant work <driver>`
    // after it; every other section in chant's ID order.
    let rank: std::collections::HashMap<usize, usize> =
        queue.order.iter().chain(&queue.drivers).enumerate().map(|(k, &i)| (i, k)).collect();
    for sec in &mut sections {
        if sec.kind == SectionKind::Ready {
            sec.items.sort_by_key(|it| rank.get(&it.index).copied().unwrap_or(usize::MAX));
        } else {
            sec.items.sort_by(|a, b| id::chant_compare(&a.id, &b.id).then_with(|| a.id.cmp(&b.id)));
        }
    }
    let queue_note = (!queue.driver_cycle.is_empty()).then(|| {
        format!(
            "chant work --chain refuses to start: circular dependency among drivers {}",
            queue.driver_cycle.join(", ")
        )
    });
    let ready = queue.order.iter().map(|&i| project.specs[i].id.clone()).collect();
    View { sections, ready, queue_note }
}

/// The section of active spec `i` and why it is there.
fn classify(
    ws: &Workspace,
    i: usize,
    r: &Readiness,
    run: &RunState,
    listed_ready: bool,
) -> (SectionKind, Option<String>) {
    let project = &ws.project;
    let s = &project.specs[i];
    if run.running_here {
        return (SectionKind::Running, Some("started from this editor".to_string()));
    }
    if let Some(pid) = run.running_elsewhere {
        return (SectionKind::Running, Some(format!("chant work (pid {pid}) holds its lock")));
    }
    if s.readable == Readable::No {
        return (
            SectionKind::NeedsAttention,
            Some("chant cannot read this spec (see its diagnostics)".to_string()),
        );
    }
    let status = s.chant_status();
    if listed_ready {
        let reason = if project.is_chain_driver(i) {
            let open =
                project.members_of(&s.id).iter().filter(|m| m.chant_status() != Status::Completed).count();
            Some(format!(
                "driver: chant work {} runs its {open} open member{}; --chain skips it",
                short_id(&s.id),
                if open == 1 { "" } else { "s" }
            ))
        } else if !r.work_blockers.is_empty() {
            let b: Vec<&Blocker> = r.work_blockers.iter().collect();
            Some(format!("listed as ready, but chant work refuses it: {}", list(&b)))
        } else if status == Status::Failed {
            Some("failed before; ready again".to_string())
        } else {
            None
        };
        return (SectionKind::Ready, reason);
    }
    // chant's `is_blocked`: dependencies, a driver's dependencies, approval.
    let hard: Vec<&Blocker> = r
        .blockers
        .iter()
        .filter(|b| !matches!(b, Blocker::Sibling { .. } | Blocker::Member { .. }))
        .collect();
    let waits: Vec<&Blocker> =
        r.blockers.iter().filter(|b| matches!(b, Blocker::Sibling { .. } | Blocker::Member { .. })).collect();
    match status {
        Status::Pending | Status::Blocked if !hard.is_empty() => {
            (SectionKind::Blocked, Some(format!("blocked by {}", list(&hard))))
        }
        Status::Blocked => (SectionKind::Blocked, Some("status: blocked in the file".to_string())),
        Status::Pending if !waits.is_empty() => {
            (SectionKind::Pending, Some(format!("waits for {}", list(&waits))))
        }
        Status::Pending if s.chant_kind() == SpecType::Group => {
            (SectionKind::Pending, Some("type: group (chant list --ready hides groups)".to_string()))
        }
        Status::Pending => (SectionKind::Pending, None),
        Status::Failed => {
            let all: Vec<&Blocker> = r.blockers.iter().collect();
            (SectionKind::Failed, (!all.is_empty()).then(|| format!("blocked by {}", list(&all))))
        }
        Status::Paused => (SectionKind::Paused, None),
        Status::NeedsAttention => (SectionKind::NeedsAttention, None),
        Status::Ready => {
            (SectionKind::NeedsAttention, Some("status: ready in the file can never be worked".to_string()))
        }
        Status::InProgress => {
            let member = project
                .members_of(&s.id)
                .into_iter()
                .find(|m| m.chant_status() == Status::InProgress)
                .map(|m| m.id.clone());
            match member {
                Some(m) => {
                    (SectionKind::Stopped, Some(format!("no run holds its lock; member {m} is in progress")))
                }
                None => {
                    (SectionKind::Stopped, Some("no run holds its lock (stopped or crashed)".to_string()))
                }
            }
        }
        Status::Completed => (SectionKind::Completed, None),
        Status::Cancelled => (SectionKind::Cancelled, None),
    }
}

/// The row of spec `i`, its buttons taken from the code actions.
fn item(ws: &Workspace, i: usize, reason: Option<String>, run: &RunState) -> Item {
    let s = &ws.project.specs[i];
    let actions = spec_actions(ws, i, run);
    let button = |verb: Verb| -> Button {
        let of_verb: Vec<_> = actions.iter().filter(|a| a.verb == verb).collect();
        match of_verb.iter().find(|a| a.enabled.is_ok()).or(of_verb.first()) {
            Some(a) => Button {
                enabled: a.enabled.is_ok(),
                why: a.enabled.clone().err(),
                flags: a.flags,
                title: a.title.clone(),
            },
            None => Button {
                enabled: false,
                why: Some(match verb {
                    Verb::Stop => format!("{} is not running", s.id),
                    Verb::Run if run.running_here => format!("{} is already running from this editor", s.id),
                    _ => "not offered for this spec".to_string(),
                }),
                flags: RunFlags::default(),
                title: String::new(),
            },
        }
    };
    Item {
        index: i,
        id: s.id.clone(),
        short_id: short_id(&s.id).to_string(),
        title: s.title.clone(),
        path: s.path.clone(),
        status: s.chant_status(),
        reason,
        run: button(Verb::Run),
        stop: button(Verb::Stop),
        show_log: button(Verb::ShowLog),
    }
}

//! The whole project as chant sees it: every spec's [`Summary`], indexed by ID, with
//! the rules that need more than one spec (dependencies, members, cycles) and
//! chant's readiness rules (chant-behaviour.md §6).
//!
//! chant itself only sees active specs; archived ones are indexed too so that a
//! reference into the archive can be explained instead of reported as unknown.

use std::collections::{HashMap, HashSet, VecDeque};

use super::config::Config;
use super::diagnostic::{Code, Diagnostic, Fix, Severity};
use super::frontmatter::Status;
use super::hash::FastMap;
use super::id;
use super::spec::{Place, Readable, Ref, Summary};

pub struct Project {
    pub config: Config,
    pub specs: Vec<Summary>,
    active: FastMap<String, usize>,
    archived: FastMap<String, usize>,
    /// Further files with an ID already taken (index of the file, index of the first).
    duplicates: Vec<(usize, usize)>,
    by_date: FastMap<String, Vec<usize>>,
    by_tail: FastMap<String, Vec<usize>>,
    /// Indexes of active specs sorted by ID (prefix lookups for group members).
    order: Vec<usize>,
    /// Who lists an ID in `depends_on`: target ID → spec indexes.
    rdeps: FastMap<String, Vec<usize>>,
}

/// Why a spec is not ready, in chant's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// A `depends_on` entry that is missing from the active specs.
    Missing { id: String, archived: bool },
    /// A dependency chant cannot read (it counts as missing).
    Unreadable { id: String },
    /// A dependency that exists with a status that does not satisfy chant.
    Status { id: String, status: Status },
    /// An earlier sibling of a group member that is not completed.
    Sibling { id: String, status: Option<Status> },
    /// An unmet dependency of this member's driver.
    DriverDependency { driver: String, id: String },
    /// A member of this driver (which has acceptance criteria) not yet completed.
    Member { id: String, status: Status },
    /// Approval is required and not given.
    Approval,
}

/// chant's three notions of "can this run" for one spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// `chant list --ready` (`is_ready`).
    pub ready: bool,
    /// What keeps `is_ready` false (empty when the status alone decides).
    pub blockers: Vec<Blocker>,
    /// What the `chant work` gate refuses on (chant-behaviour.md §6.3): stricter about
    /// cancelled dependencies and siblings.
    pub work_blockers: Vec<Blocker>,
    pub needs_approval: bool,
}

impl Project {
    pub fn new(config: Config, specs: Vec<Summary>) -> Project {
        let mut active = FastMap::with_capacity_and_hasher(specs.len(), Default::default());
        let mut archived = FastMap::default();
        let mut duplicates = Vec::new();
        let mut by_date: FastMap<String, Vec<usize>> = FastMap::default();
        let mut by_tail: FastMap<String, Vec<usize>> = FastMap::default();
        // Most keys are already there: look up before allocating one.
        fn push(map: &mut FastMap<String, Vec<usize>>, key: &str, i: usize) {
            match map.get_mut(key) {
                Some(v) => v.push(i),
                None => {
                    map.insert(key.to_string(), vec![i]);
                }
            }
        }
        for (i, s) in specs.iter().enumerate() {
            let map = if s.place == Place::Archived { &mut archived } else { &mut active };
            match map.get(&s.id) {
                Some(&first) => duplicates.push((i, first)),
                None => {
                    map.insert(s.id.clone(), i);
                }
            }
            if s.place != Place::Archived {
                if let Some(d) = id::dated_parts(&s.id) {
                    push(&mut by_date, d.date, i);
                }
                let base = id::driver_of(&s.id).unwrap_or(&s.id);
                if let Some(tail) = base.get(base.len().saturating_sub(3)..) {
                    push(&mut by_tail, tail, i);
                }
            }
        }
        let mut order: Vec<usize> = (0..specs.len()).filter(|&i| specs[i].place != Place::Archived).collect();
        order.sort_by(|&a, &b| specs[a].id.cmp(&specs[b].id));
        let mut rdeps: FastMap<String, Vec<usize>> = FastMap::default();
        for (i, s) in specs.iter().enumerate() {
            for r in s.depends_on.iter().flatten() {
                push(&mut rdeps, &r.id, i);
            }
        }
        Project { config, specs, active, archived, duplicates, by_date, by_tail, order, rdeps }
    }

    /// Replaces spec `i` with a new analysis of the same file (same ID and place),
    /// keeping every index current.
    pub fn replace(&mut self, i: usize, summary: Summary) {
        for r in self.specs[i].depends_on.iter().flatten() {
            if let Some(v) = self.rdeps.get_mut(&r.id) {
                v.retain(|&x| x != i);
            }
        }
        for r in summary.depends_on.iter().flatten() {
            let v = self.rdeps.entry(r.id.clone()).or_default();
            if !v.contains(&i) {
                v.push(i);
            }
        }
        self.specs[i] = summary;
    }

    /// Indexes of the specs whose `depends_on` lists `id`.
    pub fn dependents_of(&self, id: &str) -> Vec<usize> {
        self.rdeps.get(id).cloned().unwrap_or_default()
    }

    /// The index of the active spec with this ID.
    pub fn active_index(&self, id: &str) -> Option<usize> {
        self.active.get(id).copied()
    }

    /// The active spec chant resolves this exact ID to.
    pub fn active(&self, id: &str) -> Option<&Summary> {
        self.active.get(id).map(|&i| &self.specs[i])
    }

    pub fn archived(&self, id: &str) -> Option<&Summary> {
        self.archived.get(id).map(|&i| &self.specs[i])
    }

    /// An active spec chant can load.
    fn loaded(&self, id: &str) -> Option<&Summary> {
        self.active(id).filter(|s| s.readable != Readable::No)
    }

    /// Full IDs close to a reference that is not one: suffix / substring matches (how
    /// chant's CLI resolves partial IDs) and typos within edit distance 2.
    pub fn similar_ids(&self, reference: &str) -> Vec<&str> {
        let mut found: Vec<(usize, &str)> = Vec::new();
        let mut candidates: Vec<usize> = Vec::new();
        if let Some(d) = id::dated_parts(reference) {
            candidates.extend(self.by_date.get(d.date).into_iter().flatten());
        }
        let base = id::driver_of(reference).unwrap_or(reference);
        if let Some(tail) = base.get(base.len().saturating_sub(3)..) {
            candidates.extend(self.by_tail.get(tail).into_iter().flatten());
        }
        if self.active.len() <= 5000 {
            candidates.extend(self.active.values());
        }
        candidates.sort_unstable();
        candidates.dedup();
        for i in candidates {
            let s = &self.specs[i];
            if s.place == Place::Archived || s.id == reference {
                continue;
            }
            let rank = if s.id.ends_with(reference) {
                0
            } else if s.id.contains(reference) {
                1
            } else if let Some(d) = id::edit_distance(&s.id, reference, 2) {
                1 + d
            } else {
                continue;
            };
            found.push((rank, &s.id));
        }
        found.sort();
        found.into_iter().take(5).map(|(_, s)| s).collect()
    }

    /// The cross-file diagnostics of spec `i`.
    pub fn diagnostics(&self, i: usize) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let s = &self.specs[i];
        for &(dup, first) in &self.duplicates {
            if dup == i || first == i {
                let other = &self.specs[if dup == i { first } else { dup }];
                out.push(
                    Diagnostic::new(
                        Code::DuplicateSpecId,
                        s.title_range.clone(),
                        format!("another file has the same spec ID `{}`: chant loads both and which one a command acts on is undefined", s.id),
                    )
                    .related(&other.path, other.title_range.clone(), "the other file"),
                );
            }
        }
        let archived_view = s.place == Place::Archived;
        if let Some(deps) = &s.depends_on {
            for r in deps {
                self.dependency(s, r, archived_view, &mut out);
            }
        }
        if let Some(members) = &s.members {
            for r in members {
                if self.active(&r.id).is_some() || (archived_view && self.archived(&r.id).is_some()) {
                    continue;
                }
                let msg = if self.archived(&r.id).is_some() {
                    format!("member `{}` is archived: `chant lint` reports it unknown (chant does not see archived specs); remove it", r.id)
                } else {
                    let listed: Vec<&str> =
                        members.iter().map(|m| m.id.as_str()).chain([s.id.as_str()]).collect();
                    format!(
                        "unknown member `{}`: no spec has this ID and `chant lint` fails; {}",
                        r.id,
                        self.suggestion(&r.id, &listed)
                    )
                };
                let mut d = Diagnostic::new(Code::UnknownMember, r.range.clone(), msg);
                if self.archived(&r.id).is_none() {
                    let listed: Vec<&str> =
                        members.iter().map(|m| m.id.as_str()).chain([s.id.as_str()]).collect();
                    for c in self.similar_ids(&r.id).into_iter().filter(|c| !listed.contains(c)) {
                        d = d.fix(Fix::edit(format!("Change to `{c}`"), r.range.clone(), c));
                    }
                }
                out.push(d.fix(remove_entry(r, "members")));
            }
        }
        if s.place != Place::Archived {
            if let Some(driver) = id::driver_of(&s.id) {
                if self.active(driver).is_none() {
                    let where_ =
                        if self.archived(driver).is_some() { "is archived" } else { "does not exist" };
                    out.push(Diagnostic::new(
                        Code::OrphanMember,
                        s.title_range.clone(),
                        format!("this is a member of `{driver}` (by its file name), but that driver {where_}: chant warns on every command and the group rules no longer apply"),
                    ));
                }
            }
        }
        out
    }

    fn suggestion(&self, reference: &str, exclude: &[&str]) -> String {
        let mut similar = self.similar_ids(reference);
        similar.retain(|s| !exclude.contains(s));
        match similar.as_slice() {
            [] => "check the ID".to_string(),
            [one] => format!("did you mean `{one}`?"),
            many => format!(
                "did you mean one of {}?",
                many.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    fn dependency(&self, s: &Summary, r: &Ref, archived_view: bool, out: &mut Vec<Diagnostic>) {
        if r.id == s.id || id::split_repo(&r.id).is_some() {
            return; // local rules
        }
        if let Some(dep) = self.active(&r.id) {
            if dep.readable == Readable::No {
                out.push(
                    Diagnostic::new(
                        Code::UnreadableDependency,
                        r.range.clone(),
                        format!("`{}` exists but chant cannot read its frontmatter, so it counts as missing and this spec stays blocked; fix that spec", r.id),
                    )
                    .related(&dep.path, 0..0, "the unreadable spec"),
                );
                return;
            }
            if dep.chant_status() == Status::Cancelled {
                out.push(
                    Diagnostic::new(
                        Code::CancelledDependency,
                        r.range.clone(),
                        format!("`{}` is cancelled: `chant list --ready` counts it as done, but `chant work` refuses this spec unless given --skip-deps; remove the entry", r.id),
                    )
                    .related(&dep.path, dep.title_range.clone(), "the cancelled spec")
                    .fix(remove_entry(r, "depends_on")),
                );
            }
            // A member waiting for a later sibling that itself waits for this one.
            if let (Some(driver), Some(n)) = (id::driver_of(&s.id), id::member_number(&s.id)) {
                if id::driver_of(&r.id) == Some(driver)
                    && id::member_number(&r.id).is_some_and(|m| m > n)
                    && dep.chant_status() != Status::Completed
                {
                    out.push(
                        Diagnostic::new(
                            Code::SiblingDeadlock,
                            r.range.clone(),
                            format!("`{}` is a later sibling: `chant work` runs it only after every earlier member (this one included) is completed, so the two wait for each other forever", r.id),
                        )
                        .related(&dep.path, dep.title_range.clone(), "the later sibling"),
                    );
                }
            }
            return;
        }
        if let Some(old) = self.archived(&r.id) {
            if archived_view {
                return;
            }
            out.push(
                Diagnostic::new(
                    Code::ArchivedDependency,
                    r.range.clone(),
                    format!("`{}` is archived: chant does not see archived specs, so this spec is blocked forever and `chant work` refuses it even with --skip-deps; remove the entry", r.id),
                )
                .related(&old.path, old.title_range.clone(), "the archived spec")
                .fix(remove_entry(r, "depends_on")),
            );
            return;
        }
        let mut d = Diagnostic::new(
            Code::UnknownDependency,
            r.range.clone(),
            format!("unknown dependency `{}`: `depends_on` needs a spec's full ID (chant never completes partial IDs here), so `chant lint` fails and this spec stays blocked; {}", r.id, self.suggestion(&r.id, &[s.id.as_str()])),
        );
        for c in self.similar_ids(&r.id).into_iter().filter(|c| *c != s.id) {
            d = d.fix(Fix::edit(format!("Change to `{c}`"), r.range.clone(), c));
        }
        out.push(d.fix(remove_entry(r, "depends_on")));
    }

    /// Every dependency cycle among the specs chant loads, reported on each edge that
    /// is part of one. Returns `(spec index, diagnostic)` pairs.
    pub fn cycle_diagnostics(&self) -> Vec<(usize, Diagnostic)> {
        let n = self.specs.len();
        // Adjacency over active, loadable specs (chant's view).
        let node = |i: usize| {
            let s = &self.specs[i];
            s.place != Place::Archived && s.readable != Readable::No && self.active.get(&s.id) == Some(&i)
        };
        let mut adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n]; // (target, ref index)
        for i in (0..n).filter(|&i| node(i)) {
            let Some(deps) = self.specs[i].chant_depends_on() else {
                continue;
            };
            for (k, r) in deps.iter().enumerate() {
                if let Some(&j) = self.active.get(&r.id) {
                    if j != i && node(j) && !adj[i].iter().any(|&(t, _)| t == j) {
                        adj[i].push((j, k));
                    }
                }
            }
        }
        let comp = tarjan(&adj);
        let mut size: FastMap<usize, usize> = FastMap::default();
        for &c in comp.iter().flatten() {
            *size.entry(c).or_default() += 1;
        }
        let mut out = Vec::new();
        for u in 0..n {
            let Some(cu) = comp[u] else { continue };
            if size[&cu] < 2 {
                continue;
            }
            for &(v, k) in &adj[u] {
                if comp[v] != Some(cu) {
                    continue;
                }
                let path = shortest_path(&adj, &comp, v, u);
                let mut cycle = vec![u];
                cycle.extend(path);
                let names: Vec<&str> = cycle.iter().map(|&x| self.specs[x].id.as_str()).collect();
                let done = cycle
                    .iter()
                    .all(|&x| matches!(self.specs[x].chant_status(), Status::Completed | Status::Cancelled));
                let r = &self.specs[u].depends_on.as_ref().expect("edge from depends_on")[k];
                let mut d = Diagnostic::new(
                    Code::DependencyCycle,
                    r.range.clone(),
                    format!(
                        "dependency cycle: {}: chant has no cycle check, so {}; remove one of these dependencies",
                        names.join(" → "),
                        if done { "this only matters if one of them is reopened" } else { "none of these specs will ever become ready" }
                    ),
                );
                if done {
                    d = d.severity(Severity::Warning);
                }
                d = d.fix(Fix::edit(
                    format!("Remove the dependency on `{}` (breaks the cycle)", self.specs[v].id),
                    r.delete.clone(),
                    "",
                ));
                for w in cycle.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    if a == u {
                        continue;
                    }
                    let sa = &self.specs[a];
                    if let Some(edge) = sa.depends_on.iter().flatten().find(|x| x.id == self.specs[b].id) {
                        d = d.related(
                            &sa.path,
                            edge.range.clone(),
                            format!("{} depends on {}", sa.id, self.specs[b].id),
                        );
                    }
                }
                out.push((u, d));
            }
        }
        out
    }

    /// chant's readiness for spec `i` (chant-behaviour.md §6.2 and
    /// chant-behaviour.md §6.3).
    pub fn readiness(&self, i: usize) -> Readiness {
        let s = &self.specs[i];
        let status = s.chant_status();
        let mut blockers = Vec::new();
        let mut work_blockers = Vec::new();
        let dep_blocker = |id: &str, accept_cancelled: bool| -> Option<Blocker> {
            match self.active(id) {
                None => Some(Blocker::Missing { id: id.to_string(), archived: self.archived(id).is_some() }),
                Some(d) if d.readable == Readable::No => Some(Blocker::Unreadable { id: id.to_string() }),
                Some(d) => {
                    let st = d.chant_status();
                    let ok = st == Status::Completed || (accept_cancelled && st == Status::Cancelled);
                    (!ok).then(|| Blocker::Status { id: id.to_string(), status: st })
                }
            }
        };
        for r in s.chant_depends_on().unwrap_or(&[]) {
            blockers.extend(dep_blocker(&r.id, true));
            work_blockers.extend(dep_blocker(&r.id, false));
        }
        let driver = id::driver_of(&s.id).filter(|_| s.place != Place::Archived);
        if let Some(d) = driver.and_then(|d| self.loaded(d)) {
            for r in d.chant_depends_on().unwrap_or(&[]) {
                if id::is_member_of(&r.id, &d.id) {
                    continue;
                }
                if dep_blocker(&r.id, true).is_some() {
                    blockers.push(Blocker::DriverDependency { driver: d.id.clone(), id: r.id.clone() });
                }
            }
        }
        let needs_approval = status == Status::Pending && s.requires_approval();
        if needs_approval {
            blockers.push(Blocker::Approval);
        }
        // Earlier siblings: `is_ready` skips this when the member has a depends_on key;
        // the work gate never does.
        if let (Some(driver), Some(n)) = (driver, id::member_number(&s.id)) {
            for k in 1..n {
                let sib = format!("{driver}.{k}");
                let st = self.loaded(&sib).map(Summary::chant_status);
                if st.is_some_and(|st| st != Status::Completed) {
                    work_blockers.push(Blocker::Sibling { id: sib.clone(), status: st });
                    if s.chant_depends_on().is_none() && st != Some(Status::Cancelled) {
                        blockers.push(Blocker::Sibling { id: sib, status: st });
                    }
                } else if st.is_none() {
                    work_blockers.push(Blocker::Sibling { id: sib, status: None });
                }
            }
        }
        if s.has_ac && s.place != Place::Archived {
            for m in self.members_of(&s.id).into_iter().filter(|m| m.readable != Readable::No) {
                if m.chant_status() != Status::Completed {
                    blockers.push(Blocker::Member { id: m.id.clone(), status: m.chant_status() });
                }
            }
        }
        let ready = matches!(status, Status::Pending | Status::Failed)
            && blockers.is_empty()
            && s.readable != Readable::No;
        Readiness { ready, blockers, work_blockers, needs_approval }
    }

    /// Members of a driver by file name (chant's `is_member_of`), sorted as chant runs them.
    pub fn members_of(&self, driver: &str) -> Vec<&Summary> {
        let prefix = format!("{driver}.");
        let start = self.order.partition_point(|&i| self.specs[i].id.as_str() < prefix.as_str());
        let mut m: Vec<&Summary> = self.order[start..]
            .iter()
            .map(|&i| &self.specs[i])
            .take_while(|s| s.id.starts_with(&prefix))
            .filter(|s| id::is_member_of(&s.id, driver))
            .collect();
        m.sort_by(|a, b| id::compare(&a.id, &b.id));
        m
    }

    /// Active specs whose `depends_on` names `target`, in path order.
    pub fn dependents(&self, target: &str) -> Vec<&Summary> {
        let mut v: Vec<&Summary> = self
            .dependents_of(target)
            .into_iter()
            .map(|i| &self.specs[i])
            .filter(|s| s.place != Place::Archived)
            .collect();
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v.dedup_by(|a, b| a.path == b.path);
        v
    }
}

/// A fix that deletes a `depends_on` / `members` entry.
fn remove_entry(r: &Ref, key: &str) -> Fix {
    Fix::edit(format!("Remove `{}` from {key}", r.id), r.delete.clone(), "")
}

/// Strongly connected components (iterative Tarjan). `comp[i]` is `None` only for
/// nodes with no edges at all.
fn tarjan(adj: &[Vec<(usize, usize)>]) -> Vec<Option<usize>> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![None; n];
    let mut next_index = 0;
    let mut next_comp = 0;
    let has_edges: HashSet<usize> = adj
        .iter()
        .enumerate()
        .flat_map(|(i, e)| std::iter::once(i).filter(move |_| !e.is_empty()).chain(e.iter().map(|&(t, _)| t)))
        .collect();
    for root in 0..n {
        if index[root] != usize::MAX || !has_edges.contains(&root) {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut edge)) = call.last_mut() {
            if *edge < adj[v].len() {
                let w = adj[v][*edge].0;
                *edge += 1;
                if index[w] == usize::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = Some(next_comp);
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
    }
    comp
}

/// Shortest path from `from` to `to` inside one component (both included, `from`
/// first).
fn shortest_path(adj: &[Vec<(usize, usize)>], comp: &[Option<usize>], from: usize, to: usize) -> Vec<usize> {
    let c = comp[from];
    let mut prev: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = HashSet::from([from]);
    while let Some(v) = queue.pop_front() {
        if v == to {
            break;
        }
        for &(w, _) in &adj[v] {
            if comp[w] == c && seen.insert(w) {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    let mut path = vec![to];
    let mut cur = to;
    while cur != from {
        match prev.get(&cur) {
            Some(&p) => {
                path.push(p);
                cur = p;
            }
            None => break,
        }
    }
    path.reverse();
    path
}

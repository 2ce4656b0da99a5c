//! The whole project as chant sees it: every spec's [`Summary`], indexed by ID, with
//! the rules that need more than one spec (dependencies, members, duplicates). The
//! graph algorithms live apart: dependency cycles in [`cycles`], chant's readiness
//! rules (chant-behaviour.md §6) in [`readiness`], the order `chant work --chain` takes
//! ready specs in [`queue`].
//!
//! chant itself only sees active specs; archived ones are indexed too so that a
//! reference into the archive can be explained instead of reported as unknown.

pub mod cycles;
pub mod queue;
pub mod readiness;

pub use queue::Queue;
pub use readiness::{Blocker, Readiness};

use super::config::Config;
use super::diagnostic::{Code, Diagnostic, Fix};
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

    /// The index of the archived spec with this ID.
    pub fn archived_index(&self, id: &str) -> Option<usize> {
        self.archived.get(id).copied()
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

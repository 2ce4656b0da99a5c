//! The ready queue: the specs `chant list --ready` shows, in the order `chant work --chain`
//! would take them from a fresh start (chant-behaviour.md §6.6): drivers skipped, groups in
//! the topological order of their drivers' `depends_on`, a group's members together, then
//! chant's ID order.

use std::collections::{HashMap, HashSet, VecDeque};

use super::Project;
use crate::analysis::frontmatter::SpecType;
use crate::analysis::id;
use crate::analysis::spec::{Place, Readable};

/// The ready specs in chain order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Queue {
    /// Indexes of the specs chain would take, in order.
    pub order: Vec<usize>,
    /// Ready drivers (and groups chant lists): chain never runs them itself.
    pub drivers: Vec<usize>,
    /// chain refuses to start: the drivers in a `depends_on` cycle among drivers.
    pub driver_cycle: Vec<String>,
}

impl Project {
    /// Whether chant loads spec `i` (an active spec it can read).
    fn chant_loads(&self, i: usize) -> bool {
        let s = &self.specs[i];
        s.place != Place::Archived && s.readable != Readable::No
    }

    /// chain's `is_driver_or_group_spec`: `type: driver|group`, or member files chant loads.
    pub fn is_chain_driver(&self, i: usize) -> bool {
        let s = &self.specs[i];
        s.chant_kind().is_driver() || self.members_of(&s.id).iter().any(|m| m.readable != Readable::No)
    }

    /// Whether `chant list --ready` lists spec `i`: ready, and not `type: group`
    /// (chant-behaviour.md §6.2).
    pub fn listed_ready(&self, i: usize) -> bool {
        self.chant_loads(i) && self.specs[i].chant_kind() != SpecType::Group && self.readiness(i).ready
    }

    /// chain's `topological_sort_groups`: the drivers in the order their groups run (Kahn's
    /// algorithm over driver-to-driver `depends_on` entries, each round's free drivers in
    /// chant's ID order), or the drivers left in a cycle. As in chant, every entry counts
    /// toward a driver's in-degree but an edge is removed once, so an entry written twice
    /// holds its driver back like a cycle.
    pub fn group_order(&self) -> Result<Vec<String>, Vec<String>> {
        let drivers: Vec<usize> =
            (0..self.specs.len()).filter(|&i| self.chant_loads(i) && self.is_chain_driver(i)).collect();
        let is_driver: HashSet<&str> = drivers.iter().map(|&i| self.specs[i].id.as_str()).collect();
        let mut dependents: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut in_degree: HashMap<&str, usize> = HashMap::new();
        for &i in &drivers {
            let s = &self.specs[i];
            in_degree.entry(&s.id).or_insert(0);
            for r in s.chant_depends_on().unwrap_or(&[]) {
                if is_driver.contains(r.id.as_str()) {
                    dependents.entry(&r.id).or_default().insert(&s.id);
                    *in_degree.entry(&s.id).or_insert(0) += 1;
                }
            }
        }
        let mut free: Vec<&str> = in_degree.iter().filter(|(_, &d)| d == 0).map(|(&id, _)| id).collect();
        free.sort_by(|a, b| id::chant_compare(a, b));
        let mut queue: VecDeque<&str> = free.into();
        let mut sorted: Vec<String> = Vec::with_capacity(drivers.len());
        while let Some(node) = queue.pop_front() {
            sorted.push(node.to_string());
            let mut now_free: Vec<&str> = Vec::new();
            for &d in dependents.get(node).into_iter().flatten() {
                if let Some(n) = in_degree.get_mut(d) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        now_free.push(d);
                    }
                }
            }
            now_free.sort_by(|a, b| id::chant_compare(a, b));
            queue.extend(now_free);
        }
        if sorted.len() < is_driver.len() {
            let done: HashSet<&str> = sorted.iter().map(String::as_str).collect();
            let mut left: Vec<String> =
                is_driver.iter().filter(|d| !done.contains(**d)).map(|d| d.to_string()).collect();
            left.sort_by(|a, b| id::chant_compare(a, b));
            return Err(left);
        }
        Ok(sorted)
    }

    /// The ready queue, from the specs `chant list --ready` shows (`ready`, indexes).
    pub fn ready_queue(&self, ready: &[usize]) -> Queue {
        let (drivers, candidates): (Vec<usize>, Vec<usize>) =
            ready.iter().copied().partition(|&i| self.is_chain_driver(i));
        let mut drivers = drivers;
        drivers.sort_by(|&a, &b| self.by_chant_id(a, b));
        let order = match self.group_order() {
            Ok(groups) => groups,
            Err(cycle) => return Queue { order: Vec::new(), drivers, driver_cycle: cycle },
        };
        let position: HashMap<&str, usize> = order.iter().enumerate().map(|(k, g)| (g.as_str(), k)).collect();
        let group = |i: usize| id::driver_of(&self.specs[i].id);
        let place = |i: usize| group(i).and_then(|g| position.get(g).copied());
        // chain sorts with a comparison that is a total order unless group order and ID
        // order disagree around a standalone spec (chant-behaviour.md §6.6): members of
        // ordered groups among themselves, every other spec among themselves, then the
        // two lists merged with chain's comparison.
        let (mut grouped, mut rest): (Vec<usize>, Vec<usize>) =
            candidates.into_iter().partition(|&i| place(i).is_some());
        grouped.sort_by(|&a, &b| place(a).cmp(&place(b)).then_with(|| self.by_chant_id(a, b)));
        rest.sort_by(|&a, &b| self.by_chant_id(a, b));
        let mut sorted = Vec::with_capacity(grouped.len() + rest.len());
        let (mut g, mut r) = (grouped.into_iter().peekable(), rest.into_iter().peekable());
        loop {
            let take_grouped = match (g.peek(), r.peek()) {
                (Some(&a), Some(&b)) => {
                    // A member of an unordered group goes first; a standalone spec by ID.
                    group(b).is_none() && self.by_chant_id(a, b).is_le()
                }
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            sorted.extend(if take_grouped { g.next() } else { r.next() });
        }
        // chain takes the rest of a group first after one of its members; that changes
        // nothing here: every spec compares with all members of a group alike (by the
        // driver's base or by group position), so a group's ready members are already next
        // to each other.
        Queue { order: sorted, drivers, driver_cycle: Vec::new() }
    }

    fn by_chant_id(&self, a: usize, b: usize) -> std::cmp::Ordering {
        id::chant_compare(&self.specs[a].id, &self.specs[b].id)
            .then_with(|| self.specs[a].id.cmp(&self.specs[b].id))
    }
}

//! Dependency cycles among the specs chant loads: the dependency graph, its strongly
//! connected components and a `dependency-cycle` finding on every edge that lies on a
//! cycle, kept current one spec at a time.
//!
//! A full computation runs Tarjan over the whole graph ([`Cycles::new`]). After one
//! spec changed, only two places can differ ([`Cycles::update`]): the component that
//! held the spec before (it may fall apart) and the component that holds it now (it
//! may have absorbed others). Every other component neither contains the spec nor
//! loses or gains an edge, so its findings stay as they were.

use std::collections::VecDeque;

use super::Project;
use crate::analysis::diagnostic::{Code, Diagnostic, Fix, Severity};
use crate::analysis::frontmatter::Status;
use crate::analysis::hash::{FastMap, FastSet};
use crate::analysis::spec::{Place, Readable};

/// The dependency cycles of a project and their findings.
#[derive(Default)]
pub struct Cycles {
    /// The component (of two or more specs) each spec on a cycle belongs to.
    comp_of: FastMap<usize, usize>,
    /// The specs of each such component, by component number.
    members: FastMap<usize, Vec<usize>>,
    next: usize,
    /// `dependency-cycle` findings by spec index.
    found: FastMap<usize, Vec<Diagnostic>>,
}

impl Project {
    /// Whether spec `i` is a node of chant's dependency graph: active, loadable, and
    /// the spec chant resolves its ID to.
    fn is_node(&self, i: usize) -> bool {
        let s = &self.specs[i];
        s.place != Place::Archived && s.readable != Readable::No && self.active.get(&s.id) == Some(&i)
    }

    /// The edges out of spec `i`: (target, index of the `depends_on` entry), the
    /// first entry per target.
    fn edges(&self, i: usize) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        if !self.is_node(i) {
            return out;
        }
        for (k, r) in self.specs[i].chant_depends_on().unwrap_or(&[]).iter().enumerate() {
            if let Some(&j) = self.active.get(&r.id) {
                if j != i && self.is_node(j) && !out.iter().any(|&(t, _)| t == j) {
                    out.push((j, k));
                }
            }
        }
        out
    }

    /// The specs with an edge into spec `i`.
    fn edges_into(&self, i: usize) -> Vec<usize> {
        if !self.is_node(i) {
            return Vec::new();
        }
        let id = &self.specs[i].id;
        let mut out: Vec<usize> = self
            .rdeps
            .get(id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&u| {
                u != i
                    && self.is_node(u)
                    && self.specs[u].chant_depends_on().unwrap_or(&[]).iter().any(|r| r.id == *id)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The findings of one component (two or more specs), by spec index.
    fn component_findings(&self, members: &[usize]) -> Vec<(usize, Vec<Diagnostic>)> {
        let local: FastMap<usize, usize> = members.iter().enumerate().map(|(l, &g)| (g, l)).collect();
        // Edges inside the component, in local indexes, in `edges` order.
        let adj: Vec<Vec<(usize, usize)>> = members
            .iter()
            .map(|&u| self.edges(u).into_iter().filter_map(|(v, k)| Some((*local.get(&v)?, k))).collect())
            .collect();
        let mut out = Vec::new();
        for (lu, &u) in members.iter().enumerate() {
            let mut ds = Vec::new();
            for &(lv, k) in &adj[lu] {
                let v = members[lv];
                let cycle: Vec<usize> = std::iter::once(u)
                    .chain(shortest_path(&adj, lv, lu).into_iter().map(|l| members[l]))
                    .collect();
                ds.push(self.cycle_finding(&cycle, v, k));
            }
            if !ds.is_empty() {
                out.push((u, ds));
            }
        }
        out
    }

    /// The finding on the edge `cycle[0]` → `v` (its `depends_on` entry `k`), which
    /// closes `cycle` (first spec repeated at the end).
    fn cycle_finding(&self, cycle: &[usize], v: usize, k: usize) -> Diagnostic {
        let u = cycle[0];
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
                if done {
                    "this only matters if one of them is reopened"
                } else {
                    "none of these specs will ever become ready"
                }
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
        d
    }

    /// The strongly connected component of spec `i` (empty when `i` is no node). The
    /// specs that reach `i` and the specs `i` reaches are searched in turns until one
    /// side is complete; the other side then only walks inside it, so the cost follows
    /// the smaller side, not the project.
    fn component_of(&self, i: usize) -> Vec<usize> {
        if !self.is_node(i) {
            return Vec::new();
        }
        let forward = |v: usize| self.edges(v).into_iter().map(|(t, _)| t).collect::<Vec<_>>();
        let backward = |v: usize| self.edges_into(v);
        let mut down = Search::new(i);
        let mut up = Search::new(i);
        let (complete, other): (FastSet<usize>, &dyn Fn(usize) -> Vec<usize>) = loop {
            if !down.step(&forward) {
                break (down.seen, &backward);
            }
            if !up.step(&backward) {
                break (up.seen, &forward);
            }
        };
        let mut inside = Search::new(i);
        while inside.step(&|v| other(v).into_iter().filter(|w| complete.contains(w)).collect()) {}
        let mut comp: Vec<usize> = inside.seen.into_iter().collect();
        comp.sort_unstable();
        comp
    }
}

/// A breadth-first search that advances one spec per step.
struct Search {
    seen: FastSet<usize>,
    queue: VecDeque<usize>,
}

impl Search {
    fn new(start: usize) -> Search {
        Search { seen: FastSet::from_iter([start]), queue: VecDeque::from([start]) }
    }

    /// Expands one spec; `false` once there is nothing left to expand.
    fn step(&mut self, next: &dyn Fn(usize) -> Vec<usize>) -> bool {
        let Some(v) = self.queue.pop_front() else { return false };
        for w in next(v) {
            if self.seen.insert(w) {
                self.queue.push_back(w);
            }
        }
        true
    }
}

impl Cycles {
    /// Every cycle of the project.
    pub fn new(project: &Project) -> Cycles {
        let adj: Vec<Vec<usize>> = (0..project.specs.len())
            .map(|i| project.edges(i).into_iter().map(|(t, _)| t).collect())
            .collect();
        let mut cycles = Cycles::default();
        for comp in tarjan(&adj) {
            cycles.add(project, comp);
        }
        cycles
    }

    /// The findings on spec `i`'s edges.
    pub fn findings(&self, i: usize) -> &[Diagnostic] {
        self.found.get(&i).map_or(&[], Vec::as_slice)
    }

    /// Records a strongly connected component and its findings (nothing for a single
    /// spec: a self-dependency is a local rule).
    fn add(&mut self, project: &Project, comp: Vec<usize>) {
        if comp.len() < 2 {
            return;
        }
        let c = self.next;
        self.next += 1;
        for (u, ds) in project.component_findings(&comp) {
            self.found.insert(u, ds);
        }
        for &u in &comp {
            self.comp_of.insert(u, c);
        }
        self.members.insert(c, comp);
    }

    /// Forgets component `c`; returns its specs.
    fn forget(&mut self, c: usize) -> Vec<usize> {
        let comp = self.members.remove(&c).unwrap_or_default();
        for u in &comp {
            self.comp_of.remove(u);
            self.found.remove(u);
        }
        comp
    }

    /// Brings the cycles up to date after spec `i` changed (the project already holds
    /// its new summary). Returns the specs whose findings changed, sorted.
    pub fn update(&mut self, project: &Project, i: usize) -> Vec<usize> {
        let before: Vec<usize> =
            self.comp_of.get(&i).and_then(|c| self.members.get(c)).cloned().unwrap_or_default();
        let mut now = project.component_of(i);
        if now.len() < 2 {
            now.clear();
        }
        let mut touched: Vec<usize> = before.iter().chain(&now).copied().collect();
        touched.sort_unstable();
        touched.dedup();
        let old: Vec<(usize, Vec<Diagnostic>)> =
            touched.iter().filter_map(|u| Some((*u, self.found.get(u)?.clone()))).collect();
        // Forget the component `i` was on and every component the new one absorbed.
        let mut gone: Vec<usize> = touched.iter().filter_map(|u| self.comp_of.get(u).copied()).collect();
        gone.sort_unstable();
        gone.dedup();
        for c in gone {
            self.forget(c);
        }
        // What is left of the old component falls apart into the components of the
        // graph without `i` (its edges there did not change).
        let now_set: FastSet<usize> = now.iter().copied().collect();
        let rest: Vec<usize> = before.into_iter().filter(|&u| u != i && !now_set.contains(&u)).collect();
        let local: FastMap<usize, usize> = rest.iter().enumerate().map(|(l, &g)| (g, l)).collect();
        let adj: Vec<Vec<usize>> = rest
            .iter()
            .map(|&u| project.edges(u).into_iter().filter_map(|(v, _)| local.get(&v).copied()).collect())
            .collect();
        for comp in tarjan(&adj) {
            self.add(project, comp.into_iter().map(|l| rest[l]).collect());
        }
        self.add(project, now);
        let mut changed: Vec<usize> = touched
            .into_iter()
            .filter(|u| {
                let was = old.iter().find(|(o, _)| o == u).map_or(&[][..], |(_, d)| d.as_slice());
                was != self.findings(*u)
            })
            .collect();
        changed.sort_unstable();
        changed
    }
}

/// The strongly connected components of two or more nodes (iterative Tarjan), each
/// sorted.
fn tarjan(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comps = Vec::new();
    let mut next_index = 0;
    for root in 0..n {
        if index[root] != usize::MAX || adj[root].is_empty() {
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
                let w = adj[v][*edge];
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
                    if stack.last() == Some(&v) {
                        // A single spec: no cycle (a self-dependency is a local rule).
                        stack.pop();
                        on_stack[v] = false;
                        continue;
                    }
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    comp.sort_unstable();
                    comps.push(comp);
                }
            }
        }
    }
    comps
}

/// Shortest path from `from` to `to` over `adj` (both included, `from` first).
fn shortest_path(adj: &[Vec<(usize, usize)>], from: usize, to: usize) -> Vec<usize> {
    let mut prev: Vec<Option<usize>> = vec![None; adj.len()];
    let mut seen = vec![false; adj.len()];
    seen[from] = true;
    let mut queue = VecDeque::from([from]);
    while let Some(v) = queue.pop_front() {
        if v == to {
            break;
        }
        for &(w, _) in &adj[v] {
            if !seen[w] {
                seen[w] = true;
                prev[w] = Some(v);
                queue.push_back(w);
            }
        }
    }
    let mut path = vec![to];
    let mut cur = to;
    while cur != from {
        match prev[cur] {
            Some(p) => {
                path.push(p);
                cur = p;
            }
            None => break,
        }
    }
    path.reverse();
    path
}

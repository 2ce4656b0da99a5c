//! Dependency cycles among the specs chant loads: the dependency graph, its strongly
//! connected components and a `dependency-cycle` finding on every edge that lies on a
//! cycle, kept current one spec at a time.
//!
//! A full computation runs Tarjan over the whole graph ([`Cycles::new`]). After one
//! spec changed, only two places can differ ([`Cycles::update`]): the component that
//! held the spec before (it may fall apart) and the component that holds it now (it
//! may have absorbed others). Every other component neither contains the spec nor
//! loses or gains an edge, so its findings stay as they were.
//!
//! Each finding names a witness cycle through its edge. The witnesses of a component
//! come from two breadth-first trees grown from one member (its root): one along the
//! edges, one against them. For the edge u → v the witness is u → v, then v's path
//! to the root in the second tree, then the root's path to u in the first. That costs
//! a constant per edge, whatever the size of the component (a shortest cycle per edge
//! would cost a search per edge); the witness is not always the shortest. A message
//! names at most [`SHOWN`] specs and says how many more the cycle has.

use std::collections::VecDeque;

use super::Project;
use crate::analysis::diagnostic::{Code, Diagnostic, Fix, Severity};
use crate::analysis::frontmatter::Status;
use crate::analysis::hash::{FastMap, FastSet};
use crate::analysis::spec::{Place, Readable};

/// Specs a cycle's message names at most: the first half from the edge on, the
/// second half leading back to it, "and N more specs" in between.
pub const SHOWN: usize = 20;

/// Witnesses up to this many steps are spelled out whole and freed of repeated specs
/// before they are cut to [`SHOWN`].
const SPELLED: usize = 4 * SHOWN;

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
    /// Specs, edges and witness steps visited so far: tests compare it at n and 4n
    /// specs to prove the work grows linearly.
    work: usize,
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
        let deps = self.specs[i].chant_depends_on().unwrap_or(&[]);
        // A set for long lists: a scan of the edges so far per entry is quadratic.
        let mut seen: FastSet<usize> = FastSet::default();
        for (k, r) in deps.iter().enumerate() {
            let Some(&j) = self.active.get(&r.id) else { continue };
            if j == i || !self.is_node(j) {
                continue;
            }
            let first = if deps.len() <= 8 { !out.iter().any(|&(t, _)| t == j) } else { seen.insert(j) };
            if first {
                out.push((j, k));
            }
        }
        out
    }

    /// The specs with an edge into spec `i`.
    fn edges_into(&self, i: usize) -> Vec<usize> {
        if !self.is_node(i) {
            return Vec::new();
        }
        // `rdeps` lists exactly the specs whose `depends_on` names the ID; chant sees
        // those lists unless it reads no frontmatter at all.
        let mut out: Vec<usize> = self
            .rdeps
            .get(&self.specs[i].id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&u| u != i && self.is_node(u) && self.specs[u].chant_depends_on().is_some())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The findings of one component (two or more specs), by spec index. Everything
    /// here follows from the specs' paths and edges, never from their indexes, so an
    /// incremental update finds what a fresh check finds.
    fn component_findings(&self, members: &[usize], work: &mut usize) -> Vec<(usize, Vec<Diagnostic>)> {
        let mut members = members.to_vec();
        members.sort_by(|&a, &b| self.specs[a].path.cmp(&self.specs[b].path));
        let local: FastMap<usize, usize> = members.iter().enumerate().map(|(l, &g)| (g, l)).collect();
        // Edges inside the component, in local indexes, in `edges` order; and reversed.
        let adj: Vec<Vec<(usize, usize)>> = members
            .iter()
            .map(|&u| self.edges(u).into_iter().filter_map(|(v, k)| Some((*local.get(&v)?, k))).collect())
            .collect();
        let mut radj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); members.len()];
        for (u, out) in adj.iter().enumerate() {
            *work += 1 + self.specs[members[u]].chant_depends_on().map_or(0, <[_]>::len);
            for &(v, k) in out {
                radj[v].push((u, k));
            }
        }
        let done: Vec<bool> = members
            .iter()
            .map(|&x| matches!(self.specs[x].chant_status(), Status::Completed | Status::Cancelled))
            .collect();
        // The root is local 0: the first member by path.
        let forward = Tree::grow(&adj, &done, work);
        let backward = Tree::grow(&radj, &done, work);
        let mut scratch = FastMap::default();
        let mut out = Vec::new();
        for (u, edges) in adj.iter().enumerate() {
            let mut ds = Vec::new();
            for &(v, k) in edges {
                let w = witness(&forward, &backward, &done, (u, v, k), &mut scratch, work);
                ds.push(self.cycle_finding(&members, &w, (u, v, k)));
            }
            if !ds.is_empty() {
                out.push((members[u], ds));
            }
        }
        out
    }

    /// The finding on the edge u → v (`depends_on` entry `k` of u; local indexes into
    /// `members`), which starts the witness `w`.
    fn cycle_finding(&self, members: &[usize], w: &Witness, (u, v, k): (usize, usize, usize)) -> Diagnostic {
        let spec = |l: usize| &self.specs[members[l]];
        let mut names: Vec<String> = w
            .steps
            .iter()
            .map(|s| match *s {
                Step::Spec(x, _) => spec(x).id.clone(),
                Step::More(n) => format!("(and {n} more spec{})", if n == 1 { "" } else { "s" }),
            })
            .collect();
        names.push(spec(u).id.clone());
        let r = &spec(u).depends_on.as_ref().expect("edge from depends_on")[k];
        let mut d = Diagnostic::new(
            Code::DependencyCycle,
            r.range.clone(),
            format!(
                "dependency cycle: {}: chant has no cycle check, so {}; remove one of these dependencies",
                names.join(" → "),
                if w.done {
                    "this only matters if one of them is reopened"
                } else {
                    "none of these specs will ever become ready"
                }
            ),
        );
        if w.done {
            d = d.severity(Severity::Warning);
        }
        d = d.fix(Fix::edit(
            format!("Remove the dependency on `{}` (breaks the cycle)", spec(v).id),
            r.delete.clone(),
            "",
        ));
        // The other shown edges, each where it is written.
        for (i, s) in w.steps.iter().enumerate().skip(1) {
            let Step::Spec(a, Some(ka)) = *s else { continue };
            let b = match w.steps.get(i + 1) {
                Some(Step::Spec(b, _)) => *b,
                Some(Step::More(_)) => continue,
                None => u,
            };
            let sa = spec(a);
            if let Some(edge) = sa.depends_on.as_ref().and_then(|d| d.get(ka)) {
                d = d.related(&sa.path, edge.range.clone(), format!("{} depends on {}", sa.id, spec(b).id));
            }
        }
        d
    }

    /// The strongly connected component of spec `i` (empty when `i` is no node). The
    /// specs that reach `i` and the specs `i` reaches are searched in turns until one
    /// side is complete; the other side then only walks inside it, so the cost follows
    /// the smaller side, not the project.
    fn component_of(&self, i: usize, work: &mut usize) -> Vec<usize> {
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
        *work += down.steps + up.steps + inside.steps;
        let mut comp: Vec<usize> = inside.seen.into_iter().collect();
        comp.sort_unstable();
        comp
    }
}

/// A breadth-first tree of a component from local 0 over `adj`: for each spec, the
/// edge that reached it, its depth, and whether it and every spec on its path from
/// the root are completed or cancelled.
struct Tree {
    /// (the spec expanded, the `depends_on` index stored with the edge in `adj`).
    parent: Vec<Option<(usize, usize)>>,
    depth: Vec<usize>,
    done: Vec<bool>,
}

impl Tree {
    fn grow(adj: &[Vec<(usize, usize)>], done: &[bool], work: &mut usize) -> Tree {
        let n = adj.len();
        let mut t = Tree { parent: vec![None; n], depth: vec![0; n], done: vec![false; n] };
        let mut seen = vec![false; n];
        seen[0] = true;
        t.done[0] = done[0];
        let mut queue = VecDeque::from([0]);
        while let Some(p) = queue.pop_front() {
            *work += 1 + adj[p].len();
            for &(y, k) in &adj[p] {
                if !seen[y] {
                    seen[y] = true;
                    t.parent[y] = Some((p, k));
                    t.depth[y] = t.depth[p] + 1;
                    t.done[y] = done[y] && t.done[p];
                    queue.push_back(y);
                }
            }
        }
        t
    }
}

/// One step of a witness as shown: a spec with the `depends_on` index of its edge
/// to the next spec (`None` where that edge is not shown), or specs left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Spec(usize, Option<usize>),
    More(usize),
}

/// A witness cycle through one edge: it starts at the edge's spec and returns to it.
struct Witness {
    steps: Vec<Step>,
    /// Every spec on it is completed or cancelled.
    done: bool,
}

/// The witness of the edge u → v (`depends_on` entry `k` of u): u, v, v's path to
/// the root (`backward`), the root's path to u (`forward`). Short ones are spelled out
/// whole and freed of repeated specs; long ones are read from both ends only, so each
/// costs at most [`SPELLED`] steps.
fn witness(
    forward: &Tree,
    backward: &Tree,
    done: &[bool],
    (u, v, k): (usize, usize, usize),
    scratch: &mut FastMap<usize, usize>,
    work: &mut usize,
) -> Witness {
    let (head_len, tail_len) = (SHOWN / 2, SHOWN - SHOWN / 2);
    // Specs on the closed walk, u counted once.
    let steps = 1 + backward.depth[v] + forward.depth[u];
    if steps <= SPELLED {
        let mut walk = vec![(u, k)];
        let mut x = v;
        while let Some((w, kx)) = backward.parent[x] {
            walk.push((x, kx));
            x = w;
        }
        // `x` is the root now; its path to u follows unless u is the root.
        let start = walk.len();
        let mut y = u;
        while let Some((p, kp)) = forward.parent[y] {
            walk.push((p, kp));
            y = p;
        }
        walk[start..].reverse();
        *work += walk.len();
        let walk = without_loops(walk, scratch);
        let done = walk.iter().all(|&(x, _)| done[x]);
        let mut steps: Vec<Step> = Vec::with_capacity(SHOWN + 1);
        if walk.len() <= SHOWN {
            steps.extend(walk.iter().map(|&(x, kx)| Step::Spec(x, Some(kx))));
        } else {
            steps.extend(walk[..head_len].iter().map(|&(x, kx)| Step::Spec(x, Some(kx))));
            steps.push(Step::More(walk.len() - head_len - tail_len));
            steps.extend(walk[walk.len() - tail_len..].iter().map(|&(x, kx)| Step::Spec(x, Some(kx))));
        }
        return Witness { steps, done };
    }
    // Long: the first specs from v on, the last ones before u.
    let mut head = vec![Step::Spec(u, Some(k))];
    let mut x = v;
    while head.len() < head_len {
        match backward.parent[x] {
            Some((w, kx)) => {
                head.push(Step::Spec(x, Some(kx)));
                x = w;
            }
            None => {
                // The root: its edge onwards is on the far side of the gap.
                if x != u {
                    head.push(Step::Spec(x, None));
                }
                break;
            }
        }
    }
    let mut tail = Vec::new();
    let mut y = u;
    while tail.len() < tail_len {
        let Some((p, kp)) = forward.parent[y] else { break };
        tail.push(Step::Spec(p, Some(kp)));
        y = p;
    }
    tail.reverse();
    *work += head.len() + tail.len();
    let more = steps - head.len() - tail.len();
    let done = done[u] && backward.done[v] && forward.done[u];
    head.push(Step::More(more));
    head.extend(tail);
    Witness { steps: head, done }
}

/// Cuts the loops out of a closed walk (`walk[0]` → `walk[1]` → … → `walk[0]`, each
/// spec with the `depends_on` index of its edge to the next) and keeps its first
/// edge: what is left names each spec once.
fn without_loops(walk: Vec<(usize, usize)>, at: &mut FastMap<usize, usize>) -> Vec<(usize, usize)> {
    at.clear();
    let u = walk[0].0;
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(walk.len());
    for (i, (x, k)) in walk.into_iter().enumerate() {
        if i > 0 && x == u {
            break; // back at u early: the walk closes here
        }
        if let Some(&j) = at.get(&x) {
            // x again: drop the loop since its first visit (never u → v itself).
            for (y, _) in out.drain(j..) {
                at.remove(&y);
            }
        }
        at.insert(x, out.len());
        out.push((x, k));
    }
    out
}

/// A breadth-first search that advances one spec per step.
struct Search {
    seen: FastSet<usize>,
    queue: VecDeque<usize>,
    /// Specs and edges expanded.
    steps: usize,
}

impl Search {
    fn new(start: usize) -> Search {
        Search { seen: FastSet::from_iter([start]), queue: VecDeque::from([start]), steps: 0 }
    }

    /// Expands one spec; `false` once there is nothing left to expand.
    fn step(&mut self, next: &dyn Fn(usize) -> Vec<usize>) -> bool {
        let Some(v) = self.queue.pop_front() else { return false };
        let next = next(v);
        self.steps += 1 + next.len();
        for w in next {
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
        let mut cycles = Cycles {
            work: adj.len()
                + project.specs.iter().map(|s| s.depends_on.as_ref().map_or(0, Vec::len)).sum::<usize>(),
            ..Cycles::default()
        };
        for comp in tarjan(&adj) {
            cycles.add(project, comp);
        }
        cycles
    }

    /// The findings on spec `i`'s edges.
    pub fn findings(&self, i: usize) -> &[Diagnostic] {
        self.found.get(&i).map_or(&[], Vec::as_slice)
    }

    /// The strongly connected component (of two or more specs) that spec `i` lies on:
    /// an edge whose two ends share one lies on a dependency cycle.
    pub fn component(&self, i: usize) -> Option<usize> {
        self.comp_of.get(&i).copied()
    }

    /// Specs, edges and witness steps visited since the cycles were first computed
    /// (a measure of work for tests, independent of the machine's speed).
    pub fn work(&self) -> usize {
        self.work
    }

    /// Records a strongly connected component and its findings (nothing for a single
    /// spec: a self-dependency is a local rule).
    fn add(&mut self, project: &Project, comp: Vec<usize>) {
        if comp.len() < 2 {
            return;
        }
        let c = self.next;
        self.next += 1;
        for (u, ds) in project.component_findings(&comp, &mut self.work) {
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
        let mut now = project.component_of(i, &mut self.work);
        if now.len() < 2 {
            now.clear();
        }
        let mut touched: Vec<usize> = before.iter().chain(&now).copied().collect();
        touched.sort_unstable();
        touched.dedup();
        let mut old: FastMap<usize, Vec<Diagnostic>> =
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
        self.work += touched.len() + adj.iter().map(Vec::len).sum::<usize>();
        for comp in tarjan(&adj) {
            self.add(project, comp.into_iter().map(|l| rest[l]).collect());
        }
        self.add(project, now);
        let mut changed: Vec<usize> = touched
            .into_iter()
            .filter(|u| old.remove(u).unwrap_or_default().as_slice() != self.findings(*u))
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

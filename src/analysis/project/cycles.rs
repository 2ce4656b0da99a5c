//! Dependency cycles among the specs chant loads: the dependency graph, its strongly
//! connected components (Tarjan) and a `dependency-cycle` finding on every edge that
//! lies on a cycle.

use std::collections::{HashMap, HashSet, VecDeque};

use super::Project;
use crate::analysis::diagnostic::{Code, Diagnostic, Fix, Severity};
use crate::analysis::frontmatter::Status;
use crate::analysis::hash::FastMap;
use crate::analysis::spec::{Place, Readable};

impl Project {
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

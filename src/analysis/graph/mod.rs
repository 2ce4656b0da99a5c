//! The dependency graph of a project as plain data: one node per spec (title, short ID,
//! the status chant reads, a state for its colour and the hover's readiness line),
//! `depends_on` edges from the dependency to the spec that waits for it, a driver's
//! edges to its members (drawn as one group), edges on a dependency cycle or a sibling
//! deadlock marked, and dependencies that are not active specs as stub nodes (unknown
//! IDs, archived specs). [`text`] prints it as DOT, Mermaid and JSON, [`svg`] lays it
//! out with `layout-rs`.
//!
//! `around` keeps one spec's neighbourhood: every node at most `depth` edges away,
//! following edges both ways, found without visiting the rest of the project.

pub mod svg;
pub mod text;

use std::collections::VecDeque;

use crate::analysis::frontmatter::Status;
use crate::analysis::hash::{FastMap, FastSet};
use crate::analysis::id;
use crate::analysis::ide::hover::readiness_text;
use crate::analysis::spec::{Place, Summary};
use crate::analysis::workspace::Workspace;

/// Past this many nodes a picture cannot be read: pictures of a whole project that
/// large are refused with a message that suggests `around`.
pub const MAX_NODES: usize = 500;

/// How far `around` reaches when no depth is given.
pub const DEFAULT_DEPTH: usize = 2;

/// What to draw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Keep only the neighbourhood of this spec (a full ID, or the end of one).
    pub around: Option<String>,
    /// How many edges away from `around` (default [`DEFAULT_DEPTH`]).
    pub depth: Option<usize>,
    /// Archived specs are nodes too (else a dependency on one is a stub).
    pub include_archived: bool,
}

/// A node's colour: chant's readiness and the run facts, in seven classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// `chant list --ready` lists it.
    Ready,
    /// A live run (a lock holder, or a run from the editor), or `in_progress`.
    Running,
    /// Pending and blocked by a dependency, a sibling, a member or approval.
    Blocked,
    /// Not ready for another reason (pending with nothing blocking it but its status:
    /// paused, needs attention, a spec chant cannot read).
    Pending,
    Failed,
    Completed,
    Cancelled,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Ready,
        State::Running,
        State::Blocked,
        State::Pending,
        State::Failed,
        State::Completed,
        State::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Ready => "ready",
            State::Running => "running",
            State::Blocked => "blocked",
            State::Pending => "pending",
            State::Failed => "failed",
            State::Completed => "completed",
            State::Cancelled => "cancelled",
        }
    }

    /// Fill and border colour.
    pub fn colours(self) -> (&'static str, &'static str) {
        match self {
            State::Ready => ("#d3f5d3", "#2e8b2e"),
            State::Running => ("#d6e8ff", "#1f6fc5"),
            State::Blocked => ("#ffe3bf", "#d9822b"),
            State::Pending => ("#f0f0f0", "#808080"),
            State::Failed => ("#ffd9e0", "#b0284a"),
            State::Completed => ("#e3e1f5", "#6a64a8"),
            State::Cancelled => ("#fafafa", "#b4b4b4"),
        }
    }
}

/// The colour of edges on a dependency cycle or a sibling deadlock.
pub const CYCLE_COLOUR: &str = "#d62728";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// An active spec.
    Spec,
    /// An archived spec: a node with `include_archived`, else a stub for a dependency
    /// on it (chant never sees it).
    Archived,
    /// A dependency on an ID no spec has (a stub).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    /// The ID without its date (`001-u4x`, `001-d1r.2`), or the whole ID.
    pub short: String,
    pub title: Option<String>,
    /// The status chant reads (`None` for a stub).
    pub status: Option<Status>,
    /// `None` for a stub.
    pub state: Option<State>,
    pub kind: NodeKind,
    /// The hover's readiness line (`ready`, `blocked by …`), or what a stub stands for.
    pub readiness: String,
    /// Project-relative path (`None` for a stub).
    pub path: Option<String>,
    /// The driver whose group this node is drawn in (the driver itself included).
    pub group: Option<String>,
    /// The spec `around` was asked for.
    pub focus: bool,
}

impl Node {
    /// Drawn dashed: stubs and archived specs.
    pub fn dashed(&self) -> bool {
        self.kind != NodeKind::Spec
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// `to` lists `from` in `depends_on`: `from` comes first.
    DependsOn,
    /// `from` is the driver of member `to`.
    Member,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Node indexes.
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// On a dependency cycle (both ends on one strongly connected component, or a spec
    /// depending on itself).
    pub cycle: bool,
    /// A member depending on a later sibling that is not completed: each waits for the
    /// other (`sibling-deadlock`).
    pub deadlock: bool,
}

impl Edge {
    /// Drawn red.
    pub fn red(&self) -> bool {
        self.cycle || self.deadlock
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    /// Spec nodes in path order, then stubs by ID.
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// The resolved `around` spec.
    pub around: Option<String>,
    pub depth: Option<usize>,
}

impl Graph {
    /// Why this graph is not drawn: more than [`MAX_NODES`] nodes.
    pub fn too_large(&self) -> Option<String> {
        if self.nodes.len() <= MAX_NODES {
            return None;
        }
        let n = self.nodes.len();
        Some(match &self.around {
            None => format!(
                "the dependency graph has {n} nodes, more than {MAX_NODES}: a picture that large cannot be read. Draw the neighbourhood of one spec with --around ID (and --depth N, default {DEFAULT_DEPTH}), or ask for --format json"
            ),
            Some(id) => format!(
                "the neighbourhood of `{id}` has {n} nodes, more than {MAX_NODES}: a picture that large cannot be read. Use a smaller --depth, or ask for --format json"
            ),
        })
    }

    /// The node index of an ID.
    pub fn index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }
}

/// The short form of an ID shown in a node: the dated part without its date.
pub fn short_id(full: &str) -> String {
    match id::dated_parts(full) {
        Some(d) => {
            let members: String = d.members.iter().map(|m| format!(".{m}")).collect();
            format!("{}-{}{members}", d.seq, d.rand)
        }
        None => full.to_string(),
    }
}

/// Builds the graph. `live` tells whether a spec has a live run (a lock holder, or a
/// run from the editor). `Err` when `around` names no spec, or several.
pub fn build(ws: &Workspace, opts: &Options, live: &dyn Fn(&str) -> bool) -> Result<Graph, String> {
    let b = Builder { ws, include_archived: opts.include_archived };
    let mut graph = Graph::default();
    let keys: Vec<Key> = match &opts.around {
        None => b.all(),
        Some(wanted) => {
            let center = b.find(wanted)?;
            let depth = opts.depth.unwrap_or(DEFAULT_DEPTH);
            graph.around = Some(ws.project.specs[center].id.clone());
            graph.depth = Some(depth);
            b.around(center, depth)
        }
    };
    let mut specs: Vec<usize> =
        keys.iter().filter_map(|k| if let Key::Spec(i) = k { Some(*i) } else { None }).collect();
    specs.sort_by(|&a, &b| ws.project.specs[a].path.cmp(&ws.project.specs[b].path));
    let mut stubs: Vec<&str> =
        keys.iter().filter_map(|k| if let Key::Stub(s) = k { Some(s.as_str()) } else { None }).collect();
    stubs.sort_unstable();
    stubs.dedup();
    // Drivers drawn with their members: an active driver with a member in the graph.
    let in_graph: FastSet<usize> = specs.iter().copied().collect();
    let mut groups: FastMap<&str, &str> = FastMap::default();
    for &i in &specs {
        let s = &ws.project.specs[i];
        if s.place == Place::Archived {
            continue;
        }
        if let Some(d) =
            id::driver_of(&s.id).filter(|d| ws.project.active_index(d).is_some_and(|j| in_graph.contains(&j)))
        {
            groups.insert(&s.id, d);
            groups.insert(d, d);
        }
    }
    for &i in &specs {
        let s = &ws.project.specs[i];
        graph.nodes.push(b.spec_node(i, live, groups.get(s.id.as_str()).map(|g| g.to_string())));
    }
    for id in stubs {
        graph.nodes.push(b.stub_node(id));
    }
    if let Some(a) = &graph.around {
        if let Some(n) = graph.nodes.iter_mut().find(|n| n.id == *a) {
            n.focus = true;
        }
    }
    let index: FastMap<String, usize> =
        graph.nodes.iter().enumerate().map(|(k, n)| (n.id.clone(), k)).collect();
    for (to, &i) in specs.iter().enumerate() {
        b.edges_of(i, to, &index, &mut graph.edges);
    }
    Ok(graph)
}

/// A node before it is built: a spec of the graph, or a stub for an ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Spec(usize),
    Stub(String),
}

struct Builder<'a> {
    ws: &'a Workspace,
    include_archived: bool,
}

impl Builder<'_> {
    fn specs(&self) -> &[Summary] {
        &self.ws.project.specs
    }

    /// Whether spec `i` is a node: the spec its ID resolves to (active first, archived
    /// ones only when asked for).
    fn is_node(&self, i: usize) -> bool {
        let p = &self.ws.project;
        let s = &p.specs[i];
        match s.place {
            Place::Archived => {
                self.include_archived && p.active_index(&s.id).is_none() && p.archived_index(&s.id) == Some(i)
            }
            _ => p.active_index(&s.id) == Some(i),
        }
    }

    /// The node an ID in `depends_on` leads to.
    fn resolve(&self, wanted: &str) -> Key {
        let p = &self.ws.project;
        if let Some(i) = p.active_index(wanted) {
            return Key::Spec(i);
        }
        if self.include_archived {
            if let Some(i) = p.archived_index(wanted) {
                return Key::Spec(i);
            }
        }
        Key::Stub(wanted.to_string())
    }

    fn all(&self) -> Vec<Key> {
        let mut keys: Vec<Key> =
            (0..self.specs().len()).filter(|&i| self.is_node(i)).map(Key::Spec).collect();
        let mut stubs = Vec::new();
        for k in &keys {
            if let Key::Spec(i) = k {
                for r in self.specs()[*i].chant_depends_on().unwrap_or(&[]) {
                    if let k @ Key::Stub(_) = self.resolve(&r.id) {
                        stubs.push(k);
                    }
                }
            }
        }
        keys.extend(stubs);
        keys
    }

    /// The spec `around` names: a full ID, else the one spec whose ID ends with it.
    fn find(&self, wanted: &str) -> Result<usize, String> {
        if let Key::Spec(i) = self.resolve(wanted) {
            return Ok(i);
        }
        let matches: Vec<usize> = (0..self.specs().len())
            .filter(|&i| self.is_node(i) && self.specs()[i].id.ends_with(wanted))
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no spec has the ID `{wanted}`")),
            many => {
                let ids: Vec<String> =
                    many.iter().take(5).map(|&i| format!("`{}`", self.specs()[i].id)).collect();
                Err(format!("`{wanted}` names {} specs: {}", many.len(), ids.join(", ")))
            }
        }
    }

    /// Nodes one edge away from `k`, both ways.
    fn neighbours(&self, k: &Key) -> Vec<Key> {
        let p = &self.ws.project;
        let id = match k {
            Key::Spec(i) => p.specs[*i].id.as_str(),
            Key::Stub(s) => s.as_str(),
        };
        let mut out: Vec<Key> =
            p.dependents_of(id).into_iter().filter(|&j| self.is_node(j)).map(Key::Spec).collect();
        if let Key::Spec(i) = k {
            let s = &p.specs[*i];
            out.extend(s.chant_depends_on().unwrap_or(&[]).iter().map(|r| self.resolve(&r.id)));
            if s.place != Place::Archived {
                if let Some(d) = id::driver_of(&s.id).and_then(|d| p.active_index(d)) {
                    out.push(Key::Spec(d));
                }
                let members = p.members_of(&s.id);
                out.extend(members.iter().filter_map(|m| p.active_index(&m.id)).map(Key::Spec));
            }
        }
        out
    }

    fn around(&self, center: usize, depth: usize) -> Vec<Key> {
        let mut seen: FastSet<Key> = FastSet::default();
        let mut order = vec![Key::Spec(center)];
        seen.insert(Key::Spec(center));
        let mut queue = VecDeque::from([(Key::Spec(center), 0)]);
        while let Some((k, d)) = queue.pop_front() {
            if d == depth {
                continue;
            }
            for n in self.neighbours(&k) {
                if seen.insert(n.clone()) {
                    order.push(n.clone());
                    queue.push_back((n, d + 1));
                }
            }
        }
        order
    }

    fn spec_node(&self, i: usize, live: &dyn Fn(&str) -> bool, group: Option<String>) -> Node {
        let p = &self.ws.project;
        let s = &p.specs[i];
        let status = s.chant_status();
        let readiness = readiness_text(p, i);
        let state = match status {
            Status::Completed => State::Completed,
            Status::Cancelled => State::Cancelled,
            _ if s.place == Place::Archived => State::Pending,
            _ if live(&s.id) || status == Status::InProgress => State::Running,
            Status::Failed => State::Failed,
            _ => {
                let r = p.readiness(i);
                if r.ready {
                    State::Ready
                } else if !r.blockers.is_empty() {
                    State::Blocked
                } else {
                    State::Pending
                }
            }
        };
        let kind = if s.place == Place::Archived { NodeKind::Archived } else { NodeKind::Spec };
        Node {
            id: s.id.clone(),
            short: short_id(&s.id),
            title: s.title.clone(),
            status: Some(status),
            state: Some(state),
            kind,
            readiness,
            path: Some(s.path.clone()),
            group,
            focus: false,
        }
    }

    fn stub_node(&self, stub: &str) -> Node {
        let archived = self.ws.project.archived(stub);
        let (kind, readiness) = match (archived, id::split_repo(stub)) {
            (Some(_), _) => (NodeKind::Archived, "archived: chant never sees it".to_string()),
            (None, Some((repo, _))) => {
                (NodeKind::Unknown, format!("in repository `{repo}`, not this project"))
            }
            (None, None) => (NodeKind::Unknown, "no such spec".to_string()),
        };
        Node {
            id: stub.to_string(),
            short: short_id(stub),
            title: archived.and_then(|a| a.title.clone()),
            status: None,
            state: None,
            kind,
            readiness,
            path: None,
            group: None,
            focus: false,
        }
    }

    /// The edges into spec `i` (node `to`): its dependencies, and its driver's edge.
    fn edges_of(&self, i: usize, to: usize, index: &FastMap<String, usize>, out: &mut Vec<Edge>) {
        let p = &self.ws.project;
        let s = &p.specs[i];
        let cycles = self.ws.cycles();
        let mut seen: FastSet<usize> = FastSet::default();
        for r in s.chant_depends_on().unwrap_or(&[]) {
            let Some(&from) = index.get(&r.id) else { continue };
            if !seen.insert(from) {
                continue;
            }
            let dep = p.active_index(&r.id);
            let cycle = from == to
                || dep.is_some_and(|j| {
                    cycles.component(j).is_some() && cycles.component(j) == cycles.component(i)
                });
            let deadlock = match (id::driver_of(&s.id), id::member_number(&s.id), dep) {
                (Some(driver), Some(n), Some(j)) => {
                    id::driver_of(&r.id) == Some(driver)
                        && id::member_number(&r.id).is_some_and(|m| m > n)
                        && p.specs[j].chant_status() != Status::Completed
                }
                _ => false,
            };
            out.push(Edge { from, to, kind: EdgeKind::DependsOn, cycle, deadlock });
        }
        if s.place != Place::Archived {
            if let Some(&from) =
                id::driver_of(&s.id).filter(|d| p.active(d).is_some()).and_then(|d| index.get(d))
            {
                out.push(Edge { from, to, kind: EdgeKind::Member, cycle: false, deadlock: false });
            }
        }
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Dot,
    Mermaid,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "svg" => Format::Svg,
            "dot" | "gv" => Format::Dot,
            "mermaid" | "mmd" => Format::Mermaid,
            "json" => Format::Json,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Json => "json",
        }
    }
}

/// A graph written out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    /// What `text` is: the format asked for, or DOT when the SVG layout failed.
    pub format: Format,
    pub text: String,
    /// Something the reader must know (the SVG layout failed and DOT came instead).
    pub message: Option<String>,
}

/// Writes the graph in `format`. `Err` with [`Graph::too_large`]'s message for a picture
/// of more than [`MAX_NODES`] nodes (JSON has no limit).
pub fn draw(g: &Graph, format: Format) -> Result<Drawn, String> {
    draw_with(g, format, svg::render)
}

/// [`draw`] with the SVG renderer given (tests use it to make the layout fail).
pub fn draw_with(
    g: &Graph,
    format: Format,
    render_svg: impl FnOnce(&Graph) -> Result<String, String>,
) -> Result<Drawn, String> {
    if format != Format::Json {
        if let Some(why) = g.too_large() {
            return Err(why);
        }
    }
    let text = match format {
        Format::Dot => text::dot(g),
        Format::Mermaid => text::mermaid(g),
        Format::Json => serde_json::to_string_pretty(&text::json(g)).unwrap_or_default() + "\n",
        Format::Svg => match render_svg(g) {
            Ok(svg) => svg,
            Err(why) => {
                let message = Some(format!(
                    "{why}; here is the graph as DOT instead (render it with Graphviz: `dot -Tsvg`)"
                ));
                return Ok(Drawn { format: Format::Dot, text: text::dot(g), message });
            }
        },
    };
    Ok(Drawn { format, text, message: None })
}

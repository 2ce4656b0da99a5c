//! The graph as SVG, laid out by the `layout-rs` crate (layered, edge crossings
//! reduced). layout-rs draws through a backend trait; ours writes each node as a `<g>`
//! that carries the spec's ID and path (`data-id`, `data-path`, a `<title>` with the
//! readiness line), so an editor can make it clickable, and colours everything with
//! presentation attributes only (no `<style>`: a webview's strict CSP allows them).
//!
//! Each weakly connected component is laid out on its own and the components are packed
//! in shelves, largest first: layout-rs's crossing reduction grows faster than
//! quadratically with the width of a rank, and a project's many unrelated specs would
//! all share one rank (500 specs: about 11 s as one graph, a fraction of a second as
//! components). Components past [`OPTIMIZE_UP_TO`] nodes skip the crossing reduction.
//!
//! layout-rs has no clusters: a group is a dashed box drawn around its nodes after the
//! layout. It asserts internally on shapes it cannot handle; [`render`] runs it behind
//! `catch_unwind` and returns the panic's message instead.

use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::text::{label, tooltip};
use super::{EdgeKind, Graph, State, CYCLE_COLOUR};

const FONT: f64 = 12.0;
const CHAR_WIDTH: f64 = 7.0;
const LINE: f64 = 15.0;
const EDGE_COLOUR: &str = "#666666";

/// The SVG of `g`, or why layout-rs could not lay it out.
pub fn render(g: &Graph) -> Result<String, String> {
    render_with(g, lay_out)
}

/// [`render`] with the layout step given: `layout` runs behind `catch_unwind`, and a
/// panic in it becomes the `Err` message. Tests pass a layout that panics the way
/// layout-rs's internal assertions do, since no graph this crate builds is known to
/// trip them.
pub fn render_with(g: &Graph, layout: impl FnOnce(&Graph) -> String) -> Result<String, String> {
    let result = catch_unwind(AssertUnwindSafe(|| layout(g)));
    result.map_err(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        format!("the layout library (layout-rs) could not lay this graph out: {why}")
    })
}

/// Components with more nodes than this are laid out without layout-rs's crossing
/// reduction, which grows faster than quadratically with the width of a rank.
const OPTIMIZE_UP_TO: usize = 120;

/// Space between packed components.
const GAP: f64 = 36.0;

fn node_size(g: &Graph, k: usize) -> Point {
    let (title, line) = label(&g.nodes[k]);
    let chars = title.chars().count().max(line.chars().count()) as f64;
    Point::new((chars * CHAR_WIDTH + 24.0).max(90.0), 2.0 * LINE + 16.0)
}

/// The weakly connected components: node indexes (ascending) and edge indexes, in the
/// order of their first node.
fn components(g: &Graph) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut parent: Vec<usize> = (0..g.nodes.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for e in &g.edges {
        let (a, b) = (find(&mut parent, e.from), find(&mut parent, e.to));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut index: Vec<Option<usize>> = vec![None; g.nodes.len()];
    let mut out: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for k in 0..g.nodes.len() {
        let r = find(&mut parent, k);
        let c = *index[r].get_or_insert_with(|| {
            out.push((Vec::new(), Vec::new()));
            out.len() - 1
        });
        out[c].0.push(k);
    }
    for (k, e) in g.edges.iter().enumerate() {
        let r = find(&mut parent, e.from);
        if let Some(c) = index[r] {
            out[c].1.push(k);
        }
    }
    out
}

/// One component laid out by layout-rs (a lone node without a self-edge is just its box).
fn lay_out_component(g: &Graph, nodes: &[usize], edges: &[usize]) -> Piece {
    let mut piece = Piece::default();
    if let ([k], []) = (nodes, edges) {
        piece.nodes.push((*k, Point::zero(), node_size(g, *k)));
        return piece;
    }
    let mut vg = VisualGraph::new(Orientation::TopToBottom);
    let look = StyleAttr::simple();
    let mut handle = std::collections::HashMap::new();
    for &k in nodes {
        let shape = ShapeKind::Box(String::new());
        let el = Element::create_with_properties(
            shape,
            look.clone(),
            Orientation::TopToBottom,
            node_size(g, k),
            format!("n{k}"),
        );
        handle.insert(k, vg.add_node(el));
    }
    for &k in edges {
        let e = &g.edges[k];
        let style = if e.kind == EdgeKind::Member { LineStyleKind::Dashed } else { LineStyleKind::Normal };
        let arrow = Arrow::with_properties(
            LineEndKind::None,
            LineEndKind::Arrow,
            style,
            "",
            &look,
            format!("e{k}"),
            &None,
            &None,
        );
        vg.add_edge(arrow, handle[&e.from], handle[&e.to]);
    }
    vg.do_it(false, nodes.len() > OPTIMIZE_UP_TO, false, &mut piece);
    piece
}

fn lay_out(g: &Graph) -> String {
    let mut pieces: Vec<Piece> =
        components(g).iter().map(|(nodes, edges)| lay_out_component(g, nodes, edges)).collect();
    // Larger components first, then in the order of their first node; packed in shelves
    // about as wide as the whole drawing is tall.
    pieces.sort_by_key(|p| std::cmp::Reverse(p.nodes.len()));
    let bounds: Vec<(Point, Point)> = pieces.iter().map(Piece::bounds).collect();
    let area: f64 = bounds.iter().map(|(lo, hi)| (hi.x - lo.x + GAP) * (hi.y - lo.y + GAP)).sum();
    let widest = bounds.iter().map(|(lo, hi)| hi.x - lo.x).fold(0.0, f64::max);
    let width = widest.max((area * 1.6).sqrt()).max(600.0);
    let (mut x, mut y, mut shelf) = (GAP / 2.0, GAP / 2.0, 0.0f64);
    let mut offsets = Vec::with_capacity(pieces.len());
    for (lo, hi) in &bounds {
        let (w, h) = (hi.x - lo.x, hi.y - lo.y);
        if x > GAP / 2.0 && x + w > width {
            x = GAP / 2.0;
            y += shelf + GAP;
            shelf = 0.0;
        }
        offsets.push(Point::new(x - lo.x, y - lo.y));
        x += w + GAP;
        shelf = shelf.max(h);
    }
    let mut w = Writer::new(g);
    for (piece, at) in pieces.iter().zip(offsets) {
        for &(k, xy, size) in &piece.nodes {
            w.node(k, xy.add(at), size);
        }
        for (k, path, head) in &piece.arrows {
            let moved: Vec<(Point, Point)> = path.iter().map(|(a, b)| (a.add(at), b.add(at))).collect();
            w.arrow(*k, &moved, *head);
        }
    }
    w.finish()
}

/// A drawn edge: its index, the path's points with their control points, and its
/// arrow heads (start, end).
type Drawn = (usize, Vec<(Point, Point)>, (bool, bool));

/// What layout-rs drew for one component, in its own coordinates.
#[derive(Default)]
struct Piece {
    /// Node index, top-left, size.
    nodes: Vec<(usize, Point, Point)>,
    arrows: Vec<Drawn>,
}

impl Piece {
    fn bounds(&self) -> (Point, Point) {
        let mut lo = Point::new(f64::MAX, f64::MAX);
        let mut hi = Point::new(f64::MIN, f64::MIN);
        let mut take = |p: Point| {
            lo = Point::new(lo.x.min(p.x), lo.y.min(p.y));
            hi = Point::new(hi.x.max(p.x), hi.y.max(p.y));
        };
        for &(_, xy, size) in &self.nodes {
            // Room for a group's box and label around the node.
            take(Point::new(xy.x - 16.0, xy.y - 26.0));
            take(Point::new(xy.x + size.x + 16.0, xy.y + size.y + 16.0));
        }
        for (_, path, _) in &self.arrows {
            for (a, b) in path {
                take(*a);
                take(*b);
            }
        }
        if lo.x > hi.x {
            return (Point::zero(), Point::zero());
        }
        (lo, hi)
    }
}

/// Which node or edge layout-rs is drawing (we passed `n<k>` / `e<k>` as properties).
fn index_of(properties: &Option<String>, prefix: char) -> Option<usize> {
    properties.as_deref()?.strip_prefix(prefix)?.parse().ok()
}

impl RenderBackend for Piece {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _: &StyleAttr,
        properties: Option<String>,
        _: Option<ClipHandle>,
    ) {
        if let Some(k) = index_of(&properties, 'n') {
            self.nodes.push((k, xy, size));
        }
    }

    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        head: (bool, bool),
        _: &StyleAttr,
        properties: Option<String>,
        _: &str,
    ) {
        if let Some(k) = index_of(&properties, 'e') {
            if path.len() >= 2 {
                self.arrows.push((k, path.to_vec(), head));
            }
        }
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

/// Writes the document from the placed nodes and edges.
struct Writer<'g> {
    g: &'g Graph,
    /// Node boxes by node index: top-left and size.
    boxes: Vec<Option<(Point, Point)>>,
    nodes: String,
    edges: String,
    max: Point,
}

impl<'g> Writer<'g> {
    fn new(g: &'g Graph) -> Self {
        Writer {
            g,
            boxes: vec![None; g.nodes.len()],
            nodes: String::new(),
            edges: String::new(),
            max: Point::zero(),
        }
    }

    fn grow(&mut self, p: Point) {
        self.max.x = self.max.x.max(p.x + 10.0);
        self.max.y = self.max.y.max(p.y + 10.0);
    }

    fn node(&mut self, k: usize, xy: Point, size: Point) {
        let Some(n) = self.g.nodes.get(k) else { return };
        self.boxes[k] = Some((xy, size));
        self.grow(Point::new(xy.x + size.x, xy.y + size.y));
        let (fill, border) = n.state.map_or(("#ffffff", "#999999"), State::colours);
        let class = n.state.map_or("stub", State::as_str);
        let dash = if n.dashed() { " stroke-dasharray=\"5 4\"" } else { "" };
        let width = if n.focus { 3.5 } else { 1.5 };
        let focus = if n.focus { " focus" } else { "" };
        let path = n.path.as_deref().map(|p| format!(" data-path=\"{}\"", esc(p))).unwrap_or_default();
        let (title, line) = label(n);
        let cx = xy.x + size.x / 2.0;
        let cy = xy.y + size.y / 2.0;
        let _ = writeln!(
            self.nodes,
            "<g class=\"node {class}{focus}\" id=\"node-{k}\" data-id=\"{}\"{path} data-state=\"{class}\"><title>{}</title>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"{fill}\" stroke=\"{border}\" stroke-width=\"{width}\"{dash}/>\
             <text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"{FONT}\" fill=\"#222222\">{}</text>\
             <text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"{}\" fill=\"#555555\">{}</text></g>",
            esc(&n.id),
            esc(&tooltip(n)),
            xy.x,
            xy.y,
            size.x,
            size.y,
            cy - 3.0,
            esc(&title),
            cy + LINE - 3.0,
            FONT - 1.0,
            esc(&line),
        );
    }

    fn arrow(&mut self, k: usize, path: &[(Point, Point)], head: (bool, bool)) {
        let Some(e) = self.g.edges.get(k) else { return };
        if path.len() < 2 {
            return;
        }
        for p in path {
            self.grow(p.0);
            self.grow(p.1);
        }
        let mut d = format!(
            "M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
            path[0].0.x,
            path[0].0.y,
            path[0].1.x,
            path[0].1.y,
            path[1].0.x,
            path[1].0.y,
            path[1].1.x,
            path[1].1.y
        );
        for p in &path[2..] {
            let _ = write!(d, " S {:.1} {:.1}, {:.1} {:.1}", p.0.x, p.0.y, p.1.x, p.1.y);
        }
        let (colour, marker, width) =
            if e.red() { (CYCLE_COLOUR, "arrow-red", 2.5) } else { (EDGE_COLOUR, "arrow", 1.3) };
        let class = match (e.kind, e.cycle, e.deadlock) {
            (_, true, _) => "edge cycle",
            (_, _, true) => "edge deadlock",
            (EdgeKind::Member, ..) => "edge member",
            _ => "edge",
        };
        let dash = if e.kind == EdgeKind::Member { " stroke-dasharray=\"4 4\"" } else { "" };
        // layout-rs reverses an edge to break a cycle and flips its heads with it.
        let start = if head.0 { format!(" marker-start=\"url(#{marker})\"") } else { String::new() };
        let end = if head.1 { format!(" marker-end=\"url(#{marker})\"") } else { String::new() };
        let (from, to) = (&self.g.nodes[e.from].id, &self.g.nodes[e.to].id);
        let what = match (e.kind, e.cycle, e.deadlock) {
            (_, true, _) => " (dependency cycle)",
            (_, _, true) => " (sibling deadlock)",
            (EdgeKind::Member, ..) => " (member of its driver)",
            _ => "",
        };
        let _ = writeln!(
            self.edges,
            "<g class=\"{class}\" data-from=\"{}\" data-to=\"{}\"><title>{} → {}{what}</title><path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\"{dash}{start}{end}/></g>",
            esc(from),
            esc(to),
            esc(from),
            esc(to),
        );
    }

    fn finish(mut self) -> String {
        // Groups: a dashed box around the driver and its members.
        let mut groups = String::new();
        let mut by_driver: std::collections::BTreeMap<&str, (Point, Point)> = Default::default();
        for (k, n) in self.g.nodes.iter().enumerate() {
            let (Some(d), Some((xy, size))) = (&n.group, self.boxes[k]) else { continue };
            let lo = Point::new(xy.x - 14.0, xy.y - 24.0);
            let hi = Point::new(xy.x + size.x + 14.0, xy.y + size.y + 14.0);
            let e = by_driver.entry(d.as_str()).or_insert((lo, hi));
            e.0 = Point::new(e.0.x.min(lo.x), e.0.y.min(lo.y));
            e.1 = Point::new(e.1.x.max(hi.x), e.1.y.max(hi.y));
        }
        for (driver, (lo, hi)) in by_driver {
            self.grow(hi);
            let _ = writeln!(
                groups,
                "<g class=\"group\" data-driver=\"{}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"10\" fill=\"#f7f7fb\" stroke=\"#9a9ab0\" stroke-dasharray=\"6 4\"/><text x=\"{:.1}\" y=\"{:.1}\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#55556a\">group {}</text></g>",
                esc(driver),
                lo.x,
                lo.y,
                hi.x - lo.x,
                hi.y - lo.y,
                lo.x + 8.0,
                lo.y + 14.0,
                esc(&super::short_id(driver))
            );
        }
        let (w, h) = (self.max.x.ceil(), self.max.y.ceil());
        let mut out = String::with_capacity(groups.len() + self.edges.len() + self.nodes.len() + 1024);
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chant-graph\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">"
        );
        out.push_str("<defs>");
        for (name, colour) in [("arrow", EDGE_COLOUR), ("arrow-red", CYCLE_COLOUR)] {
            let _ = write!(
                out,
                "<marker id=\"{name}\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"7\" refX=\"10\" refY=\"3.5\" orient=\"auto\"><polygon points=\"0 0, 10 3.5, 0 7\" fill=\"{colour}\"/></marker>"
            );
        }
        out.push_str("</defs>\n");
        let _ = writeln!(out, "<rect class=\"background\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>");
        out.push_str(&groups);
        out.push_str(&self.edges);
        out.push_str(&self.nodes);
        out.push_str("</svg>\n");
        out
    }
}

/// Text for an XML attribute or element.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters, even escaped.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

//! The graph as SVG, laid out by the `layout-rs` crate (layered, edge crossings
//! reduced). layout-rs draws through a backend trait; ours writes each node as a `<g>`
//! that carries the spec's ID and path (`data-id`, `data-path`, a `<title>` with the
//! readiness line), so an editor can make it clickable, and colours everything with
//! presentation attributes only (no `<style>`: a webview's strict CSP allows them).
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
    let result = catch_unwind(AssertUnwindSafe(|| lay_out(g)));
    result.map_err(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        format!("the layout library (layout-rs) could not lay this graph out: {why}")
    })
}

fn lay_out(g: &Graph) -> String {
    let mut vg = VisualGraph::new(Orientation::TopToBottom);
    let look = StyleAttr::simple();
    let handles: Vec<_> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(k, n)| {
            let (title, line) = label(n);
            let chars = title.chars().count().max(line.chars().count()) as f64;
            let size = Point::new((chars * CHAR_WIDTH + 24.0).max(90.0), 2.0 * LINE + 16.0);
            let shape = ShapeKind::Box(String::new());
            vg.add_node(Element::create_with_properties(
                shape,
                look.clone(),
                Orientation::TopToBottom,
                size,
                format!("n{k}"),
            ))
        })
        .collect();
    for (k, e) in g.edges.iter().enumerate() {
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
        vg.add_edge(arrow, handles[e.from], handles[e.to]);
    }
    let mut w = Writer::new(g);
    vg.do_it(false, false, false, &mut w);
    w.finish()
}

/// Collects what layout-rs draws and writes the document.
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

/// Which node or edge layout-rs is drawing (we passed `n<k>` / `e<k>` as properties).
fn index_of(properties: &Option<String>, prefix: char) -> Option<usize> {
    properties.as_deref()?.strip_prefix(prefix)?.parse().ok()
}

impl RenderBackend for Writer<'_> {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _: &StyleAttr,
        properties: Option<String>,
        _: Option<ClipHandle>,
    ) {
        let Some(k) = index_of(&properties, 'n') else { return };
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
        let Some(e) = index_of(&properties, 'e').and_then(|k| self.g.edges.get(k)) else { return };
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

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
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

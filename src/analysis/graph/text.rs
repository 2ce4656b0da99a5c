//! The graph as text: DOT (Graphviz; groups as clusters), Mermaid (a flowchart; groups
//! as subgraphs) and JSON (nodes and edges, for tools). Every name from the project is
//! escaped for the format it goes into.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Value};

use super::{EdgeKind, Graph, Node, State, CYCLE_COLOUR};
use crate::analysis::hash::FastSet;

/// Titles longer than this are cut in pictures (JSON keeps them whole).
const TITLE_CHARS: usize = 40;

/// A node's two label lines: its title (cut, controls as spaces) and `short · status`.
pub fn label(n: &Node) -> (String, String) {
    let title = n.title.as_deref().unwrap_or("(no title)");
    let clean: String = title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let mut cut: String = clean.chars().take(TITLE_CHARS).collect();
    if clean.chars().count() > TITLE_CHARS {
        cut.push('…');
    }
    let what = match (n.status, n.kind) {
        (Some(s), super::NodeKind::Spec) => s.as_str().to_string(),
        (Some(s), _) => format!("{}, archived", s.as_str()),
        (None, super::NodeKind::Archived) => "archived".to_string(),
        (None, _) => n.readiness.clone(),
    };
    let title = match (&n.title, n.state) {
        (None, None) => n.id.clone(),
        _ => cut,
    };
    (title, format!("{} · {what}", n.short))
}

/// What a node's tooltip says: its ID, state and readiness line.
pub fn tooltip(n: &Node) -> String {
    let state = n.state.map_or("missing", State::as_str);
    format!("{} ({state}): {}", n.id, n.readiness)
}

/// Groups in the order of their drivers: driver ID → node indexes.
fn groups(g: &Graph) -> BTreeMap<&str, Vec<usize>> {
    let mut out: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        if let Some(d) = &n.group {
            out.entry(d.as_str()).or_default().push(i);
        }
    }
    out
}

fn dot_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot_node(out: &mut String, n: &Node, indent: &str) {
    let (title, line) = label(n);
    let (fill, border) = n.state.map_or(("#ffffff", "#999999"), State::colours);
    let mut style = vec!["rounded", "filled"];
    if n.dashed() {
        style.push("dashed");
    }
    let width = if n.focus { ", penwidth=3" } else { "" };
    let _ = writeln!(
        out,
        "{indent}{} [label={}, class={}, fillcolor=\"{fill}\", color=\"{border}\", style=\"{}\", tooltip={}{width}];",
        dot_string(&n.id),
        dot_string(&format!("{title}\n{line}")),
        dot_string(n.state.map_or("stub", State::as_str)),
        style.join(","),
        dot_string(&tooltip(n)),
    );
}

/// Graphviz DOT: top to bottom, dependencies above the specs that wait for them.
pub fn dot(g: &Graph) -> String {
    let mut out = String::from("digraph chant {\n");
    out.push_str("  rankdir=TB;\n");
    out.push_str("  node [shape=box, fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [color=\"#555555\"];\n");
    let groups = groups(g);
    let grouped: FastSet<usize> = groups.values().flatten().copied().collect();
    for (driver, members) in &groups {
        let _ = writeln!(out, "  subgraph {} {{", dot_string(&format!("cluster_{driver}")));
        let _ = writeln!(out, "    label={};", dot_string(&format!("group {}", super::short_id(driver))));
        out.push_str("    style=\"rounded,dashed\";\n    color=\"#888888\";\n");
        for &i in members {
            dot_node(&mut out, &g.nodes[i], "    ");
        }
        out.push_str("  }\n");
    }
    for (i, n) in g.nodes.iter().enumerate() {
        if !grouped.contains(&i) {
            dot_node(&mut out, n, "  ");
        }
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if e.kind == EdgeKind::Member {
            attrs.push("style=dotted".to_string());
            attrs.push("arrowhead=odiamond".to_string());
        }
        if e.red() {
            attrs.push(format!("color=\"{CYCLE_COLOUR}\""));
            attrs.push("penwidth=2".to_string());
            attrs.push(format!("class={}", if e.cycle { "cycle" } else { "deadlock" }));
        }
        let attrs = if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
        let _ = writeln!(
            out,
            "  {} -> {}{attrs};",
            dot_string(&g.nodes[e.from].id),
            dot_string(&g.nodes[e.to].id)
        );
    }
    out.push_str("}\n");
    out
}

/// Mermaid node names: `s_` and the ID with every other character than a letter or a
/// digit as `_` (a number appended when two IDs meet).
fn mermaid_names(g: &Graph) -> Vec<String> {
    let mut taken: FastSet<String> = FastSet::default();
    g.nodes
        .iter()
        .map(|n| {
            let base: String =
                n.id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            let mut name = format!("s_{base}");
            let mut k = 2;
            while !taken.insert(name.clone()) {
                name = format!("s_{base}_{k}");
                k += 1;
            }
            name
        })
        .collect()
}

fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid flowchart: top to bottom, classes by state, red links for cycles.
pub fn mermaid(g: &Graph) -> String {
    let names = mermaid_names(g);
    let mut out = String::from("flowchart TB\n");
    for s in State::ALL {
        let (fill, border) = s.colours();
        let _ = writeln!(out, "  classDef {} fill:{fill},stroke:{border},color:#222222", s.as_str());
    }
    out.push_str("  classDef stub fill:#ffffff,stroke:#999999,stroke-dasharray:5 5,color:#555555\n");
    out.push_str("  classDef archived stroke-dasharray:5 5\n");
    out.push_str("  classDef focus stroke-width:4px\n");
    let node = |out: &mut String, i: usize, indent: &str| {
        let n = &g.nodes[i];
        let (title, line) = label(n);
        let mut classes = vec![n.state.map_or("stub", State::as_str)];
        if n.state.is_some() && n.dashed() {
            classes.push("archived");
        }
        if n.focus {
            classes.push("focus");
        }
        let _ = writeln!(
            out,
            "{indent}{}[\"{}<br/>{}\"]:::{}",
            names[i],
            mermaid_text(&title),
            mermaid_text(&line),
            classes.join(",")
        );
    };
    let groups = groups(g);
    let grouped: FastSet<usize> = groups.values().flatten().copied().collect();
    for (k, (driver, members)) in groups.iter().enumerate() {
        let _ = writeln!(out, "  subgraph group_{k}[\"group {}\"]", mermaid_text(&super::short_id(driver)));
        for &i in members {
            node(&mut out, i, "    ");
        }
        out.push_str("  end\n");
    }
    for i in (0..g.nodes.len()).filter(|i| !grouped.contains(i)) {
        node(&mut out, i, "  ");
    }
    let mut red = Vec::new();
    for (k, e) in g.edges.iter().enumerate() {
        let arrow = if e.kind == EdgeKind::Member { "-.->" } else { "-->" };
        let _ = writeln!(out, "  {} {arrow} {}", names[e.from], names[e.to]);
        if e.red() {
            red.push(k.to_string());
        }
    }
    if !red.is_empty() {
        let _ = writeln!(out, "  linkStyle {} stroke:{CYCLE_COLOUR},stroke-width:2px", red.join(","));
    }
    out
}

/// Nodes and edges for tools (the README documents the fields).
pub fn json(g: &Graph) -> Value {
    let nodes: Vec<Value> = g
        .nodes
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "short": n.short,
                "title": n.title,
                "status": n.status.map(|s| s.as_str()),
                "state": n.state,
                "kind": n.kind,
                "readiness": n.readiness,
                "path": n.path,
                "group": n.group,
                "focus": n.focus,
            })
        })
        .collect();
    let edges: Vec<Value> = g
        .edges
        .iter()
        .map(|e| {
            json!({
                "from": g.nodes[e.from].id,
                "to": g.nodes[e.to].id,
                "kind": e.kind,
                "cycle": e.cycle,
                "deadlock": e.deadlock,
            })
        })
        .collect();
    json!({ "around": g.around, "depth": g.depth, "nodes": nodes, "edges": edges })
}

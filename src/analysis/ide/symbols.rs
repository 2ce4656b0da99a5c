//! The reader's structure of an open spec (tree-sitter-md, block grammar): the outline
//! (frontmatter keys, sections, acceptance criteria as children of their section) and
//! folding ranges; plus workspace symbols (specs by ID and title).

use std::ops::Range;

use tree_sitter::{Node, Parser, Tree};

use crate::analysis::project::Project;
use crate::analysis::spec::{Place, SpecFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Frontmatter,
    Key,
    Section,
    Criterion { checked: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole thing (a section runs to the next heading of its level).
    pub range: Range<usize>,
    /// What to highlight (the heading, the key).
    pub selection: Range<usize>,
    pub children: Vec<Symbol>,
}

/// Parses a document with the markdown block grammar. `None` only if the grammar
/// cannot be loaded (a build problem, reported by the caller).
pub fn parse(text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_md::LANGUAGE.into()).ok()?;
    parser.parse(text, None)
}

fn node_range(n: Node) -> Range<usize> {
    n.start_byte()..n.end_byte()
}

/// Trims a range to its text without trailing line breaks and spaces.
fn trim(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    r.start..r.start + s.trim_end().len()
}

/// The document outline.
pub fn outline(f: &SpecFile) -> Vec<Symbol> {
    let mut out = Vec::new();
    if let Some(yaml) = &f.yaml {
        let children = f
            .layout
            .entries
            .iter()
            .map(|e| Symbol {
                name: e.key.clone(),
                detail: Some(short(&f.text[e.value.range()])),
                kind: SymbolKind::Key,
                range: e.range.clone(),
                selection: e.key_range.clone(),
                children: Vec::new(),
            })
            .collect();
        let start = f.split.open_fence.as_ref().map_or(yaml.start, |r| r.start);
        let end = f.split.close_fence.as_ref().map_or(yaml.end, |r| r.end);
        // The opening fence, or (when chant found none) up to three bytes of what is
        // there, ending on a character boundary.
        let mut selection_end = f.split.open_fence.as_ref().map_or(start + 3, |r| r.end).min(end);
        while !f.text.is_char_boundary(selection_end) {
            selection_end -= 1;
        }
        out.push(Symbol {
            name: "frontmatter".to_string(),
            detail: None,
            kind: SymbolKind::Frontmatter,
            range: start..end,
            selection: start..selection_end,
            children,
        });
    }
    let Some(tree) = parse(f.text) else { return out };
    let body_start = f.split.close_fence.as_ref().map_or(0, |r| r.end);
    sections(f.text, tree.root_node(), body_start, &mut out);
    out
}

fn short(s: &str) -> String {
    crate::analysis::text::ellipsis(&s.split_whitespace().collect::<Vec<_>>().join(" "), 60)
}

fn heading_text(text: &str, heading: Node) -> Option<(String, Range<usize>)> {
    let mut cursor = heading.walk();
    for child in heading.children(&mut cursor) {
        if child.kind() == "inline" {
            let r = trim(text, node_range(child));
            return Some((text[r.clone()].trim().to_string(), node_range(heading)));
        }
    }
    None
}

fn sections(text: &str, node: Node, body_start: usize, out: &mut Vec<Symbol>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.end_byte() <= body_start {
            continue;
        }
        if child.kind() != "section" {
            continue;
        }
        let mut inner = child.walk();
        let heading =
            child.children(&mut inner).find(|c| c.kind() == "atx_heading" || c.kind() == "setext_heading");
        let Some(heading) = heading else {
            // A section without a heading (text before the first heading): look inside.
            sections(text, child, body_start, out);
            continue;
        };
        let Some((name, selection)) = heading_text(text, heading) else { continue };
        let mut children = Vec::new();
        let is_ac = name.to_lowercase().starts_with("acceptance criteria");
        if is_ac {
            criteria(text, child, &mut children);
        }
        sections(text, child, body_start, &mut children);
        out.push(Symbol {
            name,
            detail: None,
            kind: SymbolKind::Section,
            range: trim(text, node_range(child)),
            selection: trim(text, selection),
            children,
        });
    }
}

/// Task list items directly in this section (not in subsections).
fn criteria(text: &str, section: Node, out: &mut Vec<Symbol>) {
    let mut cursor = section.walk();
    for child in section.children(&mut cursor) {
        if child.kind() == "list" {
            list_items(text, child, out);
        }
    }
}

fn list_items(text: &str, list: Node, out: &mut Vec<Symbol>) {
    let mut cursor = list.walk();
    for item in list.children(&mut cursor) {
        if item.kind() != "list_item" {
            continue;
        }
        let mut c = item.walk();
        let mut checked = None;
        let mut content = None;
        let mut nested = Vec::new();
        for part in item.children(&mut c) {
            match part.kind() {
                "task_list_marker_checked" => checked = Some(true),
                "task_list_marker_unchecked" => checked = Some(false),
                "paragraph" if content.is_none() => content = Some(part),
                "list" => list_items(text, part, &mut nested),
                _ => {}
            }
        }
        match (checked, content) {
            (Some(checked), Some(p)) => {
                let r = trim(text, node_range(p));
                out.push(Symbol {
                    name: format!("{} {}", if checked { "☑" } else { "☐" }, short(&text[r.clone()])),
                    detail: None,
                    kind: SymbolKind::Criterion { checked },
                    range: trim(text, node_range(item)),
                    selection: r,
                    children: nested,
                });
            }
            // A plain list item: its task items still count.
            _ => out.extend(nested),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    Frontmatter,
    Section,
    Code,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub range: Range<usize>,
    pub kind: FoldKind,
}

/// Folding ranges: the frontmatter, sections and fenced code blocks.
pub fn folding(f: &SpecFile) -> Vec<Fold> {
    let mut out = Vec::new();
    if let (Some(open), Some(close)) = (&f.split.open_fence, &f.split.close_fence) {
        out.push(Fold { range: open.start..close.end, kind: FoldKind::Frontmatter });
    }
    let Some(tree) = parse(f.text) else { return out };
    let body_start = f.split.close_fence.as_ref().map_or(0, |r| r.end);
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        let mut cursor = n.walk();
        for child in n.children(&mut cursor) {
            if child.end_byte() <= body_start {
                continue;
            }
            match child.kind() {
                "section" => {
                    out.push(Fold { range: trim(f.text, node_range(child)), kind: FoldKind::Section });
                    stack.push(child);
                }
                "fenced_code_block" => {
                    out.push(Fold { range: trim(f.text, node_range(child)), kind: FoldKind::Code })
                }
                _ => stack.push(child),
            }
        }
    }
    out.sort_by_key(|fold| (fold.range.start, std::cmp::Reverse(fold.range.end)));
    out
}

/// A spec for the workspace symbol search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecSymbol {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub path: String,
    pub title_range: Range<usize>,
}

/// Specs whose ID or title matches `query` (every query word, case-insensitive, or the
/// query's characters in order within the ID), best matches first, at most `limit`.
pub fn workspace_symbols(project: &Project, query: &str, limit: usize) -> Vec<SpecSymbol> {
    let q = query.to_lowercase();
    let words: Vec<&str> = q.split_whitespace().collect();
    let subsequence = |hay: &str| {
        let mut it = hay.chars();
        q.chars().filter(|c| !c.is_whitespace()).all(|c| it.any(|h| h == c))
    };
    let mut hits: Vec<(u8, &crate::analysis::spec::Summary)> = project
        .specs
        .iter()
        .filter(|s| s.place != Place::Archived)
        .filter_map(|s| {
            let title = s.title.as_deref().unwrap_or("").to_lowercase();
            let rank = if q.is_empty() || s.id.contains(&q) {
                0
            } else if words.iter().all(|w| title.contains(w)) {
                1
            } else if subsequence(&s.id) {
                2
            } else {
                return None;
            };
            Some((rank, s))
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.id.cmp(&a.1.id)));
    hits.into_iter()
        .take(limit)
        .map(|(_, s)| SpecSymbol {
            id: s.id.clone(),
            title: s.title.clone().unwrap_or_default(),
            status: s.status.as_str(),
            path: s.path.clone(),
            title_range: s.title_range.clone(),
        })
        .collect()
}

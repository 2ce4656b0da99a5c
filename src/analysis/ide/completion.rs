//! Completion in a spec: frontmatter keys (absent ones first, with docs), enum values,
//! spec IDs in `depends_on` / `members` / `[[…]]` (matched by ID fragment or title
//! words, never one that would close a dependency cycle), file paths one directory at
//! a time (honouring `.gitignore`), prompt names and labels used elsewhere.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use super::docs;
use crate::analysis::facts::{FileFacts, FileKind};
use crate::analysis::frontmatter::KNOWN_KEYS;
use crate::analysis::project::Project;
use crate::analysis::spec::{Place, SpecFile, LINK_FIELDS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Key,
    Value,
    Spec,
    File,
    Folder,
    Prompt,
    Label,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: Kind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// Replaces `replace` when accepted.
    pub insert: String,
    pub replace: Range<usize>,
    pub sort: String,
    pub filter: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<Completion>,
    /// More would match: the client should ask again as the user types.
    pub incomplete: bool,
}

/// At most this many spec IDs are returned at once.
const MAX_SPECS: usize = 200;

/// What is being typed.
enum Site<'a> {
    Key { partial: &'a str, parent: Option<String> },
    Value { key: String, partial: &'a str },
    WikiLink { partial: &'a str, closed: bool },
}

pub fn complete(project: &Project, facts: &dyn FileFacts, f: &SpecFile, offset: usize) -> Completions {
    let text = f.text;
    let offset = offset.min(text.len());
    // The cursor's line as the editor sees it: a lone `\r` ends a line too (as in YAML),
    // and an edit range must stay on the cursor's line.
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = text[offset..].find(['\n', '\r']).map_or(text.len(), |i| offset + i);
    let prefix = &text[line_start..offset];
    let in_yaml = f.yaml.as_ref().is_some_and(|y| y.start <= offset && offset <= y.end)
        || (f.split.open_fence.is_some() && f.split.close_fence.is_none() && f.yaml.is_none());
    let Some((site, start)) = site(text, line_start, prefix, in_yaml) else { return Completions::default() };
    // The token runs on to the end of the word after the cursor.
    let rest = &text[offset..line_end];
    let word_end = offset + rest.find([' ', ',', ']', '\t', '\r']).unwrap_or(rest.len());
    let replace = start..word_end;
    match site {
        Site::Key { partial, parent } => keys(f, parent.as_deref(), partial, replace),
        Site::Value { key, partial } => values(project, facts, f, &key, partial, replace),
        Site::WikiLink { partial, closed } => {
            let mut c = spec_ids(project, f, partial, replace, false);
            if !closed {
                for item in &mut c.items {
                    item.insert.push_str("]]");
                }
            }
            c
        }
    }
}

/// Finds what is typed before the cursor and where that token starts.
fn site<'a>(text: &'a str, line_start: usize, prefix: &'a str, in_yaml: bool) -> Option<(Site<'a>, usize)> {
    if !in_yaml {
        let open = prefix.rfind("[[")?;
        let partial = &prefix[open + 2..];
        if partial.contains("]]") || partial.contains(char::is_whitespace) {
            return None;
        }
        let after = &text[line_start + prefix.len()..];
        let closed = after.split_whitespace().next().is_some_and(|w| w.contains("]]"));
        return Some((Site::WikiLink { partial, closed }, line_start + open + 2));
    }
    let indent = prefix.len() - prefix.trim_start_matches(' ').len();
    let content = &prefix[indent..];
    // `- partial` under a list key.
    if let Some(item) = content.strip_prefix('-') {
        let partial = item.trim_start_matches(' ');
        let key = owning_key(text, line_start)?;
        return Some((Site::Value { key, partial }, line_start + prefix.len() - partial.len()));
    }
    match content.find(':') {
        None => {
            let parent = if indent > 0 { owning_key(text, line_start) } else { None };
            Some((Site::Key { partial: content, parent }, line_start + indent))
        }
        Some(colon) => {
            let key = &content[..colon];
            let key = match (indent, owning_key(text, line_start)) {
                (0, _) => key.to_string(),
                (_, Some(parent)) => format!("{parent}.{key}"),
                (_, None) => key.to_string(),
            };
            let value = &content[colon + 1..];
            // In a flow list, the current item.
            let partial_start = match value.rfind(['[', ',']) {
                Some(i) => colon + 1 + i + 1,
                None => colon + 1,
            };
            let partial = content[partial_start..].trim_start_matches(' ');
            let start = line_start + prefix.len() - partial.len();
            Some((Site::Value { key, partial }, start))
        }
    }
}

/// The nearest key above `line_start` with a smaller indentation.
fn owning_key(text: &str, line_start: usize) -> Option<String> {
    let here = &text[line_start..];
    let indent = here.len() - here.trim_start_matches(' ').len();
    let mut end = line_start;
    while end > 0 {
        let start = text[..end - 1].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let line = &text[start..end - 1];
        end = start;
        let content = line.trim_start_matches(' ');
        let line_indent = line.len() - content.len();
        if content.is_empty() || content.starts_with('#') || content.starts_with('-') {
            continue;
        }
        if content == "---" {
            return None;
        }
        if line_indent < indent || (line_indent == 0 && indent == 0) {
            let key = content.split(':').next()?.trim();
            return Some(key.to_string());
        }
    }
    None
}

fn keys(f: &SpecFile, parent: Option<&str>, partial: &str, replace: Range<usize>) -> Completions {
    let candidates: Vec<(&str, &str, &str)> = match parent {
        None => docs::KEYS.to_vec(),
        Some("approval") => vec![
            ("required", "`true` | `false`", "Whether approval is needed before work."),
            ("status", "`pending` | `approved` | `rejected`", "The approval decision."),
            ("by", "string", "Who decided."),
            ("at", "timestamp", "When."),
        ],
        Some(_) => return Completions::default(),
    };
    let present: HashSet<&str> = match parent {
        None => f.layout.entries.iter().map(|e| e.key.as_str()).collect(),
        Some(p) => match f.layout.get(p).map(|e| &e.value) {
            Some(crate::analysis::layout::Value::Map { entries, .. }) => {
                entries.iter().map(|e| e.key.as_str()).collect()
            }
            _ => HashSet::new(),
        },
    };
    let items = candidates
        .into_iter()
        .filter(|(k, _, _)| k.starts_with(partial) || partial.is_empty() || k.contains(partial))
        .map(|(k, shape, doc)| {
            let absent = !present.contains(k);
            Completion {
                label: k.to_string(),
                kind: Kind::Key,
                detail: Some(shape.to_string()),
                documentation: Some(doc.to_string()),
                insert: format!("{k}: "),
                replace: replace.clone(),
                sort: format!(
                    "{}{:02}",
                    if absent { 0 } else { 1 },
                    KNOWN_KEYS.iter().position(|x| x == &k).unwrap_or(99)
                ),
                filter: k.to_string(),
            }
        })
        .collect();
    Completions { items, incomplete: false }
}

fn values(
    project: &Project,
    facts: &dyn FileFacts,
    f: &SpecFile,
    key: &str,
    partial: &str,
    replace: Range<usize>,
) -> Completions {
    match key {
        "depends_on" | "members" | "blocked_specs" | "original_spec" => {
            spec_ids(project, f, partial, replace, key == "depends_on")
        }
        "prompt" => simple(
            project.config.default_prompt.as_str(),
            crate::analysis::facts::FileFacts::list_dir(facts, ".chant/prompts")
                .into_iter()
                .filter(|(n, k)| *k == FileKind::File && n.ends_with(".md"))
                .map(|(n, _)| n.trim_end_matches(".md").to_string()),
            Kind::Prompt,
            replace,
        ),
        "labels" => {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for s in &project.specs {
                for l in &s.labels {
                    *counts.entry(l.as_str()).or_default() += 1;
                }
            }
            let items = counts
                .into_iter()
                .map(|(l, n)| Completion {
                    label: l.to_string(),
                    kind: Kind::Label,
                    detail: Some(format!("used by {n} spec{}", if n == 1 { "" } else { "s" })),
                    documentation: None,
                    insert: l.to_string(),
                    replace: replace.clone(),
                    sort: format!("{:08}", usize::MAX / 2 - n.min(usize::MAX / 2)),
                    filter: l.to_string(),
                })
                .collect();
            Completions { items, incomplete: false }
        }
        k if LINK_FIELDS.contains(&k) => paths(facts, partial, replace),
        k => {
            let values = docs::values(k);
            let items = values
                .iter()
                .enumerate()
                .map(|(i, v)| Completion {
                    label: v.to_string(),
                    kind: Kind::Value,
                    detail: None,
                    documentation: docs::value_doc(k, v).map(str::to_string),
                    insert: v.to_string(),
                    replace: replace.clone(),
                    sort: format!("{i:02}"),
                    filter: v.to_string(),
                })
                .collect();
            Completions { items, incomplete: false }
        }
    }
}

fn simple(
    default: &str,
    names: impl Iterator<Item = String>,
    kind: Kind,
    replace: Range<usize>,
) -> Completions {
    let items = names
        .map(|n| Completion {
            detail: (n == default).then(|| "the default prompt".to_string()),
            label: n.clone(),
            kind,
            documentation: None,
            insert: n.clone(),
            replace: replace.clone(),
            sort: n.clone(),
            filter: n,
        })
        .collect();
    Completions { items, incomplete: false }
}

/// Specs that depend on `id`, directly or not (adding any of them to `id`'s
/// `depends_on` would close a cycle).
fn reaching(project: &Project, id: &str) -> HashSet<usize> {
    let mut seen = HashSet::new();
    let mut stack = vec![id.to_string()];
    while let Some(x) = stack.pop() {
        for i in project.dependents_of(&x) {
            if seen.insert(i) {
                stack.push(project.specs[i].id.clone());
            }
        }
    }
    seen
}

fn spec_ids(
    project: &Project,
    f: &SpecFile,
    partial: &str,
    replace: Range<usize>,
    no_cycles: bool,
) -> Completions {
    let excluded = if no_cycles { reaching(project, f.id) } else { HashSet::new() };
    let listed: HashSet<String> =
        f.items("depends_on").into_iter().chain(f.items("members")).map(|(t, _)| t).collect();
    let needle = partial.to_lowercase();
    let words: Vec<&str> = needle.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let mut items: Vec<(u8, Completion)> = Vec::new();
    let mut total = 0;
    for (i, s) in project.specs.iter().enumerate() {
        if s.place == Place::Archived || s.id == f.id || listed.contains(&s.id) || excluded.contains(&i) {
            continue;
        }
        let title = s.title.as_deref().unwrap_or("");
        let title_lower = title.to_lowercase();
        let rank = if needle.is_empty() || s.id.contains(&needle) {
            0
        } else if words.iter().all(|w| title_lower.contains(w)) {
            1
        } else {
            continue;
        };
        total += 1;
        items.push((
            rank,
            Completion {
                label: s.id.clone(),
                kind: Kind::Spec,
                detail: Some(format!("{title} ({})", s.status.as_str().replace('_', " "))),
                documentation: Some(format!(
                    "**{title}**\n\n`{}` · {} · {}",
                    s.id,
                    s.status.as_str(),
                    s.kind.as_str()
                )),
                insert: s.id.clone(),
                replace: replace.clone(),
                sort: String::new(),
                filter: format!("{} {}", s.id, title),
            },
        ));
    }
    // Best matches first, then newest IDs first.
    items.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.label.cmp(&a.1.label)));
    let incomplete = total > MAX_SPECS;
    let items: Vec<Completion> = items
        .into_iter()
        .take(MAX_SPECS)
        .enumerate()
        .map(|(n, (_, mut c))| {
            c.sort = format!("{n:05}");
            c
        })
        .collect();
    Completions { items, incomplete }
}

fn paths(facts: &dyn FileFacts, partial: &str, replace: Range<usize>) -> Completions {
    let partial = partial.trim_matches(['"', '\'']);
    let (dir, _name) = match partial.rfind('/') {
        Some(i) => (&partial[..i], &partial[i + 1..]),
        None => ("", partial),
    };
    let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    let items = facts
        .list_dir(dir)
        .into_iter()
        .map(|(name, kind)| {
            let is_dir = kind == FileKind::Dir;
            let full = format!("{prefix}{name}{}", if is_dir { "/" } else { "" });
            Completion {
                label: format!("{name}{}", if is_dir { "/" } else { "" }),
                kind: if is_dir { Kind::Folder } else { Kind::File },
                detail: None,
                documentation: None,
                insert: full.clone(),
                replace: replace.clone(),
                sort: format!("{}{name}", if is_dir { 0 } else { 1 }),
                filter: full,
            }
        })
        .collect();
    Completions { items, incomplete: false }
}

//! One spec file, analysed on its own: split, layout, typed frontmatter and body
//! facts ([`SpecFile`]), the local diagnostics, and the compact [`Summary`] that the
//! project keeps for cross-file rules after the text is dropped.

use std::collections::BTreeSet;
use std::ops::Range;

use super::body::{self, BodyFacts};
use super::config::Config;
use super::diagnostic::Diagnostic;
use super::facts::FileFacts;
use super::frontmatter::{self, ApprovalStatus, Frontmatter, Parsed, SpecType, Status};
use super::layout::{self, Layout, Value};
use super::quality::{self, Quality};
use super::rules;
use super::split::{self, Split, SplitProblem};

/// Where a spec file lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// Directly in `.chant/specs/`.
    Active,
    /// In a subfolder of `.chant/specs/` (chant loads it for most commands).
    Nested,
    /// Under `.chant/archive/` (invisible to chant).
    Archived,
}

/// What chant makes of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readable {
    Yes,
    /// chant finds no frontmatter (BOM, unclosed fence, none written) and uses
    /// defaults: `type: code`, `status: pending`, no dependencies.
    Defaults,
    /// chant cannot load the spec at all and treats its ID as missing.
    No,
}

/// Everything a project needs to know about the rules' context.
pub struct Context<'a> {
    pub config: &'a Config,
    /// Stems of `.chant/prompts/*.md`.
    pub prompts: &'a BTreeSet<String>,
    pub facts: &'a dyn FileFacts,
}

/// A reference to another spec written in this one (`depends_on` / `members`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub id: String,
    pub range: Range<usize>,
    /// What to delete to remove this entry cleanly (its line in a block list, the item
    /// and a comma in a flow list, the whole key for a single value).
    pub delete: Range<usize>,
}

/// The compact, text-free view of a spec kept for cross-file rules.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: String,
    /// Project-relative path with `/` separators.
    pub path: String,
    pub place: Place,
    pub readable: Readable,
    /// Type and status as written (what the author sees).
    pub kind: SpecType,
    pub status: Status,
    pub title: Option<String>,
    /// The title line, or the place a title belongs when there is none.
    pub title_range: Range<usize>,
    /// `None` when the `depends_on` key is absent (an explicit `[]` matters to chant).
    pub depends_on: Option<Vec<Ref>>,
    pub members: Option<Vec<Ref>>,
    pub approval: Option<(bool, ApprovalStatus)>,
    pub prompt: Option<String>,
    /// chant's `has_acceptance_criteria`.
    pub has_ac: bool,
    pub unchecked: usize,
    pub quality: Quality,
    /// Every file link in the frontmatter (for references, renames and file events).
    pub links: Vec<LinkRef>,
    /// Spec IDs mentioned in the body: `[[id]]` links and bare dated IDs.
    pub mentions: Vec<Ref>,
    pub labels: Vec<String>,
    /// `completed_at` as written.
    pub completed_at: Option<String>,
    /// What the git findings read (specs that are in progress or completed, or that
    /// name commits or a branch).
    pub git: Option<Box<GitRefs>>,
}

/// The parts of a spec that git facts are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRefs {
    /// `commits:` entries as written (YAML would read `5e58057` as a number).
    pub commits: Vec<(String, Range<usize>)>,
    /// The `branch:` value.
    pub branch: Option<String>,
    /// Where spec-wide git findings go: the `status` value, or the frontmatter's head.
    pub status_range: Range<usize>,
    /// `completed_at` parsed as chant's drift parses it (RFC 3339).
    pub completed_at: Option<i64>,
    /// The drift inputs: `tracks`, `origin` and `informed_by` entries.
    pub drift: Vec<LinkRef>,
    /// `path:line` references in the body (of a completed spec).
    pub line_refs: Vec<super::body::line_refs::LineRef>,
}

/// A path written in a link field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub field: &'static str,
    /// As written.
    pub raw: String,
    /// Normalised project-relative path, when it is one.
    pub path: Option<String>,
    pub range: Range<usize>,
}

/// The frontmatter keys that hold file paths.
pub const LINK_FIELDS: [&str; 7] =
    ["informed_by", "origin", "tracks", "target_files", "context", "output_schema", "conflicting_files"];

impl Summary {
    /// The summary of a file that could not be analysed: chant-lsp treats it as
    /// unreadable (as chant does with files it cannot load).
    pub fn unreadable(id: &str, path: &str, place: Place) -> Summary {
        Summary {
            id: id.to_string(),
            path: path.to_string(),
            place,
            readable: Readable::No,
            kind: SpecType::Code,
            status: Status::Pending,
            title: None,
            title_range: 0..0,
            depends_on: None,
            members: None,
            approval: None,
            prompt: None,
            has_ac: false,
            unchecked: 0,
            quality: quality::score(&BodyFacts::default(), 0, false),
            links: Vec::new(),
            mentions: Vec::new(),
            labels: Vec::new(),
            completed_at: None,
            git: None,
        }
    }

    /// The status chant works with: defaults when it reads no frontmatter.
    pub fn chant_status(&self) -> Status {
        match self.readable {
            Readable::Defaults => Status::Pending,
            _ => self.status,
        }
    }

    pub fn chant_kind(&self) -> SpecType {
        match self.readable {
            Readable::Defaults => SpecType::Code,
            _ => self.kind,
        }
    }

    /// The dependencies chant sees.
    pub fn chant_depends_on(&self) -> Option<&[Ref]> {
        match self.readable {
            Readable::Defaults => None,
            _ => self.depends_on.as_deref(),
        }
    }

    pub fn requires_approval(&self) -> bool {
        self.readable == Readable::Yes
            && self.approval.is_some_and(|(required, status)| required && status != ApprovalStatus::Approved)
    }
}

/// The full per-file analysis (text-dependent); the text itself is borrowed.
pub struct SpecFile<'t> {
    pub text: &'t str,
    pub id: &'t str,
    pub path: &'t str,
    pub place: Place,
    pub split: Split,
    /// The frontmatter block the author meant (after a BOM, up to a later fence…),
    /// used for per-field checks even when chant reads something else.
    pub yaml: Option<Range<usize>>,
    pub layout: Layout,
    pub parsed: Parsed,
    pub readable: Readable,
    pub body: BodyFacts,
    pub quality: Quality,
}

impl SpecFile<'_> {
    pub fn fm(&self) -> &Frontmatter {
        &self.parsed.fm
    }

    /// The value range of a top-level key, else the key range.
    pub fn value_range(&self, key: &str) -> Option<Range<usize>> {
        let e = self.layout.get(key)?;
        let r = e.value.range();
        Some(if r.is_empty() { e.key_range.clone() } else { r })
    }

    pub fn key_range(&self, key: &str) -> Option<Range<usize>> {
        self.layout.get(key).map(|e| e.key_range.clone())
    }

    /// Where "the frontmatter" is for spec-wide findings: the opening fence, or the
    /// first line of the file.
    pub fn head_range(&self) -> Range<usize> {
        if let Some(open) = &self.split.open_fence {
            return open.clone();
        }
        let start = self.text.len() - self.text.trim_start().len();
        let end = self.text[start..].find(['\n', '\r']).map_or(self.text.len(), |i| start + i);
        start..end
    }

    /// Items of a list-valued key (block or flow), or the scalar as one item.
    pub fn items(&self, key: &str) -> Vec<(String, Range<usize>)> {
        match self.layout.get(key).map(|e| &e.value) {
            Some(Value::Seq(seq)) => seq
                .items
                .iter()
                .filter(|i| i.style != layout::Style::Other)
                .map(|i| (i.text.clone(), i.range.clone()))
                .collect(),
            Some(Value::Scalar(s)) if !s.text.is_empty() && s.text != "~" && s.text != "null" => {
                vec![(s.text.clone(), s.range.clone())]
            }
            _ => Vec::new(),
        }
    }

    /// Delete ranges for the list items of `key`, in item order.
    pub fn item_deletions(&self, key: &str) -> Vec<Range<usize>> {
        let Some(entry) = self.layout.get(key) else { return Vec::new() };
        let bytes = self.text.as_bytes();
        match &entry.value {
            Value::Seq(seq) if !seq.flow => seq
                .items
                .iter()
                .filter(|i| i.style != layout::Style::Other)
                .map(|i| i.lines.clone().unwrap_or(i.range.clone()))
                .collect(),
            Value::Seq(seq) => {
                let items: Vec<&layout::Scalar> =
                    seq.items.iter().filter(|i| i.style != layout::Style::Other).collect();
                let n = items.len();
                items
                    .iter()
                    .enumerate()
                    .map(|(k, item)| {
                        if k + 1 < n {
                            // `a, ` up to the next item.
                            item.range.start..items[k + 1].range.start
                        } else if k > 0 {
                            // `, z`: from the end of the previous item.
                            items[k - 1].range.end..item.range.end
                        } else {
                            item.range.clone()
                        }
                    })
                    .map(|r| {
                        // Never eat a closing bracket or a line break.
                        let mut end = r.end;
                        while end > r.start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r' | b']')) {
                            end -= 1;
                        }
                        r.start..end
                    })
                    .collect()
            }
            _ => vec![entry.lines.clone()],
        }
    }

    fn refs(&self, key: &str) -> Option<Vec<Ref>> {
        let typed = match key {
            "depends_on" => self.fm().depends_on.as_ref(),
            _ => self.fm().members.as_ref(),
        };
        let items = self.items(key);
        let deletions = self.item_deletions(key);
        let delete = |k: usize, range: &Range<usize>| deletions.get(k).cloned().unwrap_or(range.clone());
        match typed {
            Some(ids) if ids.len() == items.len() => Some(
                ids.iter()
                    .zip(items)
                    .enumerate()
                    .map(|(k, (id, (_, range)))| Ref { id: id.clone(), delete: delete(k, &range), range })
                    .collect(),
            ),
            // The layout and serde disagree (exotic YAML): keep serde's values, place
            // them on the key.
            Some(ids) => {
                let at = self.value_range(key).unwrap_or(0..0);
                Some(
                    ids.iter()
                        .map(|id| Ref { id: id.clone(), range: at.clone(), delete: at.clone() })
                        .collect(),
                )
            }
            // Unreadable frontmatter: what the layout shows.
            None if self.layout.get(key).is_some() && self.readable == Readable::No => Some(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(k, (id, range))| Ref { id, delete: delete(k, &range), range })
                    .collect(),
            ),
            None => None,
        }
    }

    /// The compact summary for the project.
    pub fn summary(&self) -> Summary {
        self.summary_with(true)
    }

    /// The summary; without `editor`, what only editor features read (file links, body
    /// mentions, labels, completion time) is left out: `check` never reads it, and at
    /// 100k specs it costs about 10% of the time and a quarter of the memory.
    pub fn summary_with(&self, editor: bool) -> Summary {
        let fm = self.fm();
        let title_range = match &self.body.title {
            Some(t) => t.line.clone(),
            None => self.head_range(),
        };
        Summary {
            id: self.id.to_string(),
            path: self.path.to_string(),
            place: self.place,
            readable: self.readable,
            kind: fm.kind,
            status: fm.status,
            title: self.body.title.as_ref().map(|t| t.text.clone()),
            title_range,
            depends_on: self.refs("depends_on"),
            members: self.refs("members"),
            approval: fm.approval.as_ref().map(|a| (a.required, a.status)),
            prompt: fm.prompt.clone(),
            has_ac: self.body.has_ac,
            unchecked: self.body.checkboxes_unchecked,
            quality: self.quality,
            links: if editor { self.links() } else { Vec::new() },
            mentions: if editor { self.mentions() } else { Vec::new() },
            labels: if editor { fm.labels.clone().unwrap_or_default() } else { Vec::new() },
            completed_at: if editor { fm.completed_at.clone() } else { None },
            git: self.git_refs(),
        }
    }

    /// What the git findings need, for specs they may concern.
    fn git_refs(&self) -> Option<Box<GitRefs>> {
        let fm = self.fm();
        let status = match self.readable {
            Readable::Defaults => Status::Pending,
            _ => fm.status,
        };
        let commits = self.items("commits");
        if !matches!(status, Status::Completed | Status::InProgress)
            && commits.is_empty()
            && fm.branch.is_none()
        {
            return None;
        }
        let (drift, line_refs) = if status == Status::Completed {
            // The drift inputs, in the order `links` gives them.
            (self.links_of(&["informed_by", "origin", "tracks"]), self.body.line_refs.clone())
        } else {
            (Vec::new(), Vec::new())
        };
        Some(Box::new(GitRefs {
            commits,
            branch: fm.branch.clone(),
            status_range: self.value_range("status").unwrap_or_else(|| self.head_range()),
            completed_at: fm.completed_at.as_deref().and_then(super::git::time::parse_rfc3339),
            drift,
            line_refs,
        }))
    }

    /// Every link-field entry with its normalised path.
    pub fn links(&self) -> Vec<LinkRef> {
        self.links_of(&LINK_FIELDS)
    }

    /// The link entries of `fields`, in that order.
    fn links_of(&self, fields: &[&'static str]) -> Vec<LinkRef> {
        let mut out = Vec::new();
        for &field in fields {
            for (raw, range) in self.items(field) {
                let path = match super::facts::normalize_link(&raw) {
                    super::facts::LinkPath::Relative(p) => Some(p),
                    _ => None,
                };
                out.push(LinkRef { field, raw, path, range });
            }
        }
        out
    }

    /// `[[id]]` links and bare dated IDs in the body, in text order.
    pub fn mentions(&self) -> Vec<Ref> {
        let mut out: Vec<Ref> = self
            .body
            .wiki_links
            .iter()
            .chain(self.body.mentions.iter())
            .map(|m| Ref { id: m.id.clone(), range: m.range.clone(), delete: m.range.clone() })
            .collect();
        out.sort_by_key(|r| (r.range.start, std::cmp::Reverse(r.range.end)));
        // A `[[id]]` and the bare ID inside it are one mention.
        out.dedup_by(|b, a| a.range.start <= b.range.start && b.range.end <= a.range.end);
        out
    }
}

/// The frontmatter the author meant when chant's split goes wrong.
fn intended_yaml(text: &str, s: &Split) -> Option<Range<usize>> {
    for p in &s.problems {
        match p {
            SplitProblem::Bom { fence: Some(fence), .. } => {
                let rest = &text[fence.end..];
                return rest.find("---").map(|i| fence.end..fence.end + i);
            }
            SplitProblem::Unclosed { open } => {
                // Up to the first blank line or heading.
                let mut end = open.end;
                let mut pos = text[open.end..].find('\n').map_or(text.len(), |i| open.end + i + 1);
                while pos < text.len() {
                    let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
                    let line = text[pos..line_end].trim_end();
                    if line.is_empty() || line.starts_with('#') {
                        break;
                    }
                    end = line_end;
                    pos = line_end + 1;
                }
                return Some(open.end..end);
            }
            SplitProblem::DashesInValue { later_fence: Some(fence), .. } => {
                return s.yaml.as_ref().map(|y| y.start..fence.start);
            }
            _ => {}
        }
    }
    s.yaml.clone()
}

/// Analyses one spec's text; returns the full analysis (for rules and features) and
/// its local diagnostics.
pub fn analyze<'t>(
    ctx: &Context,
    id: &'t str,
    path: &'t str,
    place: Place,
    text: &'t str,
) -> (SpecFile<'t>, Vec<Diagnostic>) {
    analyze_with(ctx, id, path, place, text, false)
}

/// [`analyze`]; with `hidden_bom`, `text` is an editor buffer without the BOM its file
/// starts with ([`split::split_with`]).
pub fn analyze_with<'t>(
    ctx: &Context,
    id: &'t str,
    path: &'t str,
    place: Place,
    text: &'t str,
    hidden_bom: bool,
) -> (SpecFile<'t>, Vec<Diagnostic>) {
    let split = split::split_with(text, hidden_bom);
    let yaml = intended_yaml(text, &split);
    let layout = yaml.as_ref().map(|y| layout::scan(text, y.clone())).unwrap_or_default();
    let parsed = match &yaml {
        Some(y) => frontmatter::parse(text, y.clone(), &layout),
        None => Parsed::default(),
    };
    let readable = match (&split.yaml, split.problems.iter().any(|p| matches!(p, SplitProblem::Bom { .. }))) {
        (None, _) | (_, true) => Readable::Defaults,
        (Some(chant_yaml), false) => {
            let same = Some(chant_yaml) == yaml.as_ref();
            let ok = if same {
                parsed.errors.is_empty()
            } else {
                // Guarded like every other read (see `frontmatter::parse`).
                let chant_layout = layout::scan(text, chant_yaml.clone());
                frontmatter::parse(text, chant_yaml.clone(), &chant_layout).errors.is_empty()
            };
            if ok {
                Readable::Yes
            } else {
                Readable::No
            }
        }
    };
    let body = body::scan(text, split.body.clone());
    let quality = quality::score(
        &body,
        parsed.fm.target_files.as_ref().map_or(0, Vec::len),
        super::id::has_numeric_segment(id),
    );
    let file = SpecFile { text, id, path, place, split, yaml, layout, parsed, readable, body, quality };
    let mut diags = Vec::new();
    rules::local(ctx, &file, &mut diags);
    (file, diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::facts::MemFacts;

    fn summary(text: &str) -> Summary {
        let config = Config::default();
        let prompts = BTreeSet::new();
        let facts = MemFacts::default();
        let ctx = Context { config: &config, prompts: &prompts, facts: &facts };
        analyze(&ctx, "2026-01-01-001-abc", ".chant/specs/2026-01-01-001-abc.md", Place::Active, text)
            .0
            .summary()
    }

    #[test]
    fn summaries() {
        let s = summary("---\nstatus: completed\ndepends_on: [a, 'b']\n---\n# Title\n");
        assert_eq!(s.readable, Readable::Yes);
        assert_eq!(s.status, Status::Completed);
        assert_eq!(
            s.depends_on.expect("deps").iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        assert_eq!(s.title.as_deref(), Some("Title"));
        let s = summary("\u{feff}---\nstatus: completed\n---\n# T\n");
        assert_eq!(
            (s.readable, s.status, s.chant_status()),
            (Readable::Defaults, Status::Completed, Status::Pending)
        );
        let s = summary("---\nstatus: done\ndepends_on: [x]\n---\n# T\n");
        assert_eq!(s.readable, Readable::No);
        assert_eq!(s.depends_on.expect("deps")[0].id, "x");
        let s = summary("---\nlabels: [a---b]\n---\n# T\n");
        assert_eq!(s.readable, Readable::No);
    }
}

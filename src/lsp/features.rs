//! Feature requests: each analyses the document (a spec is small: re-analysing it per
//! request is cheaper than keeping trees in sync), calls the feature in
//! `analysis::ide`, and converts its byte ranges to the client's positions.

use std::collections::HashMap;
use std::path::PathBuf;

use ropey::Rope;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{self as lsp, OneOf, Uri};

use super::convert::{self, Encoding};
use super::server::Backend;
use super::state::{Root, State};
use crate::analysis::ide::completion::{self, Kind};
use crate::analysis::ide::locate::{target_at, Target};
use crate::analysis::ide::rename::{self, Replace};
use crate::analysis::ide::symbols::{self, FoldKind, Symbol, SymbolKind};
use crate::analysis::ide::{hints, hover, navigation};
use crate::analysis::spec::SpecFile;

/// A spec ID and the range it was found at.
type IdAt = (String, std::ops::Range<usize>);

struct At<R> {
    root: usize,
    value: R,
    rope: Rope,
}

impl Backend {
    fn path(uri: &Uri) -> Option<PathBuf> {
        uri.to_file_path().map(|p| p.into_owned())
    }

    /// Runs `f` on the analysed spec at `uri`, with the byte offset of `pos`.
    fn at<R>(
        st: &mut State,
        uri: &Uri,
        pos: Option<lsp::Position>,
        f: impl FnOnce(&Root, &SpecFile, usize) -> R,
    ) -> Option<At<R>> {
        let path = Self::path(uri)?;
        let root = st.root_of(&path)?;
        let enc = st.encoding;
        let (value, rope) = st.with_spec(&path, |r, file, rope| {
            let offset = pos.map_or(0, |p| convert::offset(rope, p, enc));
            (f(r, file, offset), rope.clone())
        })?;
        Some(At { root, value, rope })
    }

    pub(super) fn hover_impl(&self, p: lsp::HoverParams) -> Option<lsp::Hover> {
        let mut st = self.state();
        let enc = st.encoding;
        let tdp = p.text_document_position_params;
        let at = Self::at(&mut st, &tdp.text_document.uri, Some(tdp.position), |r, f, o| {
            let spec = match target_at(f, o) {
                Some((Target::SpecId { id, .. }, _)) => Some(id),
                Some((Target::Title, _)) => Some(f.id.to_string()),
                _ => None,
            };
            (hover::hover(&r.ws.project, r.facts.as_ref(), f, o), spec, r.path.clone())
        })?;
        let (h, spec, root_path) = at.value;
        let h = h?;
        drop(st);
        let mut markdown = h.markdown;
        if let Some(id) = spec {
            let (here, elsewhere, last) = self.run_summary(&root_path, &id);
            if here {
                markdown.push_str("\n\n**Running** from this editor");
            } else if let Some(pid) = elsewhere {
                markdown.push_str(&format!("\n\n**Running** (pid {pid}, started outside the editor)"));
            } else if let Some(o) = last {
                markdown.push_str(&format!("\n\nLast run from the editor: {}", o.summary));
            }
        }
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(convert::range(&at.rope, &h.range, enc)),
        })
    }

    fn locations(st: &mut State, root: usize, ls: Vec<navigation::Location>) -> Vec<lsp::Location> {
        ls.into_iter().filter_map(|l| st.location(root, &l.path, l.range)).collect()
    }

    pub(super) fn definition_impl(
        &self,
        p: lsp::GotoDefinitionParams,
    ) -> Option<lsp::GotoDefinitionResponse> {
        let mut st = self.state();
        let tdp = p.text_document_position_params;
        let at = Self::at(&mut st, &tdp.text_document.uri, Some(tdp.position), |r, f, o| {
            navigation::definition(&r.ws.project, r.facts.as_ref(), f, o)
        })?;
        let locs = Self::locations(&mut st, at.root, at.value);
        match locs.len() {
            0 => None,
            1 => locs.into_iter().next().map(lsp::GotoDefinitionResponse::Scalar),
            _ => Some(lsp::GotoDefinitionResponse::Array(locs)),
        }
    }

    pub(super) fn references_impl(&self, p: lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
        let mut st = self.state();
        let tdp = p.text_document_position;
        let include = p.context.include_declaration;
        let at = Self::at(&mut st, &tdp.text_document.uri, Some(tdp.position), |r, f, o| {
            navigation::references(&r.ws.project, f, o, include)
        })?;
        Some(Self::locations(&mut st, at.root, at.value))
    }

    pub(super) fn document_links_impl(&self, p: lsp::DocumentLinkParams) -> Option<Vec<lsp::DocumentLink>> {
        let mut st = self.state();
        let enc = st.encoding;
        let at = Self::at(&mut st, &p.text_document.uri, None, |r, f, _| {
            navigation::document_links(&r.ws.project, r.facts.as_ref(), f)
        })?;
        let links = at
            .value
            .into_iter()
            .filter_map(|l| {
                Some(lsp::DocumentLink {
                    range: convert::range(&at.rope, &l.range, enc),
                    target: Some(st.uri(at.root, &l.target)?),
                    tooltip: Some(l.tooltip),
                    data: None,
                })
            })
            .collect();
        Some(links)
    }

    pub(super) fn completion_impl(&self, p: lsp::CompletionParams) -> Option<lsp::CompletionResponse> {
        let mut st = self.state();
        let enc = st.encoding;
        let tdp = p.text_document_position;
        let at = Self::at(&mut st, &tdp.text_document.uri, Some(tdp.position), |r, f, o| {
            completion::complete(&r.ws.project, r.facts.as_ref(), f, o)
        })?;
        let items = at
            .value
            .items
            .into_iter()
            .map(|c| lsp::CompletionItem {
                label: c.label,
                kind: Some(match c.kind {
                    Kind::Key => lsp::CompletionItemKind::PROPERTY,
                    Kind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
                    Kind::Spec => lsp::CompletionItemKind::REFERENCE,
                    Kind::File => lsp::CompletionItemKind::FILE,
                    Kind::Folder => lsp::CompletionItemKind::FOLDER,
                    Kind::Prompt => lsp::CompletionItemKind::VALUE,
                    Kind::Label => lsp::CompletionItemKind::CONSTANT,
                }),
                detail: c.detail,
                documentation: c.documentation.map(|d| {
                    lsp::Documentation::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: d,
                    })
                }),
                sort_text: Some(c.sort),
                filter_text: Some(c.filter),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                    range: convert::range(&at.rope, &c.replace, enc),
                    new_text: c.insert,
                })),
                ..Default::default()
            })
            .collect();
        Some(lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: at.value.incomplete, items }))
    }

    pub(super) fn document_symbols_impl(
        &self,
        p: lsp::DocumentSymbolParams,
    ) -> Option<lsp::DocumentSymbolResponse> {
        let mut st = self.state();
        let enc = st.encoding;
        let hierarchical = st.caps.hierarchical_symbols;
        let uri = p.text_document.uri.clone();
        let at = Self::at(&mut st, &p.text_document.uri, None, |_, f, _| symbols::outline(f))?;
        if hierarchical {
            Some(lsp::DocumentSymbolResponse::Nested(
                at.value.iter().map(|s| document_symbol(s, &at.rope, enc)).collect(),
            ))
        } else {
            let mut flat = Vec::new();
            flatten(&at.value, &at.rope, enc, &uri, None, &mut flat);
            Some(lsp::DocumentSymbolResponse::Flat(flat))
        }
    }

    pub(super) fn workspace_symbols_impl(
        &self,
        p: lsp::WorkspaceSymbolParams,
    ) -> Option<lsp::WorkspaceSymbolResponse> {
        let mut st = self.state();
        let mut found: Vec<(usize, symbols::SpecSymbol)> = Vec::new();
        for (i, r) in st.roots.iter().enumerate() {
            found
                .extend(symbols::workspace_symbols(&r.ws.project, &p.query, 100).into_iter().map(|s| (i, s)));
        }
        found.truncate(100);
        let mut out = Vec::new();
        for (root, s) in found {
            let Some(location) = st.location(root, &s.path, Some(s.title_range.clone())) else { continue };
            #[allow(deprecated, reason = "the field is required by the type")]
            out.push(lsp::SymbolInformation {
                name: format!("{} {}", s.id, s.title),
                kind: lsp::SymbolKind::FILE,
                tags: None,
                deprecated: None,
                location,
                container_name: Some(s.status.to_string()),
            });
        }
        Some(lsp::WorkspaceSymbolResponse::Flat(out))
    }

    pub(super) fn folding_impl(&self, p: lsp::FoldingRangeParams) -> Option<Vec<lsp::FoldingRange>> {
        let mut st = self.state();
        let enc = st.encoding;
        let at = Self::at(&mut st, &p.text_document.uri, None, |_, f, _| symbols::folding(f))?;
        let ranges = at
            .value
            .into_iter()
            .filter_map(|fold| {
                let r = convert::range(&at.rope, &fold.range, enc);
                (r.end.line > r.start.line).then_some(lsp::FoldingRange {
                    start_line: r.start.line,
                    start_character: None,
                    end_line: r.end.line,
                    end_character: None,
                    kind: Some(match fold.kind {
                        FoldKind::Frontmatter => lsp::FoldingRangeKind::Imports,
                        FoldKind::Section | FoldKind::Code => lsp::FoldingRangeKind::Region,
                    }),
                    collapsed_text: None,
                })
            })
            .collect();
        Some(ranges)
    }

    pub(super) fn inlay_hints_impl(&self, p: lsp::InlayHintParams) -> Option<Vec<lsp::InlayHint>> {
        let mut st = self.state();
        let enc = st.encoding;
        let range = p.range;
        let at = Self::at(&mut st, &p.text_document.uri, None, |r, f, _| {
            let rope = Rope::from_str(f.text);
            let bytes = convert::offset(&rope, range.start, enc)..convert::offset(&rope, range.end, enc);
            hints::inlay_hints(&r.ws.project, f, bytes)
        })?;
        let hints = at
            .value
            .into_iter()
            .map(|h| lsp::InlayHint {
                position: convert::position(&at.rope, h.at, enc),
                label: lsp::InlayHintLabel::String(h.label),
                kind: None,
                text_edits: None,
                tooltip: Some(lsp::InlayHintTooltip::String(h.tooltip)),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .collect();
        Some(hints)
    }

    pub(super) fn code_lens_impl(&self, p: lsp::CodeLensParams) -> Option<Vec<lsp::CodeLens>> {
        let mut st = self.state();
        let enc = st.encoding;
        let uri = p.text_document.uri.clone();
        let at = Self::at(&mut st, &p.text_document.uri, None, |r, f, _| {
            (
                hints::lenses(&r.ws.project, f),
                f.id.to_string(),
                f.body.title.as_ref().map(|t| t.line.clone()),
                r.path.clone(),
            )
        })?;
        let (info, id, title_line, root_path) = at.value;
        let command = |title: String, command: &str, arguments: Option<Vec<Value>>| lsp::Command {
            title,
            command: command.to_string(),
            arguments,
        };
        let mut lenses: Vec<lsp::CodeLens> = Vec::new();
        // ▶ Run, or Running… ■ Stop, or why it cannot run, then the last outcome.
        if let Some(line) = title_line {
            let range = convert::range(&at.rope, &line, enc);
            let idx = uri.to_file_path().and_then(|path| {
                let rel = st.roots[at.root].rel(&path)?;
                st.roots[at.root].ws.index_of(&rel)
            });
            let (here, elsewhere, last) = self.run_summary(&root_path, &id);
            let arg = Some(vec![json!(uri.as_str())]);
            let run_lens = if here {
                Some(command("Running… ■ Stop".to_string(), "chant.stop", arg.clone()))
            } else if let Some(pid) = elsewhere {
                Some(command(format!("Running elsewhere (pid {pid})"), "", None))
            } else if let Some(i) = idx.filter(|&i| {
                st.roots[at.root].ws.project.specs[i].place != crate::analysis::spec::Place::Archived
            }) {
                use crate::analysis::frontmatter::Status;
                let finished = matches!(
                    st.roots[at.root].ws.project.specs[i].chant_status(),
                    Status::Completed | Status::Cancelled
                );
                let actions = self.spec_actions(&st, at.root, i);
                let run: Vec<_> =
                    actions.iter().filter(|a| a.verb == crate::analysis::ide::actions::Verb::Run).collect();
                match (run.iter().find(|a| a.enabled.is_ok()), run.first()) {
                    (Some(a), _) => {
                        let mut args = vec![json!(uri.as_str())];
                        if a.flags != Default::default() {
                            args.push(serde_json::to_value(a.flags).unwrap_or(Value::Null));
                        }
                        let title = if a.flags == Default::default() {
                            "▶ Run".to_string()
                        } else {
                            format!("▶ {}", a.title)
                        };
                        Some(command(title, "chant.run", Some(args)))
                    }
                    // A finished spec is not going to run again: no lens saying why not.
                    (None, Some(_)) if finished => None,
                    (None, Some(a)) => {
                        let reason = a.enabled.clone().err().unwrap_or_default();
                        let title =
                            format!("▶ Run (not now: {})", crate::analysis::text::ellipsis(&reason, 60));
                        Some(command(title, "chant.explain", Some(vec![json!(reason)])))
                    }
                    (None, None) => None,
                }
            } else {
                None
            };
            if let Some(c) = run_lens {
                lenses.push(lsp::CodeLens { range, command: Some(c), data: None });
            }
            if let (Some(o), false) = (last, here) {
                let title = format!("{} Last run: {}", if o.ok { "✓" } else { "✗" }, o.summary);
                lenses.push(lsp::CodeLens {
                    range,
                    command: Some(command(title, "chant.showLog", arg)),
                    data: None,
                });
            }
        }
        for l in info {
            lenses.push(lsp::CodeLens {
                range: convert::range(&at.rope, &l.range, enc),
                command: Some(command(l.title, "", None)),
                data: None,
            });
        }
        Some(lenses)
    }

    /// The spec ID under the cursor (its own ID on the title line) and its range.
    fn rename_target(st: &mut State, uri: &Uri, pos: lsp::Position) -> Option<At<Option<IdAt>>> {
        Self::at(st, uri, Some(pos), |r, f, o| match target_at(f, o)? {
            (Target::SpecId { id, .. }, range) if r.ws.project.active(&id).is_some() => Some((id, range)),
            (Target::Title, range) => Some((f.id.to_string(), range)),
            _ => None,
        })
    }

    pub(super) fn prepare_rename_impl(
        &self,
        p: lsp::TextDocumentPositionParams,
    ) -> Option<lsp::PrepareRenameResponse> {
        let mut st = self.state();
        let enc = st.encoding;
        let at = Self::rename_target(&mut st, &p.text_document.uri, p.position)?;
        let (id, range) = at.value?;
        Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
            range: convert::range(&at.rope, &range, enc),
            placeholder: id,
        })
    }

    pub(super) fn rename_impl(&self, p: lsp::RenameParams) -> jsonrpc::Result<Option<lsp::WorkspaceEdit>> {
        let mut st = self.state();
        let tdp = p.text_document_position;
        let Some(at) = Self::rename_target(&mut st, &tdp.text_document.uri, tdp.position) else {
            return Ok(None);
        };
        let Some((id, _)) = at.value else {
            return Err(jsonrpc::Error::invalid_params(
                "put the cursor on a spec ID or a spec's title to rename it",
            ));
        };
        if !(st.caps.document_changes && st.caps.resource_rename) {
            return Err(jsonrpc::Error::invalid_params(
                "renaming a spec renames its file, which this editor cannot do through LSP",
            ));
        }
        let plan = rename::rename_spec(&st.roots[at.root].ws.project, &id, &p.new_name)
            .map_err(jsonrpc::Error::invalid_params)?;
        let mut ops: Vec<lsp::DocumentChangeOperation> = Vec::new();
        let mut by_file: HashMap<String, Vec<lsp::TextEdit>> = HashMap::new();
        for r in &plan.edits {
            if let Some(edit) = text_edit(&mut st, at.root, r) {
                by_file.entry(r.path.clone()).or_default().push(edit);
            }
        }
        let mut files: Vec<String> = by_file.keys().cloned().collect();
        files.sort();
        for path in files {
            let Some(uri) = st.uri(at.root, &path) else { continue };
            let version = st.docs.get(&st.roots[at.root].abs(&path)).map(|d| d.version);
            let edits = by_file.remove(&path).unwrap_or_default();
            ops.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }));
        }
        for (from, to) in &plan.moves {
            let (Some(old_uri), Some(new_uri)) =
                (st.uri(at.root, from), Uri::from_file_path(st.roots[at.root].abs(to)))
            else {
                continue;
            };
            ops.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(lsp::RenameFile {
                old_uri,
                new_uri,
                options: Some(lsp::RenameFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: None,
            })));
        }
        Ok(Some(lsp::WorkspaceEdit {
            changes: None,
            document_changes: Some(lsp::DocumentChanges::Operations(ops)),
            change_annotations: None,
        }))
    }

    pub(super) fn will_rename_impl(&self, p: lsp::RenameFilesParams) -> Option<lsp::WorkspaceEdit> {
        let mut st = self.state();
        let mut by_root: HashMap<usize, Vec<(String, String)>> = HashMap::new();
        for f in &p.files {
            let (Ok(old), Ok(new)) = (f.old_uri.parse::<Uri>(), f.new_uri.parse::<Uri>()) else { continue };
            let (Some(old), Some(new)) = (Self::path(&old), Self::path(&new)) else { continue };
            let Some(root) = st.root_of(&old) else { continue };
            let (Some(o), Some(n)) = (st.roots[root].rel(&old), st.roots[root].rel(&new)) else { continue };
            by_root.entry(root).or_default().push((o, n));
        }
        let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
        for (root, moves) in by_root {
            let edits = rename::moved_files(&st.roots[root].ws.project, &moves);
            for r in edits {
                if let (Some(edit), Some(uri)) = (text_edit(&mut st, root, &r), st.uri(root, &r.path)) {
                    changes.entry(uri).or_default().push(edit);
                }
            }
        }
        if changes.is_empty() {
            return None;
        }
        Some(lsp::WorkspaceEdit { changes: Some(changes), document_changes: None, change_annotations: None })
    }
}

/// Places a replacement exactly: the first occurrence of its text inside its range.
fn text_edit(st: &mut State, root: usize, r: &Replace) -> Option<lsp::TextEdit> {
    let text = st.file_text(root, &r.path)?;
    let within = text.get(r.range.clone())?;
    let at = r.range.start + within.find(&r.find)?;
    let rope = st.rope_of(root, &r.path);
    Some(lsp::TextEdit {
        range: convert::range(&rope, &(at..at + r.find.len()), st.encoding),
        new_text: r.with.clone(),
    })
}

fn symbol_kind(k: SymbolKind) -> lsp::SymbolKind {
    match k {
        SymbolKind::Frontmatter => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Key => lsp::SymbolKind::PROPERTY,
        SymbolKind::Section => lsp::SymbolKind::STRING,
        SymbolKind::Criterion { .. } => lsp::SymbolKind::BOOLEAN,
    }
}

#[allow(deprecated, reason = "the `deprecated` field must be filled")]
fn document_symbol(s: &Symbol, rope: &Rope, enc: Encoding) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: if s.name.is_empty() { " ".to_string() } else { s.name.clone() },
        detail: s.detail.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: convert::range(rope, &s.range, enc),
        selection_range: convert::range(rope, &s.selection, enc),
        children: (!s.children.is_empty())
            .then(|| s.children.iter().map(|c| document_symbol(c, rope, enc)).collect()),
    }
}

#[allow(deprecated, reason = "the `deprecated` field must be filled")]
fn flatten(
    syms: &[Symbol],
    rope: &Rope,
    enc: Encoding,
    uri: &Uri,
    container: Option<&str>,
    out: &mut Vec<lsp::SymbolInformation>,
) {
    for s in syms {
        out.push(lsp::SymbolInformation {
            name: s.name.clone(),
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            location: lsp::Location { uri: uri.clone(), range: convert::range(rope, &s.range, enc) },
            container_name: container.map(str::to_string),
        });
        flatten(&s.children, rope, enc, uri, Some(&s.name), out);
    }
}

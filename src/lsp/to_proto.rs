//! Analysis values into protocol values, all in one place: byte offsets into client
//! positions, diagnostics (with their quick fixes in `data`), locations, hovers,
//! completions, symbols, folds, hints, lenses, commands and code actions.

use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::ls_types::{self as lsp, Position, Range as LspRange, Uri};

use super::capabilities::{ClientCaps, Encoding};
use super::fix_data::FixData;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::ide::actions::{RunFlags, SpecAction};
use crate::analysis::ide::commands::{Args, Call};
use crate::analysis::ide::completion::{self, Kind};
use crate::analysis::ide::lenses::Lens;
use crate::analysis::ide::navigation::DocumentLink;
use crate::analysis::ide::symbols::{Fold, FoldKind, SpecSymbol, Symbol, SymbolKind};
use crate::analysis::ide::{hints, hover};

/// The client position of a byte offset.
pub fn position(rope: &Rope, offset: usize, enc: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let ch = rope.byte_to_char(offset);
    let line = rope.char_to_line(ch);
    let start = rope.line_to_char(line);
    let col = match enc {
        Encoding::Utf16 => rope.char_to_utf16_cu(ch) - rope.char_to_utf16_cu(start),
        Encoding::Utf8 => rope.char_to_byte(ch) - rope.line_to_byte(line),
    };
    Position::new(line as u32, col as u32)
}

pub fn range(rope: &Rope, r: &std::ops::Range<usize>, enc: Encoding) -> LspRange {
    LspRange::new(position(rope, r.start, enc), position(rope, r.end.max(r.start), enc))
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// How diagnostics of one project are converted: the client's encoding and abilities,
/// and where other files of the project are (`file` gives a project-relative path's
/// URI and text, for related locations).
pub struct DiagnosticContext<'a> {
    pub enc: Encoding,
    pub caps: &'a ClientCaps,
    pub uri_of: &'a dyn Fn(&str) -> Option<Uri>,
    pub file: &'a mut dyn FnMut(&str) -> Option<(Uri, Rope)>,
}

/// The protocol diagnostics of a file whose text is `rope`.
pub fn diagnostics(
    cx: &mut DiagnosticContext<'_>,
    rope: &Rope,
    diags: &[Diagnostic],
) -> Vec<lsp::Diagnostic> {
    let enc = cx.enc;
    diags
        .iter()
        .map(|d| {
            let related = (cx.caps.related_information && !d.related.is_empty()).then(|| {
                d.related
                    .iter()
                    .filter_map(|r| {
                        let (uri, rrope) = (cx.file)(&r.path)?;
                        Some(lsp::DiagnosticRelatedInformation {
                            location: lsp::Location { uri, range: range(&rrope, &r.range, enc) },
                            message: r.message.clone(),
                        })
                    })
                    .collect()
            });
            lsp::Diagnostic {
                range: range(rope, &d.range, enc),
                severity: Some(severity(d.severity)),
                code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
                code_description: None,
                source: Some("chant".to_string()),
                message: d.message.clone(),
                related_information: related,
                tags: None,
                data: FixData::write(d, rope, enc, cx.caps, cx.uri_of),
            }
        })
        .collect()
}

pub fn hover(h: hover::Hover, note: Option<String>, rope: &Rope, enc: Encoding) -> lsp::Hover {
    let mut value = h.markdown;
    if let Some(note) = note {
        value.push_str("\n\n");
        value.push_str(&note);
    }
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value }),
        range: Some(range(rope, &h.range, enc)),
    }
}

pub fn completion(c: completion::Completions, rope: &Rope, enc: Encoding) -> lsp::CompletionResponse {
    let items = c
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
                range: range(rope, &c.replace, enc),
                new_text: c.insert,
            })),
            ..Default::default()
        })
        .collect();
    lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: c.incomplete, items })
}

fn symbol_kind(k: SymbolKind) -> lsp::SymbolKind {
    match k {
        SymbolKind::Frontmatter => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Key => lsp::SymbolKind::PROPERTY,
        SymbolKind::Section => lsp::SymbolKind::STRING,
        SymbolKind::Criterion { .. } => lsp::SymbolKind::BOOLEAN,
    }
}

/// The outline, nested when the client shows a tree, else flat with containers.
pub fn document_symbols(
    symbols: &[Symbol],
    hierarchical: bool,
    uri: &Uri,
    rope: &Rope,
    enc: Encoding,
) -> lsp::DocumentSymbolResponse {
    if hierarchical {
        lsp::DocumentSymbolResponse::Nested(symbols.iter().map(|s| document_symbol(s, rope, enc)).collect())
    } else {
        let mut flat = Vec::new();
        flatten(symbols, rope, enc, uri, None, &mut flat);
        lsp::DocumentSymbolResponse::Flat(flat)
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
        range: range(rope, &s.range, enc),
        selection_range: range(rope, &s.selection, enc),
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
            location: lsp::Location { uri: uri.clone(), range: range(rope, &s.range, enc) },
            container_name: container.map(str::to_string),
        });
        flatten(&s.children, rope, enc, uri, Some(&s.name), out);
    }
}

#[allow(deprecated, reason = "the `deprecated` field must be filled")]
pub fn workspace_symbol(s: &SpecSymbol, location: lsp::Location) -> lsp::SymbolInformation {
    lsp::SymbolInformation {
        name: format!("{} {}", s.id, s.title),
        kind: lsp::SymbolKind::FILE,
        tags: None,
        deprecated: None,
        location,
        container_name: Some(s.status.to_string()),
    }
}

/// Folds of whole lines (a fold within one line is dropped).
pub fn folding_ranges(folds: Vec<Fold>, rope: &Rope, enc: Encoding) -> Vec<lsp::FoldingRange> {
    folds
        .into_iter()
        .filter_map(|fold| {
            let r = range(rope, &fold.range, enc);
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
        .collect()
}

pub fn inlay_hint(h: hints::InlayHint, rope: &Rope, enc: Encoding) -> lsp::InlayHint {
    lsp::InlayHint {
        position: position(rope, h.at, enc),
        label: lsp::InlayHintLabel::String(h.label),
        kind: None,
        text_edits: None,
        tooltip: Some(lsp::InlayHintTooltip::String(h.tooltip)),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

pub fn document_link(l: DocumentLink, target: Uri, rope: &Rope, enc: Encoding) -> lsp::DocumentLink {
    // Editors open `file:…#L<line>` at that line (VS Code's link opener does).
    let target = match l.line {
        Some(line) => format!("{}#L{line}", target.as_str()).parse().unwrap_or(target),
        None => target,
    };
    lsp::DocumentLink {
        range: range(rope, &l.range, enc),
        target: Some(target),
        tooltip: Some(l.tooltip),
        data: None,
    }
}

/// The arguments of a call on the spec at `spec` (its URI).
fn arguments(args: &Args, spec: &Uri, uri_of: &dyn Fn(&str) -> Option<Uri>) -> Option<Vec<Value>> {
    let uri = |u: &Uri| Value::String(u.as_str().to_string());
    Some(match args {
        Args::Spec(flags) if *flags == RunFlags::default() => vec![uri(spec)],
        Args::Spec(flags) => vec![uri(spec), serde_json::to_value(flags).ok()?],
        Args::Reason(reason) => vec![Value::String(reason.clone())],
        Args::File(path) => vec![uri(&uri_of(path)?)],
    })
}

pub fn command(title: String, call: &Call, spec: &Uri, uri_of: &dyn Fn(&str) -> Option<Uri>) -> lsp::Command {
    lsp::Command {
        title,
        command: call.command.name().to_string(),
        arguments: arguments(&call.args, spec, uri_of),
    }
}

/// A lens; one that only informs gets a command with an empty name (clients show it and
/// do nothing when it is clicked).
pub fn code_lens(l: Lens, spec: &Uri, rope: &Rope, enc: Encoding) -> lsp::CodeLens {
    let no_files = |_: &str| None;
    let command = match &l.call {
        Some(call) => command(l.title, call, spec, &no_files),
        None => lsp::Command { title: l.title, command: String::new(), arguments: None },
    };
    lsp::CodeLens { range: range(rope, &l.range, enc), command: Some(command), data: None }
}

/// A chant command on a spec as a code action. `kind`: the `source.chant.*` kind, when
/// the client asked for kinds. A refused action is shown disabled with its reason, or,
/// for clients without disabled actions, as an action that explains the refusal.
pub fn spec_action(
    a: SpecAction,
    spec: &Uri,
    kind: Option<lsp::CodeActionKind>,
    disabled_support: bool,
) -> lsp::CodeAction {
    let no_files = |_: &str| None;
    match a.enabled {
        Ok(()) => {
            let call = Call { command: a.verb.command(), args: Args::Spec(a.flags) };
            lsp::CodeAction {
                command: Some(command(a.title.clone(), &call, spec, &no_files)),
                title: a.title,
                kind,
                ..Default::default()
            }
        }
        Err(reason) if disabled_support => lsp::CodeAction {
            title: a.title,
            kind,
            disabled: Some(lsp::CodeActionDisabled { reason }),
            ..Default::default()
        },
        Err(reason) => {
            let title = format!("{} — not now: {reason}", a.title);
            lsp::CodeAction {
                command: Some(command(title.clone(), &Call::explain(reason), spec, &no_files)),
                title,
                kind,
                ..Default::default()
            }
        }
    }
}

/// Code actions as the client takes them: literals, or bare commands for clients that
/// do not support literals (those lose the actions that are edits).
pub fn code_action_response(actions: Vec<lsp::CodeAction>, literals: bool) -> lsp::CodeActionResponse {
    if literals {
        return actions.into_iter().map(lsp::CodeActionOrCommand::CodeAction).collect();
    }
    actions.into_iter().filter_map(|a| a.command).map(lsp::CodeActionOrCommand::Command).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::LineIndex;

    #[test]
    fn positions() {
        // ASCII, CJK (1 UTF-16 unit, 3 bytes), emoji (2 units, 4 bytes), CRLF and a lone CR.
        let text = "ab\r\n日本🚀x\rlast";
        let rope = Rope::from_str(text);
        let x = text.find('x').expect("x");
        assert_eq!(position(&rope, x, Encoding::Utf16), Position::new(1, 4));
        assert_eq!(position(&rope, x, Encoding::Utf8), Position::new(1, 10));
        assert_eq!(position(&rope, text.len(), Encoding::Utf16), Position::new(2, 4));
    }

    /// The server (ropey) and `check` (`analysis::text::LineIndex`) end lines at the same
    /// places, `\n`, `\r\n` and a lone `\r`, and agree on every offset.
    #[test]
    fn one_definition_of_a_line() {
        let texts = [
            "a\rb\r\nc\nd",
            "\r\r\n\n\r",
            "---\rid: x\r---\r# T\r\rbody 🚀\r",
            "é\r\nü\r日\n",
            "no break",
            "",
            "\r\n\r\n",
            "x\r",
        ];
        for text in texts {
            let rope = Rope::from_str(text);
            let idx = LineIndex::new(text);
            for offset in 0..=text.len() + 1 {
                let server = position(&rope, offset, Encoding::Utf16);
                let check = idx.position(offset);
                assert_eq!(
                    (server.line as usize, server.character as usize),
                    (check.line, check.utf16),
                    "offset {offset} of {text:?}"
                );
                let server8 = position(&rope, offset, Encoding::Utf8);
                assert_eq!(server8.character as usize, check.byte_col, "offset {offset} of {text:?}");
            }
            for line in 0..rope.len_lines() {
                let server = rope.line(line).to_string();
                let server = server.trim_end_matches('\n').trim_end_matches('\r');
                assert_eq!(idx.line_text(line), server, "line {line} of {text:?}");
            }
        }
    }
}

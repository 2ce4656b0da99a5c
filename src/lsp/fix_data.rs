//! The quick fixes a published diagnostic carries in its `data`, as one serde type that
//! this module both writes (when diagnostics are published) and reads (when the client
//! asks for code actions). A code action request thus never depends on what the server
//! published earlier: the edits are already in the client's encoding.

use std::collections::HashMap;

use ropey::Rope;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::capabilities::{ClientCaps, Encoding};
use super::to_proto;
use crate::analysis::diagnostic::{Diagnostic, FixAction};
use crate::analysis::ide::commands::Command;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixData {
    pub fixes: Vec<Fix>,
    /// The text under the diagnostic when it was computed: when the document no longer
    /// has it there, the edits are stale and are not offered.
    pub anchor: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    pub title: String,
    #[serde(flatten)]
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Action {
    /// Edits of the diagnostic's file.
    Edits { edits: Vec<lsp::TextEdit> },
    /// A file the client creates (a `CreateFile` operation).
    Create { uri: Uri },
    /// A server command with its arguments (the diagnostic's file when there are none).
    Command { command: String, arguments: Option<Vec<Value>> },
    /// A server command on the diagnostic's file, with further arguments after it.
    OnFile { command: String, extra: Vec<Value> },
}

impl FixData {
    /// The fixes of `d` (in the file whose text is `rope`), or `None` when it has none.
    /// `abs` turns a project-relative path into a URI.
    pub fn write(
        d: &Diagnostic,
        rope: &Rope,
        enc: Encoding,
        caps: &ClientCaps,
        uri_of: &dyn Fn(&str) -> Option<Uri>,
    ) -> Option<Value> {
        if d.fixes.is_empty() {
            return None;
        }
        let fixes = d
            .fixes
            .iter()
            .filter_map(|f| {
                let action = match &f.action {
                    FixAction::Edits(edits) => Action::Edits {
                        edits: edits
                            .iter()
                            .map(|(r, t)| lsp::TextEdit {
                                range: to_proto::range(rope, r, enc),
                                new_text: t.clone(),
                            })
                            .collect(),
                    },
                    FixAction::CreateFile(path) => {
                        let uri = uri_of(path)?;
                        if caps.document_changes && caps.resource_create {
                            Action::Create { uri }
                        } else {
                            Action::Command {
                                command: Command::CreateFile.name().to_string(),
                                arguments: Some(vec![Value::String(uri.as_str().to_string())]),
                            }
                        }
                    }
                    FixAction::RemoveBom => {
                        Action::Command { command: Command::RemoveBom.name().to_string(), arguments: None }
                    }
                    FixAction::ShowChanges(path) => Action::OnFile {
                        command: Command::ShowChanges.name().to_string(),
                        extra: path.iter().map(|p| serde_json::json!({ "path": p })).collect(),
                    },
                };
                Some(Fix { title: f.title.clone(), action })
            })
            .collect();
        let anchor = rope.get_byte_slice(d.range.clone()).map(|s| s.to_string()).unwrap_or_default();
        serde_json::to_value(FixData { fixes, anchor }).ok()
    }

    /// What a diagnostic sent back by the client carries (`None`: nothing, or not ours).
    pub fn read(d: &lsp::Diagnostic) -> Option<FixData> {
        serde_json::from_value(d.data.clone()?).ok()
    }

    /// The quick fixes of `d` for the document at `uri`. `now` is the open document's
    /// version and its text under the diagnostic: when that is not the anchor, the
    /// document changed under the fixes and none is offered. With `versioned`, edits
    /// name the version they apply to, so a client refuses them if the document changes
    /// before they are applied.
    pub fn code_actions(
        self,
        uri: &Uri,
        d: &lsp::Diagnostic,
        now: Option<(i32, String)>,
        versioned: bool,
    ) -> Vec<lsp::CodeAction> {
        if now.as_ref().is_some_and(|(_, text)| *text != self.anchor) {
            return Vec::new();
        }
        let version = now.map(|(v, _)| v);
        let mut out = Vec::new();
        for (n, f) in self.fixes.into_iter().enumerate() {
            let mut action = lsp::CodeAction {
                title: f.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                is_preferred: Some(n == 0),
                ..Default::default()
            };
            match f.action {
                Action::Edits { edits } => {
                    action.edit = Some(match (versioned, version) {
                        (true, Some(v)) => lsp::WorkspaceEdit {
                            document_changes: Some(lsp::DocumentChanges::Edits(vec![
                                lsp::TextDocumentEdit {
                                    text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                                        uri: uri.clone(),
                                        version: Some(v),
                                    },
                                    edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                                },
                            ])),
                            ..Default::default()
                        },
                        _ => lsp::WorkspaceEdit {
                            changes: Some(HashMap::from([(uri.clone(), edits)])),
                            ..Default::default()
                        },
                    })
                }
                Action::Create { uri } => {
                    action.edit = Some(lsp::WorkspaceEdit {
                        document_changes: Some(lsp::DocumentChanges::Operations(vec![
                            lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                                uri,
                                options: Some(lsp::CreateFileOptions {
                                    overwrite: Some(false),
                                    ignore_if_exists: Some(true),
                                }),
                                annotation_id: None,
                            })),
                        ])),
                        ..Default::default()
                    })
                }
                Action::Command { command, arguments } => {
                    let arguments =
                        arguments.unwrap_or_else(|| vec![Value::String(uri.as_str().to_string())]);
                    action.command =
                        Some(lsp::Command { title: f.title, command, arguments: Some(arguments) });
                }
                Action::OnFile { command, extra } => {
                    let mut arguments = vec![Value::String(uri.as_str().to_string())];
                    arguments.extend(extra);
                    action.command =
                        Some(lsp::Command { title: f.title, command, arguments: Some(arguments) });
                }
            }
            out.push(action);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::diagnostic::{Code, Fix as AnalysisFix};

    #[test]
    fn written_data_reads_back_into_the_same_fixes() {
        let rope = Rope::from_str("depends_on: a\n");
        let mut d = Diagnostic::new(Code::InternalError, 12..13, "m");
        d.fixes.push(AnalysisFix::edit("Make it a list", 12..13, "[a]"));
        d.fixes.push(AnalysisFix {
            title: "Create it".into(),
            action: FixAction::CreateFile("x.md".into()),
            automatic: false,
        });
        d.fixes.push(AnalysisFix {
            title: "Remove the BOM".into(),
            action: FixAction::RemoveBom,
            automatic: true,
        });
        let caps = ClientCaps::default();
        let uri_of = |p: &str| format!("file:///p/{p}").parse::<Uri>().ok();
        let value = FixData::write(&d, &rope, Encoding::Utf16, &caps, &uri_of).expect("data");
        let sent = lsp::Diagnostic { data: Some(value), ..Default::default() };
        let data = FixData::read(&sent).expect("read");
        assert_eq!(data.anchor, "a");
        assert_eq!(data.fixes.len(), 3);
        let uri: Uri = "file:///p/.chant/specs/s.md".parse().expect("uri");
        let actions = data.clone().code_actions(&uri, &sent, Some((3, "a".into())), true);
        assert_eq!(actions.len(), 3);
        assert!(actions[0].edit.as_ref().is_some_and(|e| e.document_changes.is_some()));
        let create = actions[1].command.as_ref().expect("command");
        assert_eq!(create.command, "chant.createFile");
        assert_eq!(create.arguments, Some(vec![Value::String("file:///p/x.md".into())]));
        let bom = actions[2].command.as_ref().expect("command");
        assert_eq!(bom.arguments, Some(vec![Value::String(uri.as_str().to_string())]));
        // The document changed under the diagnostic: nothing is offered.
        assert!(data.code_actions(&uri, &sent, Some((4, "b".into())), true).is_empty());
        // Data that is not ours reads as nothing.
        let foreign = lsp::Diagnostic { data: Some(serde_json::json!({"x": 1})), ..Default::default() };
        assert_eq!(FixData::read(&foreign), None);
    }
}

//! What the server advertises: exactly the features it implements; and what the
//! client can do ([`ClientCaps`], read once from `initialize`).

use tower_lsp_server::ls_types::{self as lsp, OneOf};

use crate::analysis::ide::commands::Command;

/// The position encoding agreed with the client: UTF-8 when it offers it, else UTF-16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    pub fn of(caps: &lsp::ClientCapabilities) -> Encoding {
        let utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&lsp::PositionEncodingKind::UTF8));
        if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }
}

/// What the client can do.
#[derive(Debug, Clone, Default)]
pub struct ClientCaps {
    pub work_done_progress: bool,
    pub configuration: bool,
    pub dynamic_watch: bool,
    pub related_information: bool,
    pub resource_rename: bool,
    /// `CreateFile` operations in workspace edits.
    pub resource_create: bool,
    pub document_changes: bool,
    pub hierarchical_symbols: bool,
    pub inlay_hint_refresh: bool,
    pub code_lens_refresh: bool,
    pub disabled_code_actions: bool,
    /// `CodeAction` literals in code action answers (else bare commands).
    pub code_action_literals: bool,
    pub show_document: bool,
}

impl ClientCaps {
    pub fn of(caps: &lsp::ClientCapabilities) -> ClientCaps {
        let ws = caps.workspace.as_ref();
        let td = caps.text_document.as_ref();
        let edit = ws.and_then(|w| w.workspace_edit.as_ref());
        let resource_op =
            |op| edit.and_then(|e| e.resource_operations.as_ref()).is_some_and(|ops| ops.contains(&op));
        ClientCaps {
            work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            dynamic_watch: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            related_information: td
                .and_then(|t| t.publish_diagnostics.as_ref())
                .and_then(|p| p.related_information)
                .unwrap_or(false),
            resource_rename: resource_op(lsp::ResourceOperationKind::Rename),
            resource_create: resource_op(lsp::ResourceOperationKind::Create),
            document_changes: edit.and_then(|e| e.document_changes).unwrap_or(false),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|d| d.hierarchical_document_symbol_support)
                .unwrap_or(false),
            inlay_hint_refresh: ws
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
            code_lens_refresh: ws
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
            code_action_literals: td
                .and_then(|t| t.code_action.as_ref())
                .is_some_and(|c| c.code_action_literal_support.is_some()),
            disabled_code_actions: td
                .and_then(|t| t.code_action.as_ref())
                .and_then(|c| c.disabled_support)
                .unwrap_or(false),
            show_document: caps
                .window
                .as_ref()
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
        }
    }
}

pub fn result(encoding: Encoding) -> lsp::InitializeResult {
    let file_ops = lsp::FileOperationRegistrationOptions {
        filters: vec![lsp::FileOperationFilter {
            scheme: Some("file".to_string()),
            pattern: lsp::FileOperationPattern { glob: "**/*".to_string(), matches: None, options: None },
        }],
    };
    let capabilities = lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
            will_save: None,
            will_save_wait_until: None,
            save: None,
        })),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["/".into(), "[".into(), ":".into()]),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(lsp::CodeLensOptions { resolve_provider: Some(false) }),
        rename_provider: Some(OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_link_provider: Some(lsp::DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
            code_action_kinds: Some(vec![
                lsp::CodeActionKind::QUICKFIX,
                lsp::CodeActionKind::new("source.chant.run"),
                lsp::CodeActionKind::new("source.chant.stop"),
                lsp::CodeActionKind::new("source.chant.verify"),
                lsp::CodeActionKind::new("source.chant.reset"),
                lsp::CodeActionKind::new("source.chant.split"),
                lsp::CodeActionKind::new("source.chant.log"),
            ]),
            work_done_progress_options: Default::default(),
            resolve_provider: Some(false),
        })),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: Command::ALL.iter().map(|c| c.name().to_string()).collect(),
            work_done_progress_options: Default::default(),
        }),
        workspace: Some(lsp::WorkspaceServerCapabilities {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: Some(lsp::WorkspaceFileOperationsServerCapabilities {
                will_rename: Some(file_ops),
                ..Default::default()
            }),
        }),
        ..Default::default()
    };
    lsp::InitializeResult {
        capabilities,
        server_info: Some(lsp::ServerInfo {
            name: "chant-lsp".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        offset_encoding: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn serializes() {
        let v = serde_json::to_value(super::result(super::Encoding::Utf16)).expect("json");
        assert!(v["capabilities"]["hoverProvider"].as_bool().unwrap_or(false), "{v}");
        let commands = v["capabilities"]["executeCommandProvider"]["commands"].as_array().expect("commands");
        assert_eq!(commands.len(), super::Command::ALL.len());
    }
}

//! What the server advertises: exactly the features it implements.

use tower_lsp_server::ls_types::{self as lsp, OneOf};

use super::convert::Encoding;

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
            commands: super::runs::COMMANDS.iter().map(|c| c.to_string()).collect(),
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
    }
}

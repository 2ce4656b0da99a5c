//! `textDocument/prepareRename` and `textDocument/rename`: renaming a spec renames its
//! file and its members' files and rewrites every reference to it
//! (`analysis::ide::rename`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{self as lsp, OneOf, Uri};

use crate::analysis::ide::locate::{target_at, Target};
use crate::analysis::ide::rename;
use crate::lsp::server::Backend;
use crate::lsp::{from_proto, to_proto};

/// The spec ID under the cursor (its own ID on the title line) and its range; `None`
/// inside when the cursor is on something else.
fn target(b: &Backend, uri: &Uri, pos: lsp::Position) -> Option<Option<(String, lsp::Range)>> {
    let doc = super::document(b, uri)?;
    let st = b.state();
    let enc = st.encoding;
    let offset = from_proto::offset(&doc.rope, pos, enc);
    let found = st.with_spec(&doc.path, &doc.text, |r, f| match target_at(f, offset)? {
        (Target::SpecId { id, .. }, range) if r.ws.project.active(&id).is_some() => Some((id, range)),
        (Target::Title, range) => Some((f.id.to_string(), range)),
        _ => None,
    })?;
    Some(found.map(|(id, range)| (id, to_proto::range(&doc.rope, &range, enc))))
}

pub fn prepare(b: &Backend, p: lsp::TextDocumentPositionParams) -> Option<lsp::PrepareRenameResponse> {
    let (placeholder, range) = target(b, &p.text_document.uri, p.position)??;
    Some(lsp::PrepareRenameResponse::RangeWithPlaceholder { range, placeholder })
}

pub fn handle(b: &Backend, p: lsp::RenameParams) -> jsonrpc::Result<Option<lsp::WorkspaceEdit>> {
    let tdp = p.text_document_position;
    let Some(found) = target(b, &tdp.text_document.uri, tdp.position) else { return Ok(None) };
    let Some((id, _)) = found else {
        return Err(jsonrpc::Error::invalid_params(
            "put the cursor on a spec ID or a spec's title to rename it",
        ));
    };
    let (root, plan, enc) = {
        let st = b.state();
        if !(st.caps.document_changes && st.caps.resource_rename) {
            return Err(jsonrpc::Error::invalid_params(
                "renaming a spec renames its file, which this editor cannot do through LSP",
            ));
        }
        let path = from_proto::path(&tdp.text_document.uri).unwrap_or_default();
        let Some(idx) = st.root_of(&path) else { return Ok(None) };
        let r = &st.roots[idx];
        let plan =
            rename::rename_spec(&r.ws.project, &id, &p.new_name).map_err(jsonrpc::Error::invalid_params)?;
        (r.path.clone(), plan, st.encoding)
    };
    let mut rels: Vec<String> = plan.edits.iter().map(|e| e.path.clone()).collect();
    rels.extend(plan.moves.iter().map(|(from, _)| from.clone()));
    rels.sort();
    rels.dedup();
    let files = super::file_texts(b, &root, &rels);
    let mut by_file: BTreeMap<&str, Vec<lsp::TextEdit>> = BTreeMap::new();
    for r in &plan.edits {
        if let Some(edit) = files.get(&r.path).and_then(|f| super::text_edit(f, r, enc)) {
            by_file.entry(r.path.as_str()).or_default().push(edit);
        }
    }
    let mut ops: Vec<lsp::DocumentChangeOperation> = Vec::new();
    for (rel, edits) in by_file {
        let Some(f) = files.get(rel) else { continue };
        ops.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                uri: f.uri.clone(),
                version: f.version,
            },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        }));
    }
    for (from, to) in &plan.moves {
        let old_uri = files.get(from).map(|f| f.uri.clone()).or_else(|| Uri::from_file_path(root.join(from)));
        let (Some(old_uri), Some(new_uri)) = (old_uri, Uri::from_file_path(PathBuf::from(&root).join(to)))
        else {
            continue;
        };
        ops.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(lsp::RenameFile {
            old_uri,
            new_uri,
            options: Some(lsp::RenameFileOptions { overwrite: Some(false), ignore_if_exists: Some(false) }),
            annotation_id: None,
        })));
    }
    Ok(Some(lsp::WorkspaceEdit {
        changes: None,
        document_changes: Some(lsp::DocumentChanges::Operations(ops)),
        change_annotations: None,
    }))
}

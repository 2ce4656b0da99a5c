//! `textDocument/hover`: what is under the cursor (`analysis::ide::hover`), and for a
//! spec, what its runs are doing and its state in git; on a `commits:` hash, that
//! commit, with the files it changed read from the repository; on a line of another
//! project file, with `sourceFiles.blame` on, the spec that wrote it. A file preview and a
//! commit's files are read after the state lock is released (`hover::fill`).

use std::time::Duration;

use tower_lsp_server::ls_types as lsp;

use crate::analysis::ide::{git, hover};
use crate::lsp::server::Backend;
use crate::lsp::{from_proto, to_proto};

/// How long a hover waits for a commit's changed files before answering without them.
const COMMIT_FILES_PATIENCE: Duration = Duration::from_millis(800);

pub async fn handle(b: &Backend, p: lsp::HoverParams) -> Option<lsp::Hover> {
    let tdp = p.text_document_position_params;
    let Some(doc) = super::document(b, &tdp.text_document.uri) else {
        return blame_hover(b, &tdp.text_document.uri, tdp.position).await;
    };
    let (enc, found) = {
        let st = b.state();
        let enc = st.encoding;
        let offset = from_proto::offset(&doc.rope, tdp.position, enc);
        let found = st.with_spec(&doc.path, &doc.text, |r, f| {
            let git = r.ws.git_facts().cloned();
            if let (Some((raw, range)), Some(git)) = (git::commit_at(f, offset), &git) {
                return Err((r.path.clone(), git.clone(), raw, range));
            }
            let h = hover::hover_lazy(&r.ws.project, r.facts.as_ref(), f, offset);
            let mut notes: Vec<String> = Vec::new();
            if let Some(id) = hover::spec_at(f, offset) {
                notes.extend(hover::run_note(&b.run_state(&st, &r.path, &id)));
                let own = (id == f.id).then_some(f.text);
                notes.extend(git.as_ref().and_then(|g| git::note(g, &r.ws.project, &id, own)));
            }
            Ok((h, r.facts.clone(), (!notes.is_empty()).then(|| notes.join("\n\n"))))
        })?;
        (enc, found)
    };
    match found {
        Ok((h, facts, note)) => {
            let h = hover::fill(h?, facts.as_ref());
            Some(to_proto::hover(h, note, &doc.rope, enc))
        }
        Err((root, facts, raw, range)) => {
            let hash = raw.clone();
            let read = tokio::task::spawn_blocking(move || crate::io::git::commit_files(&root, &hash));
            let files =
                tokio::time::timeout(COMMIT_FILES_PATIENCE, read).await.ok().and_then(Result::ok).flatten();
            let markdown = git::commit_hover(&facts, &raw, files.as_deref());
            Some(to_proto::hover(hover::Hover { markdown, range, preview: None }, None, &doc.rope, enc))
        }
    }
}

/// On a source file with `sourceFiles.blame` on: which spec wrote the line (blame,
/// waited for at most `sources::BLAME_PATIENCE`; a slower one shows on the next hover).
async fn blame_hover(b: &Backend, uri: &lsp::Uri, position: lsp::Position) -> Option<lsp::Hover> {
    use crate::lsp::sources;
    if !b.state().settings.source_files.blame {
        return None;
    }
    let s = sources::source(b, uri)?;
    let origin = sources::blame(b, &s, position.line, Some(sources::BLAME_PATIENCE)).await?.ok()?;
    let (markdown, _) = sources::origin_text(b, &s, position.line, &origin);
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: markdown,
        }),
        range: None,
    })
}

//! `chant-lsp/graph`: the dependency graph of the project holding a URI, drawn by
//! `analysis::graph` (SVG, DOT, Mermaid or JSON). The graph is built under the state
//! lock (plain data, no IO); the layout runs after the lock is released, on a blocking
//! thread. A whole project past the picture limit falls back to the neighbourhood of
//! the spec at the URI, with a message saying so.

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::Uri;

use crate::analysis::graph::{self, Format, Options, MAX_NODES};
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    /// A spec (highlighted, and the centre of the fallback) or any file or folder in the
    /// project.
    pub uri: Option<Uri>,
    /// The project's root folder, when no `uri` is given.
    pub root: Option<Uri>,
    /// `svg` (default), `dot`, `mermaid` or `json`.
    pub format: Option<String>,
    pub around: Option<String>,
    pub depth: Option<usize>,
    #[serde(default)]
    pub include_archived: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reply {
    /// What `text` is: the format asked for, or `dot` when the layout failed.
    pub format: &'static str,
    /// Empty when nothing was drawn (see `message`).
    pub text: String,
    pub nodes: usize,
    pub edges: usize,
    /// The project root (a `file:` URI), to open a node's `data-path`.
    pub root: Option<Uri>,
    /// The spec at `uri`, if it is one.
    pub current: Option<String>,
    /// The spec whose neighbourhood was drawn.
    pub around: Option<String>,
    /// Why the picture is not the one asked for, or not there.
    pub message: Option<String>,
}

pub async fn handle(b: &Backend, params: Params) -> jsonrpc::Result<Reply> {
    let format = match params.format.as_deref() {
        None => Format::Svg,
        Some(f) => Format::parse(f).ok_or_else(|| {
            jsonrpc::Error::invalid_params(format!("unknown format `{f}` (use svg, dot, mermaid or json)"))
        })?,
    };
    let target = params.uri.as_ref().or(params.root.as_ref()).and_then(from_proto::path);
    let target = target.ok_or_else(|| jsonrpc::Error::invalid_params("a `file:` uri or root is needed"))?;
    let mut opts = Options {
        around: params.around.clone(),
        depth: params.depth,
        include_archived: params.include_archived,
    };
    let (root, current, g, mut message) = {
        let st = b.state();
        let idx = st.root_of(&target).ok_or_else(|| {
            jsonrpc::Error::invalid_params(format!("{} is in no chant project", target.display()))
        })?;
        let r = &st.roots[idx];
        let current = st
            .spec_at(&target)
            .and_then(|(_, rel)| r.ws.index_of(&rel))
            .map(|i| r.ws.project.specs[i].id.clone());
        let runs = b.runs();
        let live = |id: &str| {
            r.runs.locks.contains_key(id) || runs.active.contains_key(&(r.path.clone(), id.to_string()))
        };
        let mut g = graph::build(&r.ws, &opts, &live).map_err(jsonrpc::Error::invalid_params)?;
        let mut message = None;
        if format != Format::Json && opts.around.is_none() && g.nodes.len() > MAX_NODES {
            if let Some(id) = &current {
                message = Some(format!(
                    "The project's graph has {} nodes, more than {MAX_NODES}: showing the specs at most {} edges from `{id}`.",
                    g.nodes.len(),
                    graph::DEFAULT_DEPTH
                ));
                opts.around = Some(id.clone());
                g = graph::build(&r.ws, &opts, &live).map_err(jsonrpc::Error::invalid_params)?;
            }
        }
        (r.path.clone(), current, g, message)
    };
    let (nodes, edges, around) = (g.nodes.len(), g.edges.len(), g.around.clone());
    let drawn = tokio::task::spawn_blocking(move || graph::draw(&g, format))
        .await
        .map_err(|_| jsonrpc::Error::internal_error())?;
    let (format, text) = match drawn {
        Ok(d) => {
            if let Some(m) = d.message {
                message = Some(m);
            }
            (d.format, d.text)
        }
        Err(why) => {
            message = Some(why);
            (format, String::new())
        }
    };
    Ok(Reply {
        format: format.as_str(),
        text,
        nodes,
        edges,
        root: Uri::from_file_path(&root),
        current,
        around,
        message,
    })
}

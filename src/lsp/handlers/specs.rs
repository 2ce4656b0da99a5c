//! `chant-lsp/specs`: the specs view of one project (the one holding `uri`) or of every
//! loaded project: sections with their specs and why they are there, the ready queue in
//! the order `chant work --chain` takes it, counts, and per spec the Run, Stop and Show
//! log buttons as the code actions enable them (`analysis::ide::specs`). The views are
//! computed under the state lock from what is in memory (no file is read); the JSON is
//! built after the lock is released. `items` names the sections whose specs are listed
//! (default: all): a client showing Completed collapsed leaves it out, and most of a
//! mature project's rows are neither built nor sent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::Uri;

use crate::analysis::ide::actions::RunFlags;
use crate::analysis::ide::commands::Command;
use crate::analysis::ide::specs::{self, Button, SectionKind, View};
use crate::lsp::from_proto;
use crate::lsp::server::Backend;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SpecsParams {
    /// A file or folder inside the project; none: every project.
    pub uri: Option<Uri>,
    /// The sections (by kind, e.g. `ready`) whose specs are listed; none: all of them.
    pub items: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct SpecsResult {
    pub projects: Vec<Value>,
}

pub fn handle(b: &Backend, p: SpecsParams) -> jsonrpc::Result<SpecsResult> {
    let listed: Option<Vec<SectionKind>> = match &p.items {
        None => None,
        Some(names) => Some(
            names
                .iter()
                .map(|n| {
                    SectionKind::ALL.into_iter().find(|k| k.name() == n).ok_or_else(|| {
                        let known: Vec<&str> = SectionKind::ALL.iter().map(|k| k.name()).collect();
                        jsonrpc::Error::invalid_params(format!(
                            "unknown section `{n}` in `items` (known: {})",
                            known.join(", ")
                        ))
                    })
                })
                .collect::<jsonrpc::Result<_>>()?,
        ),
    };
    let list = |kind: SectionKind| listed.as_ref().is_none_or(|l| l.contains(&kind));
    // Under the state lock only the views (plain data) and the URIs of open documents; the
    // JSON is built after it is released.
    let gathered: Vec<(PathBuf, String, View, HashMap<String, String>)> = {
        let st = b.state();
        let mut wanted: Vec<usize> = match p.uri.as_ref() {
            Some(uri) => from_proto::path(uri).and_then(|path| st.root_of(&path)).into_iter().collect(),
            None => (0..st.roots.len()).collect(),
        };
        // By root path, whatever order the projects finished loading in.
        wanted.sort_by(|&a, &b| st.roots[a].path.cmp(&st.roots[b].path));
        wanted
            .into_iter()
            .map(|idx| {
                let r = &st.roots[idx];
                let view = specs::view_listing(&r.ws, &|id| b.run_state(&st, &r.path, id), &list);
                let open = st
                    .docs
                    .iter()
                    .filter_map(|(path, d)| Some((r.rel(path)?, d.uri.as_str().to_string())))
                    .collect();
                let name = match r.ws.config().project_name.as_str() {
                    "" => r.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    name => name.to_string(),
                };
                (r.path.clone(), name, view, open)
            })
            .collect()
    };
    let projects =
        gathered.into_iter().map(|(root, name, view, open)| project(&root, name, view, &open)).collect();
    Ok(SpecsResult { projects })
}

/// One project's answer.
fn project(root: &Path, name: String, view: View, open: &HashMap<String, String>) -> Value {
    let uri_of = |rel: &str| match open.get(rel) {
        Some(uri) => uri.clone(),
        None => Uri::from_file_path(root.join(rel)).map(|u| u.as_str().to_string()).unwrap_or_default(),
    };
    let sections: Vec<Value> = view
        .sections
        .iter()
        .map(|sec| {
            let items: Vec<Value> = sec
                .items
                .iter()
                .map(|it| {
                    let mut item = json!({
                        "id": it.id,
                        "shortId": it.short_id,
                        "title": it.title,
                        "uri": uri_of(&it.path),
                        "status": it.status.as_str(),
                        "actions": {
                            "run": button(&it.run, Command::Run),
                            "stop": button(&it.stop, Command::Stop),
                            "showLog": button(&it.show_log, Command::ShowLog),
                        },
                    });
                    if let Some(reason) = &it.reason {
                        item["reason"] = json!(reason);
                    }
                    item
                })
                .collect();
            let mut section =
                json!({ "kind": sec.kind.name(), "label": sec.kind.label(), "count": sec.count });
            if sec.listed {
                section["items"] = json!(items);
            }
            section
        })
        .collect();
    let mut counts = serde_json::Map::new();
    for kind in SectionKind::ALL {
        counts.insert(kind.name().to_string(), json!(view.count(kind)));
    }
    counts.insert("total".to_string(), json!(view.total()));
    let root = Uri::from_file_path(root).map(|u| u.as_str().to_string()).unwrap_or_default();
    let mut project = json!({
        "root": root,
        "name": name,
        "sections": sections,
        "ready": view.ready,
        "counts": counts,
    });
    if let Some(note) = view.queue_note {
        project["queueNote"] = json!(note);
    }
    project
}

/// A button as the client calls it: the server command, called with the spec's URI and,
/// for a run that needs them, the flags of the action it stands for. Kept small: a 10k-spec
/// project sends 30k of these.
fn button(b: &Button, command: Command) -> Value {
    let mut v = json!({ "enabled": b.enabled, "command": command.name() });
    if b.enabled {
        v["title"] = json!(b.title);
    }
    if let Some(why) = &b.why {
        v["why"] = json!(why);
    }
    if command == Command::Run && b.enabled && b.flags != RunFlags::default() {
        v["flags"] = json!(b.flags);
    }
    v
}

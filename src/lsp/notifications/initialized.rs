//! `initialized`: settings, file watching and the first loads, detached: a handler
//! still waiting for the client when it exits would keep the server from exiting.

use crate::lsp::server::Backend;

pub fn handle(b: &Backend) {
    let b = b.clone();
    tokio::spawn(async move { b.start_up().await });
}

//! `workspace/didChangeConfiguration`: the settings are asked for again (or taken from
//! the notification when the client cannot be asked). Detached: asking waits for the
//! client.

use tower_lsp_server::ls_types as lsp;

use crate::lsp::server::Backend;

pub fn handle(b: &Backend, params: lsp::DidChangeConfigurationParams) {
    let b = b.clone();
    tokio::spawn(async move {
        let ask = b.state().caps.configuration;
        if ask {
            b.fetch_settings().await;
        } else {
            b.apply_settings(&params.settings).await;
        }
    });
}

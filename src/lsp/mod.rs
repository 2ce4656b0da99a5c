//! The language server: the only module that names protocol types. `analysis/` does the
//! work; this layer keeps documents and projects current, converts positions, and
//! answers requests.

pub mod capabilities;
pub mod convert;
mod features;
pub mod log;
mod runs;
pub mod server;
pub mod settings;
pub mod state;

use std::time::Duration;

use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin/stdout until the client exits (or stdin closes).
pub fn run() -> anyhow::Result<()> {
    log::init_from_env();
    crate::io::run::become_subreaper();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let (service, socket) = LspService::build(server::Backend::new)
            .custom_method("chant-lsp/documentText", server::Backend::document_text)
            .custom_method("window/workDoneProgress/cancel", server::Backend::progress_cancel)
            .finish();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    // Loads still running in the background must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(200));
    // The client went away without a shutdown (editor killed, stdin closed): agents
    // started from the editor do not outlive it.
    crate::io::run::stop_every_group();
    Ok(())
}

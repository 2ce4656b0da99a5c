//! The language server: the only module that names protocol types. `analysis/` does the
//! work; this layer keeps documents and projects current and answers requests:
//!
//! - `server.rs`: the `LanguageServer` impl (one line per method) and the `Backend`
//!   that carries out the effects of changes;
//! - `handlers/` (requests) and `notifications/`: one file each;
//! - `state.rs` + `changes.rs`: the state and `State::apply(Change) -> Effects`;
//! - `to_proto.rs` / `from_proto.rs` / `fix_data.rs`: every conversion;
//! - `publish.rs`, `loading.rs`, `runs.rs`: diagnostics out, projects in, chant runs;
//! - `sources.rs`: project files that are not specs (their specs, blame).

mod arrivals;
pub mod capabilities;
pub mod changes;
pub mod disk;
pub mod fix_data;
pub mod from_proto;
mod handlers;
mod loading;
pub mod log;
mod notifications;
pub mod project_changed;
pub mod publish;
mod runs;
pub mod server;
pub mod settings;
mod sources;
pub mod state;
pub mod to_proto;
pub mod transport;

use std::time::Duration;

use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin/stdout until the client exits, stdin closes, or a signal
/// (SIGTERM, SIGINT, SIGHUP) asks the server to end; fails when the input cannot be
/// framed (a header that cannot be read). Runs started from the editor are stopped on
/// every one of these paths.
pub fn run() -> anyhow::Result<()> {
    log::init_from_env();
    let reaper = crate::io::run::become_subreaper();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let result = runtime.block_on(async {
        if reaper {
            tokio::spawn(crate::io::run::reap_orphans());
        }
        let (service, socket) = LspService::build(server::Backend::new)
            .custom_method("chant-lsp/documentText", server::Backend::document_text)
            .custom_method("chant-lsp/changes", server::Backend::changes)
            .custom_method("chant-lsp/graph", server::Backend::graph)
            .custom_method("chant-lsp/specs", server::Backend::specs)
            .custom_method("window/workDoneProgress/cancel", server::Backend::work_done_progress_cancel)
            .finish();
        // Our framing in front of tower-lsp-server's (see `transport`): stdin → checked
        // frames → pipe → server → pipe → whole frames, with our error replies → stdout.
        let (to_server, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, from_server) = tokio::io::duplex(1 << 16);
        let (out_tx, out_rx) = tokio::sync::mpsc::channel(64);
        // The input's failure, kept where both ends below can see it.
        let failure = std::sync::Arc::new((std::sync::Mutex::new(None), tokio::sync::Notify::new()));
        let input = tokio::spawn({
            let (failure, out) = (failure.clone(), out_tx.clone());
            async move {
                if let Err(e) = transport::read_input(tokio::io::stdin(), to_server, out).await {
                    *failure.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    failure.1.notify_one();
                }
            }
        });
        let failed = || failure.0.lock().unwrap_or_else(|p| p.into_inner()).take();
        let output = transport::write_output(from_server, out_tx, out_rx, tokio::io::stdout());
        let serve = Server::new(server_in, server_out, socket).serve(service);
        tokio::select! {
            biased;
            () = failure.1.notified() => failed().map_or(Ok(()), Err),
            _ = async { tokio::join!(serve, output) } => {
                // A failed input closes the server's input too, so the server may end
                // first: the failure still decides how the process ends.
                let _ = tokio::time::timeout(Duration::from_millis(100), input).await;
                failed().map_or(Ok(()), Err)
            }
            name = ended_by_signal() => {
                log::log!(Info, "{name}: stopping");
                Ok(())
            }
        }
    });
    // Loads still running in the background must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(200));
    // Without a shutdown request (editor killed, stdin closed, a signal), agents started
    // from the editor must not outlive it.
    crate::io::run::stop_every_group();
    Ok(result?)
}

/// Resolves with the name of the first ending signal received (never, if the handlers
/// cannot be installed).
async fn ended_by_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) =
        (signal(SignalKind::terminate()), signal(SignalKind::interrupt()), signal(SignalKind::hangup()))
    else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
        _ = hup.recv() => "SIGHUP",
    }
}

//! The editor clients and the server agree on commands: every server command a client
//! forwards exists in the server's table, every command a person calls is offered by
//! each client, no client command takes a server command's name (vscode-languageclient
//! registers the server's commands itself), and the VS Code extension holds back in
//! untrusted workspaces exactly the commands that run chant.

use std::collections::BTreeSet;
use std::path::Path;

use chant_lsp::analysis::ide::commands::{CalledBy, Command};
use regex::Regex;

/// Commands the clients contribute that are not forwarded to the server (the graph asks
/// the server with its own request, `chant-lsp/graph`).
const CLIENT_ONLY: [&str; 3] = ["chant.restartServer", "chant.showGraph", "chant.specs.refresh"];

/// The specs view's buttons: each calls the server command that `chant-lsp/specs` names in
/// the spec's `actions.<key>` (`tests/lsp_specs.rs` checks those names).
const VIEW_BUTTONS: [(&str, &str); 3] =
    [("chant.specs.run", "run"), ("chant.specs.stop", "stop"), ("chant.specs.showLog", "showLog")];

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn server_commands() -> BTreeSet<String> {
    Command::ALL.iter().map(|c| c.name().to_string()).collect()
}

fn person_commands() -> BTreeSet<String> {
    Command::ALL.iter().filter(|c| c.called_by() == CalledBy::Person).map(|c| c.name().to_string()).collect()
}

/// VS Code: (client command, server command it forwards to, if any).
fn vscode_registrations() -> Vec<(String, Option<String>)> {
    let ts = read("editors/vscode/src/extension.ts") + &read("editors/vscode/src/specsView.ts");
    let register = Regex::new(r"registerCommand\('([\w.]+)',(.*)").expect("regex");
    let forward = Regex::new(r"sendServerCommand\('([\w.]+)'").expect("regex");
    register
        .captures_iter(&ts)
        .map(|c| (c[1].to_string(), forward.captures(&c[2]).map(|f| f[1].to_string())))
        .collect()
}

#[test]
fn vscode_forwards_only_server_commands_and_every_person_command() {
    let server = server_commands();
    let regs = vscode_registrations();
    assert!(regs.len() >= 3, "{regs:?}");
    for (client, forwards) in &regs {
        assert!(!server.contains(client), "the client command {client} takes a server command's name");
        match forwards {
            Some(s) => assert!(server.contains(s), "{client} forwards {s}, which the server does not have"),
            None if VIEW_BUTTONS.iter().any(|(c, _)| c == client) => {
                let (_, key) = VIEW_BUTTONS.iter().find(|(c, _)| c == client).expect("button");
                let view = read("editors/vscode/src/specsView.ts");
                let wired = format!("registerCommand('{client}', action((i) => i.actions.{key}))");
                assert!(view.contains(&wired), "{client} does not call the server's `actions.{key}`");
            }
            None => assert!(
                CLIENT_ONLY.contains(&client.as_str()),
                "{client} forwards nothing and is not client-only"
            ),
        }
    }
    let forwarded: BTreeSet<String> = regs.iter().filter_map(|(_, s)| s.clone()).collect();
    for p in person_commands() {
        assert!(forwarded.contains(&p), "no VS Code command forwards {p}");
    }
    // What package.json contributes is what extension.ts registers.
    let package: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package.json")).expect("json");
    let contributed: BTreeSet<String> = package["contributes"]["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .map(|c| c["command"].as_str().expect("command").to_string())
        .collect();
    let registered: BTreeSet<String> = regs.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(contributed, registered);
}

#[test]
fn vscode_holds_back_exactly_the_commands_that_run_chant() {
    let ts = read("editors/vscode/src/extension.ts");
    let line = ts.lines().find(|l| l.contains("const ALLOWED_UNTRUSTED")).expect("ALLOWED_UNTRUSTED");
    let allowed: BTreeSet<String> =
        Regex::new(r"'([\w.]+)'").expect("regex").captures_iter(line).map(|c| c[1].to_string()).collect();
    let expected: BTreeSet<String> =
        Command::ALL.iter().filter(|c| !c.runs_chant()).map(|c| c.name().to_string()).collect();
    assert_eq!(allowed, expected);
}

#[test]
fn neovim_forwards_only_server_commands_and_every_person_command() {
    let lua = read("editors/nvim/lua/chant/init.lua");
    let re = Regex::new(r"(Chant\w+) = \{ '([\w.]+)'").expect("regex");
    let forwarded: BTreeSet<String> = re.captures_iter(&lua).map(|c| c[2].to_string()).collect();
    assert!(!forwarded.is_empty());
    let server = server_commands();
    for f in &forwarded {
        assert!(server.contains(f), "a Neovim command forwards {f}, which the server does not have");
    }
    for p in person_commands() {
        assert!(forwarded.contains(&p), "no Neovim command forwards {p}");
    }
}

//! A small LSP client over stdio for protocol tests: spawns the real `chant-lsp`
//! binary, frames JSON-RPC with Content-Length, answers the server's requests
//! (configuration, registration, progress creation), and records every notification.
//! Every wait is bounded. Self-contained: the LSP benchmark includes it too.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(15);

pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Every notification and request the server sent, in order.
    pub received: Vec<Value>,
    /// What `workspace/configuration` answers (at first, the initialization options).
    pub settings: Value,
    /// Answers to other server requests, by method (default: `null`).
    pub replies: std::collections::HashMap<String, Value>,
    pub stderr: PathBuf,
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Client capabilities close to VS Code's (UTF-16, progress, configuration, dynamic
/// file watching, resource operations).
pub fn vscode_caps() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "workspace": {
            "configuration": true,
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename", "delete"] },
            "inlayHint": { "refreshSupport": true },
            "executeCommand": { "dynamicRegistration": false },
            "codeLens": { "refreshSupport": true },
            "workspaceFolders": true
        },
        "textDocument": {
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            "completion": { "completionItem": { "snippetSupport": false } },
            "codeAction": {
                "disabledSupport": true,
                "dataSupport": true,
                "isPreferredSupport": true,
                "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["", "quickfix", "refactor", "source"] } }
            }
        },
        "window": { "workDoneProgress": true, "showDocument": { "support": true } }
    })
}

/// Client capabilities like Neovim 0.11's: UTF-8 offered first, no dynamic file
/// watching (the server must watch by itself).
pub fn neovim_caps() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-8", "utf-16", "utf-32"] },
        "window": { "workDoneProgress": true },
        "workspace": { "configuration": true, "workspaceEdit": { "documentChanges": true, "resourceOperations": ["rename"] } },
        "textDocument": {
            "publishDiagnostics": { "relatedInformation": true },
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            "codeAction": {
                "isPreferredSupport": true,
                "dataSupport": true,
                "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["", "quickfix", "refactor", "source"] } }
            }
        }
    })
}

impl Server {
    /// Starts the server with `HOME` set to `home` and initializes it for `folder`.
    pub fn start(folder: &Path, home: &Path, caps: Value, init_options: Value) -> (Server, Value) {
        Self::start_env(folder, home, caps, init_options, &[])
    }

    /// Like `start`, with extra environment variables for the server (and what it runs).
    pub fn start_env(
        folder: &Path,
        home: &Path,
        caps: Value,
        init_options: Value,
        env: &[(&str, &str)],
    ) -> (Server, Value) {
        let stderr = home.join(format!("server-{}.log", std::process::id()));
        let err_file = std::fs::File::create(&stderr).expect("stderr log");
        // CHANT_LSP_BIN runs another build (the benchmark compares builds with it).
        let bin = std::env::var_os("CHANT_LSP_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_chant-lsp").into());
        let mut child = Command::new(bin)
            .envs(env.iter().copied())
            .env("HOME", home)
            .env("RUST_LOG", "debug")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(err_file)
            .spawn()
            .expect("spawn chant-lsp");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        let settings = if init_options.is_null() { json!({}) } else { init_options.clone() };
        let mut s = Server {
            child,
            stdin,
            rx,
            next_id: 0,
            received: Vec::new(),
            settings,
            replies: Default::default(),
            stderr,
        };
        let init = s.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(folder),
                "workspaceFolders": [{ "uri": uri(folder), "name": "ws" }],
                "capabilities": caps,
                "initializationOptions": init_options,
            }),
        );
        s.notify("initialized", json!({}));
        (s, init)
    }

    pub fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).expect("write");
        stdin.flush().expect("flush");
    }

    /// Writes bytes to the server's stdin as they are (broken frames included).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    /// The next message the server sends that is not a request or notification of its
    /// own (those are answered or recorded on the way); `None` on timeout.
    pub fn next_reply(&mut self, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        while let Some(msg) = self.next(deadline) {
            if msg.get("method").is_none() {
                return Some(msg);
            }
        }
        None
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Answers a request from the server.
    fn answer(&mut self, msg: &Value) {
        let method = msg["method"].as_str().unwrap_or("");
        let result = match method {
            "workspace/configuration" => {
                let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                Value::Array(vec![self.settings.clone(); n])
            }
            "workspace/applyEdit" => json!({ "applied": true }),
            "window/showDocument" => json!({ "success": true }),
            other => self.replies.get(other).cloned().unwrap_or(Value::Null),
        };
        self.send(json!({ "jsonrpc": "2.0", "id": msg["id"].clone(), "result": result }));
    }

    /// The next message, answering server requests on the way. `None` on timeout.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.checked_duration_since(Instant::now())?;
        match self.rx.recv_timeout(left) {
            Ok(msg) => {
                if msg.get("method").is_some() {
                    if msg.get("id").is_some() {
                        self.answer(&msg);
                    }
                    self.received.push(msg.clone());
                }
                Some(msg)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(Duration::from_millis(10));
                None
            }
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let Some(msg) = self.next(deadline) else {
                panic!("no answer to {method} within {TIMEOUT:?}; server log:\n{}", self.log());
            };
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                if let Some(err) = msg.get("error") {
                    return json!({ "error": err });
                }
                return msg["result"].clone();
            }
        }
    }

    /// Waits for a notification matching `pred` (also among those already received
    /// after index `from`). Returns its index in `received`.
    pub fn wait_for(
        &mut self,
        from: usize,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<usize> {
        if let Some(i) = self.received.iter().skip(from).position(&pred) {
            return Some(from + i);
        }
        let deadline = Instant::now() + timeout;
        while let Some(msg) = self.next(deadline) {
            if msg.get("method").is_some() && pred(&msg) {
                return Some(self.received.len() - 1);
            }
        }
        None
    }

    /// Reads messages for `d` (to see what arrives, or that nothing does).
    pub fn drain(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while self.next(deadline).is_some() {}
    }

    /// The latest diagnostics published for `uri`, if any.
    pub fn diagnostics(&self, uri: &str) -> Option<&Value> {
        self.received
            .iter()
            .rev()
            .find(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
            .map(|m| &m["params"])
    }

    /// Waits until the latest diagnostics for `uri` satisfy `pred`.
    pub fn wait_diagnostics(&mut self, uri: &str, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(d) = self.diagnostics(uri) {
                if pred(d) {
                    return d.clone();
                }
            }
            if self.next(deadline).is_none() && Instant::now() >= deadline {
                panic!(
                    "diagnostics for {uri} never matched; last: {:?}\nserver log:\n{}",
                    self.diagnostics(uri),
                    self.log()
                );
            }
        }
    }

    pub fn codes(diags: &Value) -> Vec<String> {
        diags["diagnostics"]
            .as_array()
            .map(|a| a.iter().filter_map(|d| d["code"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn open(&mut self, path: &Path, text: &str, version: i32) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri(path), "languageId": "markdown", "version": version, "text": text } }),
        );
    }

    /// Shuts down and exits; returns the exit status.
    pub fn stop(mut self) -> Option<i32> {
        let r = self.request("shutdown", Value::Null);
        assert!(r.is_null(), "shutdown result: {r}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

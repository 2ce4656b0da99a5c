//! Running chant from the editor: a server whose `chant` is the fake
//! (`tests/fake-chant/chant`), waits on its progress, and the processes it starts.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::lsp::{uri, Server};
use super::project::Project;
use super::requests::{execute, hover_text, is_progress};

/// How long a run's messages may take.
pub const WAIT: Duration = Duration::from_secs(20);

pub fn fake_chant() -> String {
    format!("{}/tests/fake-chant/chant", env!("CARGO_MANIFEST_DIR"))
}

/// A run of the fake chant that started a grandchild (`sleep 600`) in its group.
pub struct Started {
    pub begin: usize,
    pub token: Value,
    /// The fake chant's PID (the group's leader).
    pub chant: i32,
    pub grandchild: i32,
}

/// What runs need of a project.
impl Project {
    /// A server whose `chant` is the fake, with `env` for the fake (its worktrees go to
    /// [`Project::worktrees`]).
    pub fn server(&self, caps: Value, env: &[(&str, &str)]) -> Server {
        let worktrees = self.worktrees().display().to_string();
        let mut env = env.to_vec();
        env.push(("FAKE_CHANT_WORKTREES", &worktrees));
        let (mut s, _) =
            Server::start_env(&self.root, &self.home, caps, json!({ "executable": fake_chant() }), &env);
        self.wait_loaded(&mut s);
        s
    }

    /// Waits until the project is loaded (a clean project publishes nothing): the
    /// outline of a spec comes from the loaded workspace.
    pub fn wait_loaded(&self, s: &mut Server) {
        let start = Instant::now();
        let first = self.root.join(".chant/specs");
        let first = std::fs::read_dir(first).unwrap().next().unwrap().unwrap().path();
        loop {
            let r = s.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri(&first) } }));
            // In a repository, the first git facts also refresh the views: wait for them
            // so that later refreshes are the test's own.
            let git_read = !self.root.join(".git").exists() || s.log().contains("git facts of ");
            if r.as_array().is_some_and(|a| !a.is_empty()) && git_read {
                return;
            }
            assert!(start.elapsed() < WAIT, "the project never loaded:\n{}", s.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The status of spec `id` on disk.
    pub fn status(&self, id: &str) -> String {
        let text = std::fs::read_to_string(self.spec(id)).unwrap();
        text.lines().find_map(|l| l.strip_prefix("status: ")).unwrap_or("?").to_string()
    }

    /// A server whose fake chant prints `lines` lines 50 ms apart and starts a
    /// grandchild; `extra` adds environment for the fake.
    pub fn server_with_grandchild(&self, caps: Value, lines: &str, extra: &[(&str, &str)]) -> Server {
        let child_env = self.home.join("grandchild.pid").display().to_string();
        let mut env: Vec<(&str, &str)> =
            vec![("FAKE_CHANT_LINES", lines), ("FAKE_CHANT_DELAY", "0.05"), ("FAKE_CHANT_CHILD", &child_env)];
        env.extend_from_slice(extra);
        self.server(caps, &env)
    }

    /// Runs spec `id` and waits until it began and its grandchild is up.
    pub fn start_run(&self, s: &mut Server, id: &str) -> Started {
        let from = s.received.len();
        let r = execute(s, "chant.run", json!([self.spec_uri(id)]));
        assert_eq!(r["started"], id, "{r}");
        let (begin, token) = wait_begin(s, from, id);
        let grandchild = read_pid_file(&self.home.join("grandchild.pid"));
        Started { begin, chant: pid_of(&token), token, grandchild }
    }

    /// Runs spec `id` and waits until the run ended; returns the index of its end.
    pub fn run_to_end(&self, s: &mut Server, id: &str) -> usize {
        let from = s.received.len();
        execute(s, "chant.run", json!([self.spec_uri(id)]));
        let (begin, token) = wait_begin(s, from, id);
        wait_end(s, begin, &token)
    }

    /// Runs the fake chant in the project as the server would (`args`, `env` for the fake);
    /// asserts that it succeeded and returns its stdout.
    pub fn chant(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = std::process::Command::new(fake_chant())
            .args(args)
            .current_dir(&self.root)
            .env("FAKE_CHANT_WORKTREES", self.worktrees())
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "chant {args:?}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        stdout
    }

    /// The abbreviated hashes of the `chant(<id>):` commits on branch `chant/<id>`,
    /// oldest first: what chant writes into `commits:`.
    pub fn chant_commits(&self, id: &str) -> Vec<String> {
        let repo = git2::Repository::open(&self.root).unwrap();
        let mut walk = repo.revwalk().unwrap();
        walk.push_ref(&format!("refs/heads/chant/{id}")).unwrap();
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE).unwrap();
        let prefix = format!("chant({id}):");
        walk.map(|oid| repo.find_commit(oid.unwrap()).unwrap())
            .filter(|c| c.summary().ok().flatten().is_some_and(|s| s.starts_with(&prefix)))
            .map(|c| c.as_object().short_id().unwrap().as_str().unwrap().to_string())
            .collect()
    }

    /// The branch checked out in the project and the subject of its newest commit.
    pub fn head(&self) -> (String, String) {
        let repo = git2::Repository::open(&self.root).unwrap();
        let head = repo.head().unwrap();
        let subject = head.peel_to_commit().unwrap().summary().unwrap().unwrap().to_string();
        (head.shorthand().unwrap().to_string(), subject)
    }

    /// Hover on the title of spec `id` (wherever chant's edits have moved it).
    pub fn hover_title(&self, s: &mut Server, id: &str) -> String {
        let text = std::fs::read_to_string(self.spec(id)).unwrap();
        let line = text.lines().position(|l| l.starts_with("# ")).unwrap();
        hover_text(s, &self.spec_uri(id), line as u32, 3)
    }
}

/// The index of the `$/progress` `end` for `token`.
pub fn wait_end(s: &mut Server, from: usize, token: &Value) -> usize {
    let t = token.clone();
    s.wait_for(from, WAIT, move |m| is_progress(m, "end") && m["params"]["token"] == t)
        .unwrap_or_else(|| panic!("no progress end for {token}; server log:\n{}", s.log()))
}

/// The token of the next run that begins.
pub fn wait_begin(s: &mut Server, from: usize, id: &str) -> (usize, Value) {
    let prefix = format!("chant-lsp/run/{id}/");
    let i = s
        .wait_for(from, WAIT, |m| {
            is_progress(m, "begin") && m["params"]["token"].as_str().is_some_and(|t| t.starts_with(&prefix))
        })
        .unwrap_or_else(|| panic!("no progress begin for {id}; server log:\n{}", s.log()));
    (i, s.received[i]["params"]["token"].clone())
}

/// The PID of the chant a run's progress token names.
pub fn pid_of(token: &Value) -> i32 {
    token.as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap()
}

/// True once no process `pid` exists, not even as a zombie.
pub fn gone(pid: i32) -> bool {
    !Path::new(&format!("/proc/{pid}")).exists()
}

pub fn wait_gone(pids: &[i32], within: Duration) -> Result<Duration, String> {
    let start = Instant::now();
    while start.elapsed() < within {
        if pids.iter().all(|&p| gone(p)) {
            return Ok(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let left: Vec<String> = pids
        .iter()
        .filter(|&&p| !gone(p))
        .map(|p| format!("{p}: {}", std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default()))
        .collect();
    Err(format!("still there after {within:?}: {left:?}"))
}

/// A live process that looks like chant (`chant` among its arguments), to hold a lock.
pub fn chant_look_alike() -> std::process::Child {
    std::process::Command::new("python3")
        .args(["-c", "import time; time.sleep(30)", "chant"])
        .spawn()
        .unwrap()
}

pub fn read_pid_file(path: &Path) -> i32 {
    let start = Instant::now();
    loop {
        if let Ok(t) = std::fs::read_to_string(path) {
            if let Ok(p) = t.trim().parse() {
                return p;
            }
        }
        assert!(start.elapsed() < WAIT, "{} never written", path.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Kills process `pid` with SIGKILL.
pub fn kill9(pid: i32) -> std::io::Result<std::process::ExitStatus> {
    std::process::Command::new("kill").arg("-9").arg(pid.to_string()).status()
}

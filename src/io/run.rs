//! Running chant commands as child processes: spawned from an argv (never a shell) in
//! the project root, in a process group of their own so that stopping a run stops
//! everything it started (SIGTERM to the group, SIGKILL after a grace period), with
//! stdout and stderr streamed line by line. Also the facts a run depends on: is this a
//! git repository with a commit, and does a `chant work` started elsewhere hold the
//! spec's lock.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{mpsc, oneshot};

/// How long a stopped run gets after SIGTERM before SIGKILL.
pub const GRACE: Duration = Duration::from_millis(1000);

/// Process groups of runs that have not ended, for `stop_every_group` when the server
/// goes away without a shutdown.
static GROUPS: std::sync::Mutex<Vec<i32>> = std::sync::Mutex::new(Vec::new());

fn groups() -> std::sync::MutexGuard<'static, Vec<i32>> {
    GROUPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Stops every run still going on, synchronously: SIGTERM to each group, SIGKILL to what
/// is left after `GRACE`. For the end of the process, when the async side is gone.
pub fn stop_every_group() {
    let list: Vec<i32> = std::mem::take(&mut *groups());
    if list.is_empty() {
        return;
    }
    let alive = |pg: i32| killpg(Pid::from_raw(pg), None).is_ok();
    for &pg in &list {
        let _ = killpg(Pid::from_raw(pg), Signal::SIGTERM);
    }
    let deadline = std::time::Instant::now() + GRACE;
    while list.iter().any(|&pg| alive(pg)) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    for &pg in &list {
        let _ = killpg(Pid::from_raw(pg), Signal::SIGKILL);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Line {
        stderr: bool,
        text: String,
    },
    /// The process ended: its exit code, or the signal that ended it.
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
        stopped: bool,
    },
}

/// A running child.
pub struct Handle {
    pub pid: u32,
    stop: Option<oneshot::Sender<()>>,
}

impl Handle {
    /// Asks the run to stop (the events channel reports when it has).
    pub fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Why a run could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    NotFound(String),
    Other(String),
}

/// Makes this process the reaper of its orphaned descendants (Linux), so processes an
/// agent leaves behind can be collected when a run is stopped.
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    {
        let _ = nix::sys::prctl::set_child_subreaper(true);
    }
}

/// Starts `program args` in `cwd`, sending events to `events`.
pub fn start(
    program: &str,
    args: &[String],
    cwd: &Path,
    events: mpsc::UnboundedSender<Event>,
) -> Result<Handle, StartError> {
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .env("CLICOLOR", "0")
        .process_group(0)
        .kill_on_drop(false);
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => StartError::NotFound(program.to_string()),
        _ => StartError::Other(format!("cannot start `{program}`: {e}")),
    })?;
    let pid =
        child.id().ok_or_else(|| StartError::Other("the process ended before it started".to_string()))?;
    groups().push(pid as i32);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let (lines_done_tx, mut lines_done_rx) = mpsc::channel::<()>(2);
    for (pipe, is_err) in [
        (stdout.map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>), false),
        (stderr.map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>), true),
    ] {
        let Some(pipe) = pipe else { continue };
        let tx = events.clone();
        let done = lines_done_tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send(Event::Line { stderr: is_err, text: line });
            }
            drop(done);
        });
    }
    drop(lines_done_tx);
    tokio::spawn(async move {
        let pgid = Pid::from_raw(pid as i32);
        let mut stopped = false;
        let status = tokio::select! {
            s = child.wait() => s,
            _ = stop_rx => {
                stopped = true;
                let _ = killpg(pgid, Signal::SIGTERM);
                match tokio::time::timeout(GRACE, child.wait()).await {
                    Ok(s) => s,
                    Err(_) => {
                        let _ = killpg(pgid, Signal::SIGKILL);
                        child.wait().await
                    }
                }
            }
        };
        groups().retain(|&pg| pg != pgid.as_raw());
        if stopped {
            // Whatever the run left in its group goes too, and is reaped.
            let _ = killpg(pgid, Signal::SIGKILL);
            reap_group(pgid, Duration::from_millis(20), Some(Duration::from_secs(2))).await;
        } else {
            // A finished run may leave processes behind on purpose (`chant watch`); they
            // are ours to reap when they end, as long as they live.
            tokio::spawn(reap_group(pgid, Duration::from_secs(2), None));
        }
        // Let the readers deliver the last lines before the exit event.
        while lines_done_rx.recv().await.is_some() {}
        let (code, signal) = match status {
            Ok(s) => {
                use std::os::unix::process::ExitStatusExt;
                (s.code(), s.signal())
            }
            Err(_) => (None, None),
        };
        let _ = events.send(Event::Exited { code, signal, stopped });
    });
    Ok(Handle { pid, stop: Some(stop_tx) })
}

/// Reaps what is left of a process group (our own orphans, as subreaper), polling every
/// `every` until nothing is left, or until `within` has passed.
async fn reap_group(pgid: Pid, every: Duration, within: Option<Duration>) {
    let deadline = within.map(|w| tokio::time::Instant::now() + w);
    loop {
        match waitpid(Pid::from_raw(-pgid.as_raw()), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {}
            Ok(_) => continue,
            Err(_) => return, // ECHILD: nothing left to reap
        }
        if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

/// Why chant cannot run in `root`, if it cannot: it needs a git repository with at
/// least one commit (`git worktree add` needs HEAD).
pub fn git_problem(root: &Path) -> Option<String> {
    match git2::Repository::discover(root) {
        Err(_) => Some(
            "not a git repository: chant work runs agents in git worktrees (`git init`, then commit)"
                .to_string(),
        ),
        Ok(repo) => match repo.head() {
            Ok(_) => None,
            Err(_) => {
                Some("no commit yet: chant work needs HEAD for its worktree (commit first)".to_string())
            }
        },
    }
}

/// The PID in `.chant/.locks/<ID>.lock` when that process is alive.
pub fn lock_holder(root: &Path, id: &str) -> Option<u32> {
    let text = std::fs::read_to_string(root.join(".chant/.locks").join(format!("{id}.lock"))).ok()?;
    let pid: i32 = text.trim().parse().ok()?;
    if pid <= 0 {
        return None;
    }
    nix::sys::signal::kill(Pid::from_raw(pid), None).ok().map(|()| pid as u32)
}

/// Finds `program` the way spawning will (a path, or a name on PATH).
pub fn resolve(program: &str) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(program)).find(|c| c.is_file()))
}

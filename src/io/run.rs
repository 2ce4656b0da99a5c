//! Running chant commands as child processes: spawned from an argv (never a shell) in
//! the project root, in a process group of their own so that stopping a run stops
//! everything it started (SIGTERM to the group, SIGKILL after a grace period), with
//! stdout and stderr streamed line by line (lossy UTF-8, `\r` ends a line too, long
//! lines cut). The server is the subreaper of what runs leave behind and reaps it.
//! Also the facts a run depends on: is this a git repository with a commit, and does a
//! `chant work` started elsewhere hold the spec's lock.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::{waitid, waitpid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{mpsc, oneshot};

use crate::io::read;

/// How long a stopped run gets after SIGTERM before SIGKILL.
pub const GRACE: Duration = Duration::from_millis(1000);

/// Output lines are cut at this many bytes (the rest comes as the next line).
pub const MAX_LINE: usize = 16 * 1024;

/// After the process exits, how long its output may keep flowing (from processes it
/// left behind holding the pipes) before the run is reported as ended anyway.
const DRAIN: Duration = Duration::from_millis(500);

/// Process groups (= leader PIDs) of runs whose leader has not been reaped yet. The
/// orphan reaper leaves these to tokio; `stop_every_group` stops them at exit.
static GROUPS: std::sync::Mutex<Vec<i32>> = std::sync::Mutex::new(Vec::new());

fn groups() -> std::sync::MutexGuard<'static, Vec<i32>> {
    GROUPS.lock().unwrap_or_else(|e| e.into_inner())
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
/// agent leaves behind are collected instead of lingering as zombies. Returns whether
/// it worked (then `reap_orphans` should run).
pub fn become_subreaper() -> bool {
    #[cfg(target_os = "linux")]
    {
        nix::sys::prctl::set_child_subreaper(true).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Reaps adopted orphans forever, once a second: every waitable child that is not the
/// leader of a run (tokio reaps those). Nothing else in this process has children.
pub async fn reap_orphans() {
    loop {
        reap_orphans_now();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn reap_orphans_now() {
    // Holding the list keeps a run that is being spawned from being mistaken for an orphan.
    let leaders = groups();
    loop {
        let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
        let pid = match waitid(Id::All, flags) {
            Ok(status) => match status.pid() {
                Some(pid) => pid,
                None => return, // nothing waitable
            },
            Err(_) => return, // ECHILD
        };
        if leaders.contains(&pid.as_raw()) {
            return; // a run's leader, waiting for tokio
        }
        let _ = waitpid(pid, Some(WaitPidFlag::WNOHANG));
    }
}

/// Stops every run still going on, synchronously: SIGTERM to each group, SIGKILL to what
/// is left after `GRACE`, reaping as it goes. For the end of the process, when the
/// async side is gone (stdin closed) or a signal asked the server to end.
pub fn stop_every_group() {
    let list: Vec<i32> = std::mem::take(&mut *groups());
    if list.is_empty() {
        return;
    }
    for &pg in &list {
        let _ = killpg(Pid::from_raw(pg), Signal::SIGTERM);
    }
    let deadline = std::time::Instant::now() + GRACE;
    loop {
        // Zombies count as members until reaped; the runtime is gone, so reap here.
        for &pg in &list {
            while let Ok(s) = waitpid(Pid::from_raw(-pg), Some(WaitPidFlag::WNOHANG)) {
                if s == WaitStatus::StillAlive {
                    break;
                }
            }
        }
        let alive = list.iter().any(|&pg| killpg(Pid::from_raw(pg), None).is_ok());
        if !alive || std::time::Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    for &pg in &list {
        let _ = killpg(Pid::from_raw(pg), Signal::SIGKILL);
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
    let (mut child, pid) = {
        let mut leaders = groups();
        let child = cmd.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StartError::NotFound(program.to_string()),
            _ => StartError::Other(format!("cannot start `{program}`: {e}")),
        })?;
        let pid =
            child.id().ok_or_else(|| StartError::Other("the process ended before it started".to_string()))?;
        leaders.push(pid as i32);
        (child, pid)
    };
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (readers_tx, mut readers_rx) = mpsc::channel::<()>(1);
    if let Some(out) = child.stdout.take() {
        tokio::spawn(read_lines(out, false, events.clone(), readers_tx.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(read_lines(err, true, events.clone(), readers_tx.clone()));
    }
    drop(readers_tx);
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
            // Whatever the run left in its group goes too, and is reaped now.
            let _ = killpg(pgid, Signal::SIGKILL);
            reap_group(pgid).await;
        }
        // The last lines first; but processes left behind may hold the pipes for
        // ever: their output is read (and dropped) without holding up the outcome.
        let _ = tokio::time::timeout(DRAIN, async { while readers_rx.recv().await.is_some() {} }).await;
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

/// Sends each line of `pipe` as an event until it closes: `\n`, `\r\n` and `\r` end a
/// line, bytes that are not UTF-8 are replaced, and a line longer than `MAX_LINE` is
/// cut into pieces. Keeps reading after the receiver is gone, so a writer never gets
/// a broken pipe from us.
async fn read_lines(
    pipe: impl AsyncRead + Unpin,
    stderr: bool,
    events: mpsc::UnboundedSender<Event>,
    _alive: mpsc::Sender<()>,
) {
    let mut reader = BufReader::with_capacity(64 * 1024, pipe);
    let mut line: Vec<u8> = Vec::new();
    let mut after_cr = false;
    let emit = |line: &mut Vec<u8>| {
        let text = String::from_utf8_lossy(line).into_owned();
        line.clear();
        let _ = events.send(Event::Line { stderr, text });
    };
    loop {
        let buf = match reader.fill_buf().await {
            Ok([]) => break,
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let mut used = 0;
        while used < buf.len() {
            let rest = &buf[used..];
            let room = MAX_LINE - line.len();
            match memchr::memchr2(b'\n', b'\r', &rest[..rest.len().min(room)]) {
                Some(i) => {
                    let end = rest[i];
                    // `\r\n` is one line end.
                    if !(i == 0 && end == b'\n' && after_cr && line.is_empty()) {
                        line.extend_from_slice(&rest[..i]);
                        emit(&mut line);
                    }
                    after_cr = end == b'\r';
                    used += i + 1;
                }
                None => {
                    let take = rest.len().min(room);
                    line.extend_from_slice(&rest[..take]);
                    used += take;
                    after_cr = false;
                    if line.len() >= MAX_LINE {
                        emit(&mut line);
                    }
                }
            }
        }
        reader.consume(used);
    }
    if !line.is_empty() {
        emit(&mut line);
    }
}

/// Reaps what is left of a stopped run's group (our own orphans, as subreaper), for up
/// to two seconds.
async fn reap_group(pgid: Pid) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        match waitpid(Pid::from_raw(-pgid.as_raw()), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {}
            Ok(_) => continue,
            Err(_) => return, // ECHILD: nothing left to reap
        }
        if tokio::time::Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What the run actions of a project's specs depend on outside the project's files:
/// read from the disk and git without any lock held, then kept in the server's state
/// (refreshed by file events, and for lock holders by a timer: a holder that dies
/// leaves its lock file behind, and no event comes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFacts {
    /// Why chant cannot run agents here at all.
    pub git_problem: Option<String>,
    /// Live holders of `.chant/.locks/<ID>.lock`, by spec ID.
    pub locks: std::collections::HashMap<String, u32>,
    /// Spec IDs with an agent log (`.chant/logs/<ID>.log`) or an editor run log.
    pub logs: std::collections::HashSet<String>,
}

impl RunFacts {
    pub fn read(root: &Path) -> RunFacts {
        RunFacts { git_problem: git_problem(root), locks: lock_holders(root), logs: log_ids(root) }
    }
}

/// File names in a directory that end with `suffix`, without it.
fn stems(dir: &Path, suffix: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(suffix).map(str::to_string))
        .collect()
}

/// Every live lock holder of the project.
pub fn lock_holders(root: &Path) -> std::collections::HashMap<String, u32> {
    stems(&root.join(".chant/.locks"), ".lock")
        .into_iter()
        .filter_map(|id| Some((id.clone(), lock_holder(root, &id)?)))
        .collect()
}

fn log_ids(root: &Path) -> std::collections::HashSet<String> {
    stems(&root.join(".chant/logs"), ".log")
        .into_iter()
        .map(|s| s.strip_suffix(".editor").map(str::to_string).unwrap_or(s))
        .collect()
}

/// Why chant cannot run in `root`, if it cannot: it needs a git repository with at
/// least one commit (`git worktree add` needs HEAD).
pub fn git_problem(root: &Path) -> Option<String> {
    match super::git_guard::discover(root) {
        Err(e) if e.code() == git2::ErrorCode::NotFound => Some(
            "not a git repository: chant work runs agents in git worktrees (`git init`, then commit)"
                .to_string(),
        ),
        Err(e) => Some(format!("the git repository cannot be read: {}", e.message())),
        Ok(repo) => match repo.head() {
            Ok(_) => None,
            Err(_) => {
                Some("no commit yet: chant work needs HEAD for its worktree (commit first)".to_string())
            }
        },
    }
}

/// The most read of a lock file or of a process's `/proc` files.
const LOCK_CAP: usize = 64 * 1024;

/// The PID in `.chant/.locks/<ID>.lock` when that process is alive and, where the
/// system says (Linux), is a chant process: a lock left by a crash must not block the
/// spec because its PID was reused (after a reboot, PIDs start over).
pub fn lock_holder(root: &Path, id: &str) -> Option<u32> {
    let lock = root.join(".chant/.locks").join(format!("{id}.lock"));
    let bytes = crate::io::read::Project::new(root).read(&lock, LOCK_CAP).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let pid: i32 = text.trim().parse().ok()?;
    if pid <= 0 {
        return None;
    }
    nix::sys::signal::kill(Pid::from_raw(pid), None).ok()?;
    let proc_dir = Path::new("/proc").join(pid.to_string());
    if proc_dir.is_dir() {
        let proc_file = |name: &str| read::read(&proc_dir.join(name), read::Known::Nothing, LOCK_CAP);
        let cmdline = proc_file("cmdline").unwrap_or_default();
        let zombie = proc_file("stat")
            .ok()
            .and_then(|s| String::from_utf8(s).ok())
            .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start().starts_with('Z')))
            .unwrap_or(false);
        let is_chant = cmdline.split(|&b| b == 0).any(|arg| {
            Path::new(std::str::from_utf8(arg).unwrap_or("")).file_name().is_some_and(|n| n == "chant")
        });
        if zombie || !is_chant {
            return None;
        }
    }
    Some(pid as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines_of(bytes: &'static [u8]) -> Vec<String> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (alive, _keep) = mpsc::channel(1);
        read_lines(bytes, false, tx, alive).await;
        let mut out = Vec::new();
        while let Ok(Event::Line { text, .. }) = rx.try_recv() {
            out.push(text);
        }
        out
    }

    #[tokio::test]
    async fn lines_end_at_newlines_and_carriage_returns() {
        assert_eq!(lines_of(b"a\nb\r\nc\rd").await, ["a", "b", "c", "d"]);
        assert_eq!(lines_of(b"\n\r\n\r").await, ["", "", ""]);
        assert_eq!(lines_of(b"bad \xff\xfe bytes\nok\n").await, ["bad \u{fffd}\u{fffd} bytes", "ok"]);
    }

    #[tokio::test]
    async fn long_lines_are_cut() {
        static LONG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let bytes = LONG.get_or_init(|| {
            let mut v = vec![b'x'; MAX_LINE * 2 + 5];
            v.push(b'\n');
            v
        });
        let lines = lines_of(bytes).await;
        assert_eq!(lines.iter().map(String::len).collect::<Vec<_>>(), [MAX_LINE, MAX_LINE, 5]);
    }
}

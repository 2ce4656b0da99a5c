//! `cargo bench --bench git`: git facts on a generated repository of 10,000 commits,
//! 1,000 specs and 2,000 source files, with chant's commit subjects, `chant/<ID>`
//! branches (merged, unmerged, open) and two worktrees (`benches/support/git_repo.rs`,
//! cached under `target/bench-projects/git-…`). Its own benchmark rather than a part of
//! `--bench lsp`: it needs a repository (the lsp benchmark's project is none), and most
//! of what it measures is the reader in this process, not the protocol.
//!
//! * a cold [`GitReader::read`] (a new reader: what the server does first), full and
//!   without the history diffs (the server's first read), next to three baselines in the
//!   same run: a git2 revwalk reading every commit, `git log --all --oneline`, and
//!   `git log --raw` over the commits the reader diffs;
//! * a warm reader after one new commit, and with nothing new;
//! * the real server over stdio: when a spec's hover first shows its git state after
//!   start-up, its own timing of its reads, hover and code-lens round trips on a spec
//!   with git facts next to the same requests on a copy of the project that is not a
//!   repository, and its refresh after a commit;
//! * blame of a 5,000-line file that a few hundred commits changed: git2's
//!   `Repository::blame_file` next to `git blame` (the git CLI: only here, never in the
//!   product), and whether they agree line by line;
//! * the cold reads on a 100,000-commit repository (`CHANT_BENCH_GIT_LARGE=0` skips it;
//!   generating it once takes about three minutes).
//!
//! The machine is shared and noisy: every measurement is repeated (interleaved with its
//! baselines) and reported as median and p95. `CHANT_BENCH_GIT_RUNS` sets the repeats.

#![allow(clippy::print_stdout, reason = "a benchmark prints its numbers")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]
#![allow(dead_code, reason = "the shared client has helpers the benchmark does not use")]

#[path = "support/git_repo.rs"]
mod git_repo;
#[path = "../tests/support/lsp.rs"]
mod lsp;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use git2::{Repository, Signature};
use serde_json::{json, Value};

use chant_lsp::analysis::git::{time, GitFacts};
use chant_lsp::io::git::{self, GitReader};
use chant_lsp::io::load::{self, Options};
use git_repo::{Manifest, Shape};

fn repository(shape: Shape) -> (PathBuf, Manifest) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "target/bench-projects/git-c{}-v{}",
        shape.commits,
        git_repo::VERSION
    ));
    let manifest = base.join("manifest");
    if !base.join(".complete").exists() {
        let _ = std::fs::remove_dir_all(&base);
        let t = Instant::now();
        let m = git_repo::generate(&base, shape).expect("generate");
        m.write(&manifest).expect("manifest");
        std::fs::write(base.join(".complete"), "").expect("marker");
        println!(
            "generated {} commits ({} branches) in {:.1}s at {}",
            m.commits,
            m.branches,
            t.elapsed().as_secs_f64(),
            base.display()
        );
    }
    (base.join("repo"), Manifest::read(&manifest).expect("manifest readable"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn timed<T>(out: &mut Vec<f64>, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    out.push(ms(t.elapsed()));
    r
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// One row of the table: median and p95 of the samples, and the target.
fn row(name: &str, target: &str, v: &[f64]) {
    if v.is_empty() {
        println!("  {name:<52} {target:>9} {:>10} {:>10} {:>6}", "-", "-", 0);
        return;
    }
    println!(
        "  {name:<52} {target:>9} {:>10.2} {:>10.2} {:>6}",
        percentile(v, 0.5),
        percentile(v, 0.95),
        v.len()
    );
}

fn header(title: &str) {
    println!("{title}");
    println!("  {:<52} {:>9} {:>10} {:>10} {:>6}", "measure (ms)", "target", "median", "p95", "runs");
}

/// Baseline: every commit reachable from a branch or HEAD, walked by git2 in time
/// order, each one's subject read.
fn revwalk(root: &Path) -> usize {
    let repo = Repository::discover(root).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.set_sorting(git2::Sort::TIME).unwrap();
    walk.push_glob("refs/heads/*").unwrap();
    walk.push_head().unwrap();
    walk.flatten().filter(|oid| repo.find_commit(*oid).is_ok_and(|c| c.summary_bytes().is_some())).count()
}

/// Baseline: `git log --all --oneline`, its lines counted.
fn git_log(root: &Path) -> usize {
    let out = Command::new("git").arg("-C").arg(root).args(["log", "--all", "--oneline"]).output().unwrap();
    assert!(out.status.success(), "git log failed");
    out.stdout.iter().filter(|&&b| b == b'\n').count()
}

/// Commits one more change to `file` on HEAD (index and working tree too, as `git
/// commit` would); returns what [`undo`] needs.
fn new_commit(root: &Path, file: &str, n: usize) -> (git2::Oid, String) {
    let repo = Repository::open(root).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let path = root.join(file);
    let before = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{before}// edit {n}\n")).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new(file)).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("Bench Writer", "bench@example.invalid").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "Fix the limiter handling", &tree, &[&head]).unwrap();
    (head.id(), before)
}

/// Moves HEAD back to `head` and restores the file and the index (the working tree's
/// other uncommitted changes stay).
fn undo(root: &Path, file: &str, (head, before): (git2::Oid, String)) {
    let repo = Repository::open(root).unwrap();
    std::fs::write(root.join(file), before).unwrap();
    let target = repo.find_object(head, None).unwrap();
    repo.reset(&target, git2::ResetType::Mixed, None).unwrap();
}

/// The commit of every line, from `git blame --porcelain`.
fn cli_blame(root: &Path, file: &str) -> Vec<String> {
    let out =
        Command::new("git").arg("-C").arg(root).args(["blame", "--porcelain", "--", file]).output().unwrap();
    assert!(out.status.success(), "git blame failed");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = Vec::new();
    for l in text.lines() {
        let mut parts = l.split(' ');
        let (Some(hash), Some(_), Some(final_line)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if hash.len() == 40 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            let n: usize = final_line.parse().unwrap();
            if lines.len() < n {
                lines.resize(n, String::new());
            }
            lines[n - 1] = hash.to_string();
        }
    }
    lines
}

/// The commit of every line, from git2.
fn git2_blame(root: &Path, file: &str) -> Vec<String> {
    let repo = Repository::open(root).unwrap();
    let blame = repo.blame_file(Path::new(file), None).unwrap();
    let mut lines = Vec::new();
    for hunk in blame.iter() {
        for _ in 0..hunk.lines_in_hunk() {
            lines.push(hunk.final_commit_id().to_string());
        }
    }
    lines
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let name = e.file_name();
        if name == ".git" {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        if e.file_type().unwrap().is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn hover_text(r: &Value) -> String {
    r["contents"]["value"].as_str().unwrap_or_default().to_string()
}

/// The server's own timing of its git reads (`git facts of …: … (X ms)`), in order.
fn logged_reads(s: &lsp::Server) -> Vec<f64> {
    s.log()
        .lines()
        .filter(|l| l.contains("git facts of"))
        .filter_map(|l| l.rsplit_once('(')?.1.strip_suffix(" ms)")?.parse().ok())
        .collect()
}

struct Servers {
    startup_hover: f64,
    startup_logged: Vec<f64>,
    hover_git: Vec<f64>,
    hover_plain: Vec<f64>,
    lens_git: Vec<f64>,
    lens_plain: Vec<f64>,
    baseline: Vec<f64>,
    refresh_logged: Vec<f64>,
    hover_sample: String,
    lens_sample: Vec<String>,
    /// Code lenses of a source file that specs name, and of one no spec names.
    source_lens: Vec<f64>,
    lonely_lens: Vec<f64>,
    source_sample: Vec<String>,
    /// `chant.specOfLine` on a line of the long file: first (blame) and repeated (cache).
    spec_of_line: Vec<f64>,
    spec_of_line_cached: Vec<f64>,
    spec_of_line_sample: String,
}

/// The real server on the repository and on a copy that is not a repository.
fn servers(root: &Path, spec: &str, long_file: &str, samples: usize, runs: usize) -> Servers {
    let spec_path = root.join(format!(".chant/specs/{spec}.md"));
    let text = std::fs::read_to_string(&spec_path).unwrap();
    let title = text.lines().position(|l| l.starts_with("# ")).expect("a title") as u32;
    let home = tempfile::tempdir().unwrap();
    let (home_a, home_b) = (home.path().join("a"), home.path().join("b"));
    std::fs::create_dir_all(&home_a).unwrap();
    std::fs::create_dir_all(&home_b).unwrap();

    // With git: the time from start until the spec's hover shows its git state.
    let started = Instant::now();
    // Neovim's capabilities: the server watches `.git` itself (no client watching).
    let (mut a, _) = lsp::Server::start(root, &home_a, lsp::neovim_caps(), json!({}));
    a.open(&spec_path, &text, 1);
    let uri_a = lsp::uri(&spec_path);
    let at =
        |uri: &str| json!({ "textDocument": { "uri": uri }, "position": { "line": title, "character": 3 } });
    let hover_sample = loop {
        let h = hover_text(&a.request("textDocument/hover", at(&uri_a)));
        if h.contains("**git**") {
            break h;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "git facts never reached the hover: {h}");
        std::thread::sleep(Duration::from_millis(5));
    };
    let startup_hover = ms(started.elapsed());
    a.wait_for(0, Duration::from_secs(60), |m| m["params"]["value"]["kind"] == "end").expect("loaded");
    // The first read leaves the history diffs out; the full one follows.
    let deadline = Instant::now() + Duration::from_secs(60);
    while logged_reads(&a).len() < 2 && Instant::now() < deadline {
        a.drain(Duration::from_millis(50));
    }
    let startup_logged: Vec<f64> = logged_reads(&a).into_iter().take(2).collect();

    // Without git: the same files, no repository.
    let plain = tempfile::tempdir().unwrap();
    copy_tree(root, plain.path());
    let plain_spec = plain.path().join(format!(".chant/specs/{spec}.md"));
    let (mut b, _) = lsp::Server::start(plain.path(), &home_b, lsp::neovim_caps(), json!({}));
    b.wait_for(0, Duration::from_secs(60), |m| m["params"]["value"]["kind"] == "end").expect("loaded");
    b.open(&plain_spec, &text, 1);
    let uri_b = lsp::uri(&plain_spec);
    a.drain(Duration::from_millis(200));
    b.drain(Duration::from_millis(200));
    let h = hover_text(&b.request("textDocument/hover", at(&uri_b)));
    assert!(!h.is_empty() && !h.contains("**git**"), "{h}");

    let lens = |uri: &str| json!({ "textDocument": { "uri": uri } });
    let titles = |r: &Value| -> Vec<String> {
        r.as_array()
            .into_iter()
            .flatten()
            .map(|l| l["command"]["title"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let lens_sample = titles(&a.request("textDocument/codeLens", lens(&uri_a)));
    assert!(lens_sample.iter().any(|t| t.starts_with('⎇')), "{lens_sample:?}");
    let mut out = Servers {
        startup_hover,
        startup_logged,
        hover_git: Vec::new(),
        hover_plain: Vec::new(),
        lens_git: Vec::new(),
        lens_plain: Vec::new(),
        baseline: Vec::new(),
        refresh_logged: Vec::new(),
        hover_sample,
        lens_sample,
        source_lens: Vec::new(),
        lonely_lens: Vec::new(),
        source_sample: Vec::new(),
        spec_of_line: Vec::new(),
        spec_of_line_cached: Vec::new(),
        spec_of_line_sample: String::new(),
    };
    // A source file the spec changes (its first `target_files` entry), and one nobody names.
    let target = text
        .lines()
        .skip_while(|l| *l != "target_files:")
        .nth(1)
        .and_then(|l| l.strip_prefix("- "))
        .expect("a target file")
        .to_string();
    let open_source = |s: &mut lsp::Server, rel: &str| {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        s.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": lsp::uri(&path), "languageId": "rust", "version": 1, "text": text } }),
        );
        lsp::uri(&path)
    };
    let uri_src = open_source(&mut a, &target);
    let lonely_rel = "src/nobody_names_this.rs";
    std::fs::write(root.join(lonely_rel), "fn nobody() {}\n").unwrap();
    let uri_lonely = open_source(&mut a, lonely_rel);
    out.source_sample = titles(&a.request("textDocument/codeLens", lens(&uri_src)));
    assert!(out.source_sample.iter().any(|t| t.contains(&spec[spec.len() - 3..])), "{:?}", out.source_sample);
    assert!(titles(&a.request("textDocument/codeLens", lens(&uri_lonely))).is_empty());
    for _ in 0..samples {
        timed(&mut out.baseline, || a.request("chant-lsp/documentText", json!({ "uri": uri_a })));
        let h = timed(&mut out.hover_git, || a.request("textDocument/hover", at(&uri_a)));
        assert!(hover_text(&h).contains("**git**"));
        timed(&mut out.hover_plain, || b.request("textDocument/hover", at(&uri_b)));
        timed(&mut out.lens_git, || a.request("textDocument/codeLens", lens(&uri_a)));
        timed(&mut out.lens_plain, || b.request("textDocument/codeLens", lens(&uri_b)));
        timed(&mut out.source_lens, || a.request("textDocument/codeLens", lens(&uri_src)));
        timed(&mut out.lonely_lens, || a.request("textDocument/codeLens", lens(&uri_lonely)));
    }
    std::fs::remove_file(root.join(lonely_rel)).unwrap();
    // Which spec wrote a line of the long file: a blame of one line, then the cache.
    let uri_long = open_source(&mut a, long_file);
    for i in 0..runs {
        let line = 100 + 700 * i as u64;
        let args = json!({ "command": "chant.specOfLine", "arguments": [uri_long, line] });
        let r = timed(&mut out.spec_of_line, || a.request("workspace/executeCommand", args.clone()));
        assert!(r["markdown"].is_string(), "{r}");
        out.spec_of_line_sample =
            r["markdown"].as_str().unwrap_or_default().lines().next().unwrap_or_default().to_string();
        timed(&mut out.spec_of_line_cached, || a.request("workspace/executeCommand", args.clone()));
    }

    // A commit while the server runs: its own timing of the refresh that follows.
    for n in 0..runs {
        let before = logged_reads(&a).len();
        let undo_with = new_commit(root, "src/mod_1/file_1.rs", 1000 + n);
        let deadline = Instant::now() + Duration::from_secs(30);
        while logged_reads(&a).len() == before && Instant::now() < deadline {
            a.drain(Duration::from_millis(20));
        }
        // Let the coalesced reads settle, then take the first one after the commit.
        a.drain(Duration::from_millis(600));
        if let Some(&t) = logged_reads(&a).get(before) {
            out.refresh_logged.push(t);
        }
        undo(root, "src/mod_1/file_1.rs", undo_with);
        a.drain(Duration::from_millis(600));
    }
    assert_eq!(a.stop(), Some(0));
    assert_eq!(b.stop(), Some(0));
    out
}

/// Baseline for the diffs: `git log --raw` over the same commits (HEAD's non-merge
/// history since `since`, less a day), every path (git narrowed by 141 pathspecs is
/// several times slower); its lines counted.
fn git_log_raw(root: &Path, since: i64) -> usize {
    let secs = since - 86_400;
    let s = secs.rem_euclid(86_400);
    let date = format!("{} {:02}:{:02}:{:02} +0000", time::date(secs), s / 3600, s % 3600 / 60, s % 60);
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["log", "--raw", "--no-renames", "--no-merges", "--format=%H"])
        .arg(format!("--since={date}"))
        .arg("HEAD")
        .output()
        .unwrap();
    assert!(out.status.success(), "git log --raw failed");
    out.stdout.iter().filter(|&&b| b == b'\n').count()
}

/// Cold reads of `root` (a new reader each time), interleaved with the baselines; the
/// first round warms the page cache and is not counted.
struct Cold {
    walk: Vec<f64>,
    log: Vec<f64>,
    raw: Vec<f64>,
    quick: Vec<f64>,
    full: Vec<f64>,
    facts: GitFacts,
    walked: usize,
}

fn cold_reads(root: &Path, request: &git::GitRequest, runs: usize) -> Cold {
    let quick_request = git::GitRequest { since: None, ..request.clone() };
    let mut out = Cold {
        walk: Vec::new(),
        log: Vec::new(),
        raw: Vec::new(),
        quick: Vec::new(),
        full: Vec::new(),
        facts: GitFacts::default(),
        walked: 0,
    };
    for i in 0..=runs {
        let mut round: [Vec<f64>; 5] = Default::default();
        out.walked = timed(&mut round[0], || revwalk(root));
        let logged = timed(&mut round[1], || git_log(root));
        assert_eq!(out.walked, logged, "git2 and git count the same commits");
        if let Some(since) = request.since {
            timed(&mut round[2], || git_log_raw(root, since));
        }
        timed(&mut round[3], || GitReader::new().read(&quick_request));
        out.facts = timed(&mut round[4], || GitReader::new().read(request));
        assert!(out.facts.unavailable.is_none(), "{:?}", out.facts.unavailable);
        if i > 0 {
            let [w, l, r, q, f] = round;
            out.walk.extend(w);
            out.log.extend(l);
            out.raw.extend(r);
            out.quick.extend(q);
            out.full.extend(f);
        }
    }
    out
}

fn cold_rows(c: &Cold, target: &str) {
    row("baseline: git2 revwalk, every commit's subject", "", &c.walk);
    row("baseline: git log --all --oneline", "", &c.log);
    row("baseline: git log --raw --no-merges, since oldest", "", &c.raw);
    row("cold GitReader::read, no history diffs", "", &c.quick);
    row("cold GitReader::read, full", target, &c.full);
}

fn describe(facts: &GitFacts) {
    println!(
        "  facts: {} commits, {} branches, {} worktrees, {} paths diffed since {}, {} uncommitted paths{}",
        facts.commits.len(),
        facts.branches.len(),
        facts.worktrees.len(),
        facts.changes.len(),
        facts.history_since.map_or_else(|| "-".to_string(), time::date),
        facts.dirty.len(),
        if facts.notes.is_empty() { String::new() } else { format!("; notes: {:?}", facts.notes) }
    );
}

fn main() {
    let runs: usize = std::env::var("CHANT_BENCH_GIT_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(7);
    let large = std::env::var("CHANT_BENCH_GIT_LARGE").map_or(true, |v| v != "0");
    let shape = Shape { commits: 10_000, specs: 1_000, files: 2_000, long_lines: 5_000, long_touches: 330 };
    let (root, m) = repository(shape);
    let loaded = load::load(&root, &Options::default()).expect("project loads");
    let request = git::request(&root, &loaded.workspace);
    drop(loaded);

    let cold = cold_reads(&root, &request, runs);

    // A warm reader: one new commit, then nothing new.
    let mut reader = GitReader::new();
    reader.read(&request);
    let (mut refresh, mut unchanged) = (Vec::new(), Vec::new());
    for n in 0..runs {
        let undo_with = new_commit(&root, "src/mod_0/file_0.rs", n);
        let f = timed(&mut refresh, || reader.read(&request));
        assert_eq!(f.commits.len(), cold.facts.commits.len() + 1, "the new commit is read");
        undo(&root, "src/mod_0/file_0.rs", undo_with);
        reader.read(&request);
        timed(&mut unchanged, || reader.read(&request));
    }

    // Blame, git2 next to git.
    let (mut blame2, mut blame_cli) = (Vec::new(), Vec::new());
    let mut agree = (0, 0);
    for i in 0..=runs.min(5) {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let ours = timed(&mut a, || git2_blame(&root, &m.long_file));
        let theirs = timed(&mut b, || cli_blame(&root, &m.long_file));
        agree = (ours.iter().zip(&theirs).filter(|(x, y)| x == y).count(), theirs.len());
        if i > 0 {
            blame2.extend(a);
            blame_cli.extend(b);
        }
    }

    let sv = servers(&root, &m.completed, &m.long_file, 200, runs.min(5));

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "chant-lsp git facts benchmark: {} commits ({} reachable), {} specs, {} source files, {} branches, {} worktrees; {threads} threads",
        m.commits, cold.walked, shape.specs, shape.files, m.branches, m.worktrees.len()
    );
    describe(&cold.facts);
    println!("  request: {} drift paths, {} specs in progress", request.paths.len(), request.copies.len());
    header("");
    cold_rows(&cold, "500");
    row("warm reader, after one new commit", "100", &refresh);
    row("warm reader, nothing new", "", &unchanged);
    row("server: baseline request (documentText)", "", &sv.baseline);
    row("server: hover on a spec title, with git facts", "", &sv.hover_git);
    row("server: hover on a spec title, not a repository", "", &sv.hover_plain);
    row("server: code lens of a spec, with git facts", "10", &sv.lens_git);
    row("server: code lens of a spec, not a repository", "", &sv.lens_plain);
    row("server: code lens of a source file specs name", "10", &sv.source_lens);
    row("server: code lens of a source file no spec names", "", &sv.lonely_lens);
    row(&format!("server: which spec wrote a line of {} (blame)", m.long_file), "", &sv.spec_of_line);
    row("server: the same line again (cached)", "", &sv.spec_of_line_cached);
    row("server: refresh after a commit (its log)", "100", &sv.refresh_logged);
    row(&format!("blame {} (git2, {} commits)", m.long_file, m.long_touches), "", &blame2);
    row(&format!("blame {} (git blame)", m.long_file), "", &blame_cli);
    println!(
        "  server start-up: the hover shows git {:.0} ms after start; its reads took {} ms (its log: without diffs, then full)",
        sv.startup_hover,
        sv.startup_logged.iter().map(|t| format!("{t:.0}")).collect::<Vec<_>>().join(" and ")
    );
    println!(
        "  blame: git2 / git = {:.1}x (medians); the two agree on {} of {} lines",
        percentile(&blame2, 0.5) / percentile(&blame_cli, 0.5),
        agree.0,
        agree.1
    );
    println!("  hover: {}", sv.hover_sample.lines().find(|l| l.contains("**git**")).unwrap_or_default());
    println!("  lens:  {}", sv.lens_sample.iter().find(|t| t.starts_with('⎇')).map_or("", String::as_str));
    println!("  source file lens: {}", sv.source_sample.join(" | "));
    println!("  which spec wrote it: {}", sv.spec_of_line_sample);

    if large {
        let shape = Shape { commits: 100_000, ..shape };
        let (root, m) = repository(shape);
        let loaded = load::load(&root, &Options::default()).expect("project loads");
        let request = git::request(&root, &loaded.workspace);
        drop(loaded);
        let cold = cold_reads(&root, &request, runs.min(3));
        println!();
        println!("{} commits ({} reachable), {} branches:", m.commits, cold.walked, m.branches);
        describe(&cold.facts);
        header("");
        cold_rows(&cold, "");
    }
}

//! `cargo bench --bench check`: how long `chant-lsp check` takes on generated projects
//! of 1k, 10k and 100k specs (warm page cache, median of 5 runs), with peak RSS, next
//! to a baseline measured in the same run that only reads every spec file (the floor).
//!
//! Each measurement runs in a fresh child process (this binary with `--child`) so the
//! peak RSS belongs to that run alone. Sizes: `CHANT_BENCH_SIZES=1000,10000`.
//! Projects are cached under `target/bench-projects/`.
//!
//! Then the hostile shapes (issue 12: deep nesting, a long cycle, a fan-in cycle, a wide
//! `depends_on` list, a long chain), each at n and 4n (median of 3 warm runs), with the
//! 4n/n ratio of the times: about 4 is linear. `CHANT_BENCH_HOSTILE=0` skips them.

#![allow(clippy::print_stdout, reason = "a benchmark prints its numbers")]

#[path = "support/generate.rs"]
mod generate;
#[path = "support/hostile.rs"]
mod hostile;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chant_lsp::analysis::selection::Selection;
use chant_lsp::cli::check::{self, CheckArgs, Format};
use chant_lsp::cli::fix::FixMode;
use chant_lsp::io::load::{parallel_map, read_into, Options};

/// The same allocator as the `chant-lsp` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn spec_files(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join(".chant/specs"), &mut out);
    walk(&root.join(".chant/archive"), &mut out);
    out
}

/// One measured run in this (child) process; prints `millis peak_rss_kb detail`.
fn child(mode: &str, root: &Path) {
    let start = Instant::now();
    let detail = match mode {
        "read" => {
            let files = spec_files(root);
            // The same reader and threads as `check` uses, so the ratio is the analysis.
            let bytes: usize = parallel_map(&files, |p| {
                let mut buf = Vec::new();
                read_into(p, &mut buf).map(|()| buf.len()).unwrap_or(0)
            })
            .iter()
            .sum();
            format!("{} files, {} bytes", files.len(), bytes)
        }
        _ => {
            let args = CheckArgs {
                git: false,
                paths: vec![root.to_path_buf()],
                format: Format::Json,
                color: false,
                options: Options { include_archived: false, home: None, check_only: true },
                selection: Selection::default(),
                fix: FixMode::Off,
            };
            let out = check::run(&args).expect("check runs");
            format!("{} bytes of JSON", out.output.len())
        }
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    println!("{ms:.2} {} {detail}", peak_rss_kb());
}

fn measure(mode: &str, root: &Path, runs: usize) -> (f64, u64, String) {
    let exe = std::env::current_exe().expect("exe");
    let mut times = Vec::new();
    let mut rss = 0;
    let mut detail = String::new();
    for i in 0..=runs {
        let out = Command::new(&exe).args(["--child", mode]).arg(root).output().expect("child");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let mut parts = text.trim().splitn(3, ' ');
        let ms: f64 = parts.next().and_then(|v| v.parse().ok()).expect("time");
        let kb: u64 = parts.next().and_then(|v| v.parse().ok()).expect("rss");
        detail = parts.next().unwrap_or("").to_string();
        if i > 0 {
            // The first run warms the page cache.
            times.push(ms);
            rss = rss.max(kb);
        }
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], rss, detail)
}

fn project(n: usize) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-projects");
    let root = base.join(format!("n{n}-v{}", generate::VERSION));
    if !root.join(".complete").exists() {
        let _ = std::fs::remove_dir_all(&root);
        let t = Instant::now();
        generate::generate(&root, n).expect("generate");
        std::fs::write(root.join(".complete"), "").expect("marker");
        println!("generated {n} specs in {:.1}s at {}", t.elapsed().as_secs_f64(), root.display());
    }
    root
}

/// A hostile shape's project at size `n`, generated once.
fn hostile_project(name: &str, n: usize) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-projects");
    let root = base.join(format!("hostile-{}-{n}-v{}", name.replace(' ', "-"), hostile::VERSION));
    if !root.join(".complete").exists() {
        let _ = std::fs::remove_dir_all(&root);
        hostile::generate(&root, name, n).expect("generate");
        std::fs::write(root.join(".complete"), "").expect("marker");
    }
    root
}

fn hostile_table() {
    println!();
    println!("hostile shapes: `check --format json`, median of 3 warm runs");
    println!(
        "{:>16} | {:>9} {:>10} {:>9} | {:>9} {:>10} {:>9} | {:>6}",
        "shape", "n", "check ms", "MB", "4n", "check ms", "MB", "4n/n"
    );
    for (name, unit, n) in hostile::SHAPES {
        let (small_ms, small_kb, _) = measure("check", &hostile_project(name, n), 3);
        let (large_ms, large_kb, detail) = measure("check", &hostile_project(name, 4 * n), 3);
        println!(
            "{:>16} | {:>9} {:>10.1} {:>9.1} | {:>9} {:>10.1} {:>9.1} | {:>5.2}x",
            name,
            n,
            small_ms,
            small_kb as f64 / 1024.0,
            4 * n,
            large_ms,
            large_kb as f64 / 1024.0,
            large_ms / small_ms
        );
        println!("{:>16}   n counts {unit}; at 4n: {detail}", "");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() >= 4 && args[1] == "--child" {
        child(&args[2], Path::new(&args[3]));
        return;
    }
    if args.len() >= 4 && args[1] == "--generate" {
        let n: usize = args[3].parse().expect("size");
        generate::generate(Path::new(&args[2]), n).expect("generate");
        return;
    }
    let sizes: Vec<usize> = std::env::var("CHANT_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    let runs = 5;
    println!(
        "chant-lsp check benchmark: median of {runs} warm runs, {} threads",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:>8} | {:>12} {:>9} | {:>12} {:>9} {:>12} | {:>6}",
        "specs", "read ms", "read MB", "check ms", "check MB", "specs/s", "ratio"
    );
    for n in sizes {
        let root = project(n);
        let (read_ms, read_kb, read_detail) = measure("read", &root, runs);
        let (check_ms, check_kb, check_detail) = measure("check", &root, runs);
        println!(
            "{:>8} | {:>12.1} {:>9.1} | {:>12.1} {:>9.1} {:>12.0} | {:>5.2}x",
            n,
            read_ms,
            read_kb as f64 / 1024.0,
            check_ms,
            check_kb as f64 / 1024.0,
            n as f64 / (check_ms / 1000.0),
            check_ms / read_ms
        );
        println!("{:>8}   read: {read_detail}; check: {check_detail}", "");
    }
    if std::env::var("CHANT_BENCH_HOSTILE").map_or(true, |v| v != "0") {
        hostile_table();
    }
}

//! `cargo bench --bench graph`: `chant-lsp graph` on generated projects (the generator of
//! `--bench check`): the whole graph as SVG at about 500 active specs (the picture limit),
//! and `--around` at 10k specs, each next to `check --format json` on the same project in
//! the same run (the baseline: what loading and checking that project costs). Median of
//! 5 warm runs in this process; the layout alone (build + layout-rs + SVG, the project
//! already loaded) is measured too.

#![allow(clippy::print_stdout, reason = "a benchmark prints its numbers")]

#[path = "support/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};
use std::time::Instant;

use chant_lsp::analysis::graph::{self, Format, Options as GraphOptions};
use chant_lsp::analysis::selection::Selection;
use chant_lsp::cli::check::{self, CheckArgs};
use chant_lsp::cli::fix::FixMode;
use chant_lsp::cli::graph::{self as graph_cli, GraphArgs};
use chant_lsp::io::load::{self, Options};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn project(n: usize) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-projects");
    let root = base.join(format!("n{n}-v{}", generate::VERSION));
    if !root.join(".complete").exists() {
        let _ = std::fs::remove_dir_all(&root);
        generate::generate(&root, n).expect("generate");
        std::fs::write(root.join(".complete"), "").expect("marker");
    }
    root
}

/// Median and slowest of `runs` timed calls after one warm-up, in ms.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut last = f();
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        last = f();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() - 1], last)
}

fn check(root: &Path) -> usize {
    let args = CheckArgs {
        git: false,
        paths: vec![root.to_path_buf()],
        format: check::Format::Json,
        color: false,
        options: Options { include_archived: false, home: None, check_only: true },
        selection: Selection::default(),
        fix: FixMode::Off,
    };
    check::run(&args).expect("check runs").output.len()
}

fn graph_run(root: &Path, format: Format, options: GraphOptions) -> (usize, i32, String) {
    let args = GraphArgs { path: Some(root.to_path_buf()), format, options, output: None };
    let out = graph_cli::run(&args).expect("graph runs");
    (out.output.len(), out.exit_code, out.notes)
}

fn main() {
    let runs = 5;
    println!("chant-lsp graph benchmark: median (and slowest) of {runs} warm runs, in process");
    println!("{:<58} | {:>10} | {:>10} | detail", "measure", "median ms", "max ms");
    let row = |what: &str, (median, max): (f64, f64), detail: String| {
        println!("{what:<58} | {median:>10.1} | {max:>10.1} | {detail}");
    };
    // About 500 active specs: a third of the generated specs are archived.
    for (n, around) in [(750, false), (10_000, true)] {
        let root = project(n);
        let loaded = load::load(&root, &Options { include_archived: false, home: None, check_only: true })
            .expect("load");
        let ws = &loaded.workspace;
        let active = ws.active_specs();
        let (m, x, bytes) = time(runs, || check(&root));
        row(
            &format!("{n} specs ({active} active): baseline `check --format json`"),
            (m, x),
            format!("{bytes} bytes"),
        );
        if !around {
            let full = graph::build(ws, &GraphOptions::default(), &|_| false).expect("graph");
            let (m, x, (bytes, code, notes)) =
                time(runs, || graph_run(&root, Format::Svg, GraphOptions::default()));
            assert_eq!(code, 0, "{notes}");
            row(
                &format!("{n} specs: `graph --format svg` (whole project)"),
                (m, x),
                format!("{} nodes, {} edges, {bytes} bytes of SVG", full.nodes.len(), full.edges.len()),
            );
            let (m, x, svg) = time(runs, || {
                let g = graph::build(ws, &GraphOptions::default(), &|_| false).expect("graph");
                graph::draw(&g, Format::Svg).expect("drawn")
            });
            assert_eq!(svg.format, Format::Svg, "{:?}", svg.message);
            row(&format!("{n} specs: build + layout + SVG (loaded)"), (m, x), String::new());
            let (m, x, (bytes, _, _)) = time(runs, || graph_run(&root, Format::Dot, GraphOptions::default()));
            row(&format!("{n} specs: `graph --format dot`"), (m, x), format!("{bytes} bytes"));
            continue;
        }
        // The spec with the most dependents: the largest neighbourhood.
        let hub = (0..ws.project.specs.len())
            .filter(|&i| ws.project.active_index(&ws.project.specs[i].id) == Some(i))
            .max_by_key(|&i| ws.project.dependents_of(&ws.project.specs[i].id).len())
            .map(|i| ws.project.specs[i].id.clone())
            .expect("a spec");
        for depth in [2, 4] {
            let opts =
                GraphOptions { around: Some(hub.clone()), depth: Some(depth), include_archived: false };
            let g = graph::build(ws, &opts, &|_| false).expect("graph");
            let (m, x, (bytes, code, notes)) = time(runs, || graph_run(&root, Format::Svg, opts.clone()));
            row(
                &format!("{n} specs: `graph --around HUB --depth {depth} --format svg`"),
                (m, x),
                format!(
                    "{} nodes, {} edges, {bytes} bytes, exit {code} {}",
                    g.nodes.len(),
                    g.edges.len(),
                    notes.trim()
                ),
            );
            let (m, x, _) = time(runs, || {
                let g = graph::build(ws, &opts, &|_| false).expect("graph");
                graph::draw(&g, Format::Svg).map(|d| d.text.len())
            });
            row(
                &format!("{n} specs: around, depth {depth}: build + layout + SVG (loaded)"),
                (m, x),
                String::new(),
            );
        }
        let (m, x, (_, code, notes)) = time(runs, || graph_run(&root, Format::Svg, GraphOptions::default()));
        row(
            &format!("{n} specs: `graph --format svg` (refused: too large)"),
            (m, x),
            format!("exit {code}: {}", notes.trim().chars().take(60).collect::<String>()),
        );
    }
}

//! The committed fuzz corpus (`fuzz/corpus/<target>/`), replayed on stable through the
//! same bodies the cargo-fuzz targets run: `fuzz/src/lib.rs` is compiled here as a
//! module. A failing invariant fails this test, with the file that shows it.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code, reason = "the fuzz crate's helpers are not all used by the replay")]
mod fuzz_targets;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{}: the corpus has only {} files", dir.display(), files.len());
    files
}

/// Runs `body` on every corpus file of `target`; reports every file that fails.
fn replay(target: &str, body: fn(&[u8])) {
    let mut failed = Vec::new();
    let files = corpus(target);
    for path in &files {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(panic) = std::panic::catch_unwind(|| body(&data)) {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{}: {why}", path.display()));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} {target} inputs fail:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn spec_corpus() {
    replay("spec", fuzz_targets::spec);
}

#[test]
fn project_corpus() {
    replay("project", fuzz_targets::project);
}

#[test]
fn lsp_edits_corpus() {
    replay("lsp_edits", fuzz_targets::lsp_edits);
}

/// The replay fails when a body's assertion fails.
#[test]
#[should_panic(expected = "inputs fail")]
fn a_failing_body_fails_the_replay() {
    replay("spec", |_| panic!("an invariant"));
}

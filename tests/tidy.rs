//! Repository rules checked as tests: the analysis core stays pure, docs stay true.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `analysis/` does no IO and names no protocol, runtime, git or process type.
#[test]
fn analysis_is_pure() {
    let mut files = Vec::new();
    rust_files(&src().join("analysis"), &mut files);
    assert!(!files.is_empty());
    let forbidden = [
        "std::fs",
        "fs::read",
        "File::open",
        "std::process",
        "std::net",
        "tokio",
        "tower_lsp",
        "lsp_types",
        "ls_types",
        "git2",
        "std::env",
        "ropey",
        "crate::io",
        "crate::cli",
        "crate::lsp",
        "println!",
        "eprintln!",
        "std::thread",
    ];
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for word in forbidden {
            assert!(!text.contains(word), "{} uses `{word}`: analysis/ must stay pure", f.display());
        }
    }
}

/// Every read of a file's content goes through `io::read` (regular files only, capped,
/// inside the project): nothing else in `src/` opens a file to read it.
#[test]
fn files_are_read_only_through_io_read() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let reader = src().join("io/read.rs");
    for f in files.into_iter().filter(|f| *f != reader) {
        let text = std::fs::read_to_string(&f).expect("read");
        for word in ["fs::read(", "read_to_string(", "File::open(", ".read(true)"] {
            assert!(!text.contains(word), "{} uses `{word}`: read files through io::read", f.display());
        }
    }
}

/// Only `lsp/` talks the protocol.
#[test]
fn protocol_types_stay_in_lsp() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for f in files {
        if f.components().any(|c| c.as_os_str() == "lsp") {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("read");
        for word in ["tower_lsp", "ls_types", "lsp_types"] {
            assert!(!text.contains(word), "{} names `{word}` outside src/lsp", f.display());
        }
    }
}

/// Files stay small, one idea each: a file over the limit says why in a `size-limit:`
/// comment.
#[test]
fn no_file_over_the_size_limit_without_a_reason() {
    const LIMIT: usize = 600;
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let lines = text.lines().count();
        let reason =
            text.lines().find_map(|l| l.split_once("size-limit:").map(|(_, why)| why.trim().to_string()));
        assert!(
            lines <= LIMIT || reason.as_ref().is_some_and(|r| r.len() >= 20),
            "{} has {lines} lines (limit {LIMIT}): split it, or say why it stays whole in a `size-limit:` comment",
            f.display()
        );
    }
}

/// Every source file says what it owns.
#[test]
fn every_module_has_docs() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        assert!(text.starts_with("//!"), "{} has no `//!` module docs", f.display());
    }
}

/// Checks that the README's section between `<!-- NAME:start -->` and `<!-- NAME:end -->`
/// is `table` (with `UPDATE_EXPECT=1`, writes it).
fn readme_section(name: &str, table: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (start, end) = (format!("<!-- {name}:start -->\n"), format!("<!-- {name}:end -->"));
    let a = readme.find(&start).unwrap_or_else(|| panic!("{name}:start marker")) + start.len();
    let b = readme.find(&end).unwrap_or_else(|| panic!("{name}:end marker"));
    if readme[a..b] != *table {
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&path, format!("{}{}{}", &readme[..a], table, &readme[b..]))
                .expect("write README");
        } else {
            panic!("README.md's {name} table is out of date: run `UPDATE_EXPECT=1 cargo test --test tidy`");
        }
    }
}

/// The README's table of diagnostic codes is generated from the code table.
#[test]
fn readme_lists_every_code() {
    readme_section("codes", &chant_lsp::analysis::diagnostic::markdown_table());
}

/// The README's table of commands is generated from the command table.
#[test]
fn readme_lists_every_command() {
    readme_section("commands", &chant_lsp::analysis::ide::commands::markdown_table());
}

/// Every server setting (the fields of `lsp::settings`), in camelCase dotted form.
fn setting_names() -> Vec<String> {
    let text = std::fs::read_to_string(src().join("lsp/settings.rs")).expect("settings.rs");
    let camel = |s: &str| {
        let mut out = String::new();
        let mut up = false;
        for c in s.chars() {
            if c == '_' {
                up = true;
            } else if up {
                out.extend(c.to_uppercase());
                up = false;
            } else {
                out.push(c);
            }
        }
        out
    };
    let fields = |name: &str| -> Vec<String> {
        let start = text.find(&format!("pub struct {name} {{")).expect("struct");
        let body = &text[start..start + text[start..].find("\n}").expect("end")];
        body.lines()
            .filter_map(|l| l.trim().strip_prefix("pub ")?.split_once(':').map(|(f, _)| camel(f)))
            .collect()
    };
    let mut out: Vec<String> = Vec::new();
    for f in fields("Settings") {
        if f == "diagnostics" {
            out.extend(fields("DiagnosticSettings").into_iter().map(|d| format!("diagnostics.{d}")));
        } else if f == "sourceFiles" {
            out.extend(fields("SourceFileSettings").into_iter().map(|d| format!("sourceFiles.{d}")));
        } else {
            out.push(f);
        }
    }
    out
}

#[test]
fn every_setting_is_documented_and_contributed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let names = setting_names();
    assert!(names.len() >= 6, "{names:?}");
    let readme = read("README.md");
    let package = read("editors/vscode/package.json");
    let nvim = read("editors/nvim/lsp/chant_lsp.lua");
    for name in &names {
        assert!(readme.contains(&format!("| `{name}` |")), "README's settings table lacks `{name}`");
        assert!(
            package.contains(&format!("\"chant.{name}\": {{")),
            "the VS Code extension does not contribute chant.{name}"
        );
        assert!(nvim.contains(name.as_str()), "editors/nvim/lsp/chant_lsp.lua does not mention {name}");
    }
}

/// Code and tests cite chant's behaviour from docs/chant-behaviour.md, by numbered section:
/// no citation of the old, external reference remains, and every cited section exists.
#[test]
fn chant_behaviour_citations_resolve() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/chant-behaviour.md")).expect("docs/chant-behaviour.md");
    // Section numbers of `## 6. Readiness` and `### 6.3 The gate` headings.
    let sections: Vec<String> = doc
        .lines()
        .filter(|l| l.starts_with("## ") || l.starts_with("### "))
        .filter_map(|l| {
            let n = l.trim_start_matches('#').split_whitespace().next()?;
            let n = n.trim_end_matches('.');
            (!n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.')).then(|| n.to_string())
        })
        .collect();
    assert!(sections.len() >= 10, "too few numbered sections in chant-behaviour.md: {sections:?}");
    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut all = Vec::new();
    for dir in ["src", "tests", "benches"] {
        files(&root.join(dir), &mut all);
    }
    const SECTION: char = '\u{a7}';
    let old = ["reference", " \u{a7}"].concat();
    let cite = ["chant-behaviour.md", " \u{a7}"].concat();
    let mut cited = 0;
    for f in all {
        let Ok(text) = std::fs::read_to_string(&f) else { continue };
        assert!(
            !text.contains(&old),
            "{} cites the old reference; cite docs/chant-behaviour.md",
            f.display()
        );
        // Every section sign must start a `chant-behaviour.md` citation of an existing section.
        for (at, _) in text.match_indices(SECTION) {
            let before = &text[..at + SECTION.len_utf8()];
            assert!(
                before.ends_with(&cite),
                "{}: a section sign that is not a chant-behaviour.md citation, near byte {at}",
                f.display()
            );
            let after = &text[at + SECTION.len_utf8()..];
            let n: String = after.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let n = n.trim_end_matches('.');
            assert!(
                sections.iter().any(|s| s == n),
                "{} cites chant-behaviour.md section {n}, which the document does not have",
                f.display()
            );
            cited += 1;
        }
    }
    assert!(cited > 0, "no citation of docs/chant-behaviour.md found");
}

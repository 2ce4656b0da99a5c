//! Projects shaped as an attacker would shape them (issue 12): deep nesting, a long
//! dependency cycle, a fan-in cycle, a wide `depends_on` list and a long chain. Each
//! shape is generated at a size `n`; the benchmark runs n and 4n, so the README can show
//! that the time grows linearly.

use std::fmt::Write as _;
use std::path::Path;

/// Bumped whenever the output changes, so cached projects are regenerated.
pub const VERSION: u32 = 1;

/// (name, what n counts, n): the benchmark measures n and 4n of each.
pub const SHAPES: [(&str, &str, usize); 5] = [
    ("deep nesting", "brackets", 25_000),
    ("long cycle", "specs", 1_000),
    ("fan-in cycle", "specs", 12_500),
    ("wide depends_on", "entries", 12_500),
    ("long chain", "specs", 25_000),
];

fn id(i: usize) -> String {
    format!("2026-01-01-{i:05}-abc")
}

fn spec(root: &Path, i: usize, frontmatter: &str) -> std::io::Result<()> {
    let text = format!("---\n{frontmatter}---\n# Spec {i}\n\n## Acceptance Criteria\n\n- [ ] it works\n");
    std::fs::write(root.join(format!(".chant/specs/{}.md", id(i))), text)
}

fn deps(list: impl IntoIterator<Item = usize>) -> String {
    let mut out = String::from("status: pending\ndepends_on:\n");
    for d in list {
        let _ = writeln!(out, "- {}", id(d));
    }
    out
}

/// Writes shape `name` at size `n` under `root` (empty or absent).
pub fn generate(root: &Path, name: &str, n: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join(".chant/specs"))?;
    std::fs::create_dir_all(root.join(".chant/prompts"))?;
    std::fs::write(root.join(".chant/config.md"), "---\ndefaults:\n  prompt: standard\n---\n")?;
    std::fs::write(root.join(".chant/prompts/standard.md"), "{{spec.description}}\n")?;
    match name {
        "deep nesting" => {
            // Under a key chant reads (never closed), and under one it ignores (closed).
            spec(root, 0, &format!("status: pending\ndepends_on: {}\n", "[".repeat(n)))?;
            spec(root, 1, &format!("status: pending\nnotes: {}{}\n", "[".repeat(n), "]".repeat(n)))?;
        }
        "long cycle" => {
            for i in 0..n {
                spec(root, i, &deps([(i + 1) % n]))?;
            }
        }
        "fan-in cycle" => {
            spec(root, 0, &deps(1..=n))?;
            for i in 1..=n {
                spec(root, i, &deps([n + 1]))?;
            }
            spec(root, n + 1, &deps([0]))?;
        }
        "wide depends_on" => {
            // Every entry twice: a duplicate-dependency finding each.
            spec(root, 0, &deps((1..=n / 2).flat_map(|i| [i, i])))?;
            for i in 1..=n / 2 {
                spec(root, i, "status: completed\n")?;
            }
        }
        _ => {
            for i in 0..n {
                spec(root, i, &deps((i + 1 < n).then_some(i + 1)))?;
            }
        }
    }
    Ok(())
}

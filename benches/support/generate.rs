//! A generator for synthetic chant projects shaped like a real one (chant's own
//! repository: specs of about 3.5 KB, ~1.3 `target_files` and ~0.2 `depends_on`
//! entries each, 10% group members, a few `context` / `informed_by` / `tracks`
//! links), with a third of the specs archived and some broken links, unknown and
//! archived dependencies and cycles. Deterministic for a given size.

use std::fmt::Write as _;
use std::path::Path;

/// Bumped whenever the output changes, so cached projects are regenerated.
pub const VERSION: u32 = 2;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(1000) < percent * 10
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn base36(mut n: u64, width: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 {
        out.push(digits[(n % 36) as usize]);
        n /= 36;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn date(day: u64) -> String {
    // 28-day months keep the arithmetic trivial; every date is valid.
    let year = 2023 + day / (12 * 28);
    let month = 1 + (day / 28) % 12;
    let d = 1 + day % 28;
    format!("{year:04}-{month:02}-{d:02}")
}

const WORDS: [&str; 40] = [
    "the",
    "limiter",
    "request",
    "handler",
    "returns",
    "a",
    "value",
    "for",
    "each",
    "queue",
    "should",
    "be",
    "config",
    "parser",
    "when",
    "cache",
    "is",
    "empty",
    "database",
    "migration",
    "keeps",
    "old",
    "rows",
    "with",
    "index",
    "and",
    "retries",
    "after",
    "timeout",
    "error",
    "message",
    "shows",
    "user",
    "token",
    "expires",
    "then",
    "session",
    "log",
    "metrics",
    "export",
];
const VERBS: [&str; 8] = ["Implement", "Add", "Test", "Update", "Fix", "Document", "Remove", "Validate"];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(&WORDS));
    }
    s.push('.');
    s
}

struct Spec {
    id: String,
    archived: bool,
    member_of: Option<usize>,
}

/// Writes a project of `n` specs under `root` (which must be empty or absent).
pub fn generate(root: &Path, n: usize) -> std::io::Result<()> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ n as u64);
    std::fs::create_dir_all(root.join(".chant/specs"))?;
    std::fs::create_dir_all(root.join(".chant/prompts"))?;
    std::fs::write(
        root.join(".chant/config.md"),
        "---\nproject:\n  name: bench\ndefaults:\n  prompt: standard\n---\n# Config\n",
    )?;
    std::fs::write(
        root.join(".chant/prompts/standard.md"),
        "---\nname: standard\n---\n{{spec.description}}\n",
    )?;
    // The files specs link to.
    let modules = (n / 50).max(4);
    let mut files = Vec::new();
    for m in 0..modules {
        std::fs::create_dir_all(root.join(format!("src/mod_{m}")))?;
        for f in 0..8 {
            let p = format!("src/mod_{m}/file_{f}.rs");
            std::fs::write(root.join(&p), "// code\n")?;
            files.push(p);
        }
    }
    std::fs::create_dir_all(root.join("docs/design"))?;
    let mut docs = Vec::new();
    for d in 0..(n / 100).max(4) {
        let p = format!("docs/design/topic_{d}.md");
        std::fs::write(root.join(&p), "# Topic\n")?;
        docs.push(p);
    }

    // IDs: 40 specs a day; the oldest third archived; every tenth spec starts a group
    // of a driver and three members.
    let mut specs: Vec<Spec> = Vec::with_capacity(n);
    let mut i = 0;
    while specs.len() < n {
        let day = (i / 40) as u64;
        let seq = (i % 40) as u64 + 1;
        let rand = base36(rng.below(36 * 36 * 36), 3);
        let id = format!("{}-{}-{rand}", date(day), base36(seq, 3));
        let archived = specs.len() < n / 3;
        let driver_idx = specs.len();
        specs.push(Spec { id: id.clone(), archived, member_of: None });
        if i % 10 == 0 {
            for k in 1..=3 {
                if specs.len() < n {
                    specs.push(Spec { id: format!("{id}.{k}"), archived, member_of: Some(driver_idx) });
                }
            }
        }
        i += 1;
    }

    let active: Vec<usize> = (0..n).filter(|&k| !specs[k].archived).collect();
    for k in 0..n {
        let s = &specs[k];
        let is_driver = k + 1 < n && specs[k + 1].member_of == Some(k);
        let mut fm = String::from("---\n");
        let kind = if is_driver {
            "group"
        } else {
            match rng.below(100) {
                0..=4 => "research",
                5..=9 => "documentation",
                10..=14 => "task",
                _ => "code",
            }
        };
        let status = if s.archived {
            "completed"
        } else {
            match rng.below(100) {
                0..=49 => "completed",
                50..=89 => "pending",
                90..=94 => "in_progress",
                95..=97 => "failed",
                _ => "cancelled",
            }
        };
        let _ = writeln!(fm, "type: {kind}\nstatus: {status}");
        // Dependencies: mostly on an earlier active spec; some broken on purpose.
        let mut deps: Vec<String> = Vec::new();
        if !s.archived && rng.chance(20) && k > 0 {
            deps.push(match rng.below(1000) {
                0..=9 => specs[rng.below(n as u64 / 3) as usize].id.clone(), // archived
                10..=14 => format!("{}x", &specs[k - 1].id),                 // unknown
                _ => {
                    let earlier = &active[..active.partition_point(|&a| a < k)];
                    match earlier.get(rng.below(earlier.len() as u64) as usize) {
                        Some(&a) => specs[a].id.clone(),
                        None => specs[k - 1].id.clone(),
                    }
                }
            });
        }
        // A 3-spec cycle every 2,000 specs.
        if !s.archived && k % 2000 >= 7 && k % 2000 <= 9 && k + 2 < n && k >= 2 {
            let target = if k % 2000 == 9 { k - 2 } else { k + 1 };
            deps.push(specs[target].id.clone());
        }
        deps.dedup();
        if !deps.is_empty() {
            fm.push_str("depends_on:\n");
            for d in &deps {
                let _ = writeln!(fm, "- {d}");
            }
        }
        let labels = ["api", "backend", "ui", "infra", "docs", "perf"];
        let _ = writeln!(fm, "labels:\n- {}", rng.pick(&labels));
        if !is_driver {
            fm.push_str("target_files:\n");
            let count = if rng.chance(30) { 2 } else { 1 };
            for _ in 0..count {
                let f = &files[rng.below(files.len() as u64) as usize];
                if status == "completed" && rng.chance(3) {
                    let _ = writeln!(fm, "- {f}.old");
                } else {
                    let _ = writeln!(fm, "- {f}");
                }
            }
        }
        if rng.chance(15) {
            let d = &docs[rng.below(docs.len() as u64) as usize];
            let broken = if rng.chance(5) { ".missing" } else { "" };
            let _ = writeln!(fm, "context:\n- {d}{broken}");
        }
        if kind == "research" {
            let _ = writeln!(
                fm,
                "informed_by:\n- {}\n- docs/design/*.md",
                docs[rng.below(docs.len() as u64) as usize]
            );
        }
        if kind == "documentation" {
            let _ = writeln!(fm, "tracks:\n- src/mod_{}/*.rs", rng.below(modules as u64));
        }
        if status == "completed" {
            let _ = writeln!(
                fm,
                "commits:\n- {:07x}\ncompleted_at: 2026-01-01T12:00:00Z\nmodel: haiku",
                rng.next() & 0xfff_ffff
            );
        }
        if is_driver {
            fm.push_str("members:\n");
            for m in 1..=3 {
                let _ = writeln!(fm, "- {}.{m}", s.id);
            }
        }
        fm.push_str("---\n");

        // Body: about 3.5 KB.
        let mut body = format!("# {} {}\n\n", rng.pick(&VERBS), sentence(&mut rng, 6).trim_end_matches('.'));
        for _ in 0..11 {
            body.push_str(&sentence(&mut rng, 18));
            body.push(' ');
            body.push_str(&sentence(&mut rng, 14));
            body.push_str("\n\n");
        }
        if rng.chance(30) {
            body.push_str("```bash\ncargo test --all\n```\n\n");
        }
        body.push_str("## Acceptance Criteria\n\n");
        let mark = if status == "completed" { "x" } else { " " };
        for _ in 0..(3 + rng.below(4)) {
            let _ = writeln!(body, "- [{mark}] {} {}", rng.pick(&VERBS), sentence(&mut rng, 7));
        }
        if status == "completed" {
            body.push_str("\n## Agent Output\n\n2026-01-01T12:00:00Z\n\n```\n");
            for _ in 0..8 {
                body.push_str(&sentence(&mut rng, 12));
                body.push('\n');
            }
            body.push_str("Done!```\n");
        }
        let dir = if s.archived {
            root.join(".chant/archive").join(&s.id[..10])
        } else {
            root.join(".chant/specs")
        };
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("{}.md", s.id)), format!("{fm}{body}"))?;
    }
    Ok(())
}

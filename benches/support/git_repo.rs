//! A generator for a chant project's git history, written with git2 the way chant and
//! its agents write it: `chant: Add spec <ID>` commits on `main`; runs on `chant/<ID>`
//! branches (`chant(<ID>): update spec status to in_progress`, the agent's
//! `chant(<ID>): …` commits, `chant(<ID>): finalize spec`), merged by fast-forward
//! when `main` did not move and by a `Merge chant/<ID>` commit when it did (branches
//! kept, as `chant merge` keeps them, a few deleted); `chant: Record agent transcript
//! for <ID>`; ordinary commits in between. Specs end completed (with `branch`,
//! `commits:`, `completed_at`, `model`, and `tracks` or `informed_by` for some),
//! in progress (an open branch; two with a worktree next to the repository) or
//! pending. One 5,000-line file is changed by a few hundred commits (for blame).
//!
//! Commit times increase by a fixed step. Objects are written to an in-memory pack
//! (libgit2's mempack) and flushed as packs, so generating 100k commits stays usable.
//! Deterministic for a given shape.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository, Signature, Time};

use chant_lsp::analysis::git::time;

/// Bumped whenever the output changes, so cached repositories are regenerated.
pub const VERSION: u32 = 2;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub commits: usize,
    pub specs: usize,
    /// Source files (`src/`), the long one included.
    pub files: usize,
    /// Lines of the long file, and about how many commits change it.
    pub long_lines: usize,
    pub long_touches: usize,
}

/// What the benchmark needs to know about a generated repository (also written to
/// `manifest` next to it).
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub commits: usize,
    pub branches: usize,
    pub long_file: String,
    pub long_touches: usize,
    /// A completed, merged spec with several commits and drift inputs.
    pub completed: String,
    /// An in-progress spec with a branch and a worktree.
    pub running: String,
    pub worktrees: Vec<PathBuf>,
}

impl Manifest {
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut s = format!(
            "commits={}\nbranches={}\nlong_file={}\nlong_touches={}\ncompleted={}\nrunning={}\n",
            self.commits, self.branches, self.long_file, self.long_touches, self.completed, self.running
        );
        for w in &self.worktrees {
            let _ = writeln!(s, "worktree={}", w.display());
        }
        std::fs::write(path, s)
    }

    pub fn read(path: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(path).ok()?;
        let mut m = Manifest::default();
        for line in text.lines() {
            let (k, v) = line.split_once('=')?;
            match k {
                "commits" => m.commits = v.parse().ok()?,
                "branches" => m.branches = v.parse().ok()?,
                "long_file" => m.long_file = v.to_string(),
                "long_touches" => m.long_touches = v.parse().ok()?,
                "completed" => m.completed = v.to_string(),
                "running" => m.running = v.to_string(),
                "worktree" => m.worktrees.push(PathBuf::from(v)),
                _ => {}
            }
        }
        Some(m)
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: [&str; 32] = [
    "limiter",
    "request",
    "handler",
    "value",
    "queue",
    "config",
    "parser",
    "cache",
    "database",
    "migration",
    "rows",
    "index",
    "retries",
    "timeout",
    "error",
    "message",
    "user",
    "token",
    "session",
    "log",
    "metrics",
    "export",
    "lock",
    "store",
    "watcher",
    "schema",
    "client",
    "pool",
    "buffer",
    "encoder",
    "router",
    "batch",
];
const VERBS: [&str; 8] = ["Implement", "Add", "Test", "Update", "Fix", "Document", "Remove", "Validate"];
const AUTHORS: [&str; 4] = ["Ada Tester", "Grace Builder", "Linus Reviewer", "Margaret Planner"];

/// A tree kept in memory; `oid` caches the written tree until something below changes.
#[derive(Clone, Default)]
struct Dir {
    entries: BTreeMap<String, Node>,
    oid: Option<Oid>,
}

#[derive(Clone)]
enum Node {
    Blob(Oid),
    Dir(Dir),
}

impl Dir {
    fn set(&mut self, path: &str, blob: Oid) {
        self.oid = None;
        match path.split_once('/') {
            None => {
                self.entries.insert(path.to_string(), Node::Blob(blob));
            }
            Some((head, rest)) => {
                let node = self.entries.entry(head.to_string()).or_insert_with(|| Node::Dir(Dir::default()));
                if let Node::Dir(d) = node {
                    d.set(rest, blob);
                }
            }
        }
    }

    fn write(&mut self, repo: &Repository) -> Result<Oid, git2::Error> {
        if let Some(oid) = self.oid {
            return Ok(oid);
        }
        let mut tb = repo.treebuilder(None)?;
        for (name, node) in &mut self.entries {
            match node {
                Node::Blob(oid) => tb.insert(name, *oid, 0o100_644)?,
                Node::Dir(d) => tb.insert(name, d.write(repo)?, 0o040_000)?,
            };
        }
        let oid = tb.write()?;
        self.oid = Some(oid);
        Ok(oid)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    /// Completed and merged into `main` (`keep`: the branch is kept).
    Merged {
        keep: bool,
    },
    /// Completed on `main`, its branch never merged.
    Unmerged,
    InProgress,
    Pending,
}

/// One step of a run; each writes at most one commit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    Agent,
    /// `chant(<ID>): finalize spec` on the branch (merged runs) or on `main`.
    Finalize {
        on_main: bool,
    },
    /// A fast-forward (no commit) or `Merge chant/<ID>`.
    Merge,
    Transcript,
}

struct SpecPlan {
    id: String,
    kind: &'static str,
    title: String,
    /// What the body says the change is for.
    why: (&'static str, &'static str),
    targets: Vec<String>,
    /// `tracks` (documentation) or `informed_by` (research) entries.
    drift: Option<(&'static str, Vec<String>)>,
    end: End,
    agent_commits: usize,
    transcript: bool,
}

impl SpecPlan {
    /// The steps of its run after the status commit that starts it (none: never run).
    fn steps(&self) -> Vec<Step> {
        if self.end == End::Pending {
            return Vec::new();
        }
        let mut out = vec![Step::Agent; self.agent_commits];
        match self.end {
            End::Merged { .. } => {
                out.extend([Step::Finalize { on_main: false }, Step::Merge]);
                if self.transcript {
                    out.push(Step::Transcript);
                }
            }
            End::Unmerged => out.push(Step::Finalize { on_main: true }),
            End::InProgress | End::Pending => {}
        }
        out
    }

    /// Steps of its life that write at most one commit each: `Add spec`, the start, the
    /// run.
    fn budget(&self) -> usize {
        match self.end {
            End::Pending => 1,
            _ => 2 + self.steps().len(),
        }
    }

    fn path(&self) -> String {
        format!(".chant/specs/{}.md", self.id)
    }

    fn text(&self, status: &str, done: Option<(&[String], i64)>) -> String {
        let mut s = format!("---\ntype: {}\nstatus: {status}\n", self.kind);
        if status != "pending" {
            let _ = writeln!(s, "branch: chant/{}", self.id);
        }
        s.push_str("target_files:\n");
        for t in &self.targets {
            let _ = writeln!(s, "- {t}");
        }
        if let Some((field, entries)) = &self.drift {
            let _ = writeln!(s, "{field}:");
            for e in entries {
                let _ = writeln!(s, "- {e}");
            }
        }
        if let Some((commits, at)) = done {
            s.push_str("commits:\n");
            for c in commits {
                let _ = writeln!(s, "- {c}");
            }
            let secs = at.rem_euclid(86_400);
            let _ = writeln!(
                s,
                "completed_at: {}T{:02}:{:02}:{:02}Z\nmodel: sonnet",
                time::date(at),
                secs / 3600,
                secs % 3600 / 60,
                secs % 60
            );
        }
        let mark = if status == "completed" { "x" } else { " " };
        let _ = write!(
            s,
            "---\n# {}\n\n{} in `{}`, so that the {} keeps its {}.\n\n## Acceptance Criteria\n\n- [{mark}] {} works\n- [{mark}] Tests pass\n",
            self.title, self.title, self.targets[0], self.why.0, self.why.1, self.title
        );
        s
    }
}

/// A run on a `chant/<ID>` branch.
struct Run {
    spec: usize,
    dir: Dir,
    fork: Oid,
    tip: Oid,
    /// Files the branch changed (path → lines), over `main` at the fork.
    changed: BTreeMap<String, Vec<String>>,
    own: Vec<Oid>,
    steps: std::collections::VecDeque<Step>,
}

struct Gen<'r> {
    repo: &'r Repository,
    rng: Rng,
    at: i64,
    step: i64,
    count: usize,
    main_dir: Dir,
    main: Oid,
    /// Current text of every file on `main`, as lines.
    texts: HashMap<String, Vec<String>>,
    sources: Vec<String>,
    docs: Vec<String>,
    long_file: String,
    long_touches: usize,
    branches: Vec<(String, Oid)>,
    mempack: git2::Mempack<'r>,
    flush_every: usize,
}

fn code_line(rng: &mut Rng) -> String {
    format!(
        "    let {}_{} = {}.{}({}); // {}",
        WORDS[rng.below(32)],
        rng.below(100),
        WORDS[rng.below(32)],
        WORDS[rng.below(32)],
        rng.below(1000),
        WORDS[rng.below(32)]
    )
}

impl<'r> Gen<'r> {
    fn blob(&self, lines: &[String]) -> Result<Oid, git2::Error> {
        let mut text = lines.join("\n");
        text.push('\n');
        self.repo.blob(text.as_bytes())
    }

    /// Writes `dir` as the tree of a commit with `parents` and returns it.
    fn commit(&mut self, dir: &mut Dir, parents: &[Oid], subject: &str) -> Result<Oid, git2::Error> {
        let tree = self.repo.find_tree(dir.write(self.repo)?)?;
        self.at += self.step;
        let who = AUTHORS[self.rng.below(AUTHORS.len())];
        let sig = Signature::new(who, "dev@example.invalid", &Time::new(self.at, 0))?;
        let parents: Vec<git2::Commit> =
            parents.iter().map(|p| self.repo.find_commit(*p)).collect::<Result<_, _>>()?;
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        let oid = self.repo.commit(None, &sig, &sig, &format!("{subject}\n"), &tree, &parents)?;
        self.count += 1;
        if self.count.is_multiple_of(self.flush_every) {
            self.flush()?;
        }
        Ok(oid)
    }

    /// Moves what the mempack holds into a pack file.
    fn flush(&mut self) -> Result<(), git2::Error> {
        let mut buf = git2::Buf::new();
        self.mempack.dump(self.repo, &mut buf)?;
        let odb = self.repo.odb()?;
        let mut w = odb.packwriter()?;
        std::io::Write::write_all(&mut w, &buf).map_err(|e| git2::Error::from_str(&e.to_string()))?;
        w.commit()?;
        self.mempack.reset()
    }

    /// Changes a few lines of `lines` (the long file keeps its length).
    fn edit(&mut self, lines: &mut Vec<String>) {
        let edits = 1 + self.rng.below(4);
        for _ in 0..edits {
            let at = self.rng.below(lines.len());
            let line = code_line(&mut self.rng);
            match self.rng.below(10) {
                0 if lines.len() > 10 => {
                    lines.remove(at);
                    lines.insert(self.rng.below(lines.len()), line);
                }
                1 => {
                    lines.insert(at, line);
                    if lines.len() > 10 {
                        lines.remove(self.rng.below(lines.len()));
                    }
                }
                _ => lines[at] = line,
            }
        }
    }

    fn ordinary(&mut self, long_chance: usize) -> Result<(), git2::Error> {
        let mut paths: Vec<String> = Vec::new();
        for _ in 0..1 + self.rng.below(3) {
            paths.push(self.sources[self.rng.below(self.sources.len())].clone());
        }
        if self.rng.chance(40) {
            paths.push(self.docs[self.rng.below(self.docs.len())].clone());
        }
        if self.rng.chance(long_chance) {
            paths.push(self.long_file.clone());
            self.long_touches += 1;
        }
        paths.sort();
        paths.dedup();
        for p in &paths {
            let mut lines = self.texts.remove(p).unwrap_or_default();
            self.edit(&mut lines);
            let blob = self.blob(&lines)?;
            self.main_dir.set(p, blob);
            self.texts.insert(p.clone(), lines);
        }
        let w = WORDS[self.rng.below(32)];
        let subject = match self.rng.below(6) {
            0 => format!("Fix {w} handling in {}", module_of(&paths[0])),
            1 => format!("Refactor {}", module_of(&paths[0])),
            2 => "Update dependencies".to_string(),
            3 => format!("Add tests for the {w}"),
            4 => format!("Improve {w} performance"),
            _ => format!("Document the {w}"),
        };
        let mut dir = std::mem::take(&mut self.main_dir);
        self.main = self.commit(&mut dir, &[self.main], &subject)?;
        self.main_dir = dir;
        Ok(())
    }

    fn on_main(&mut self, path: &str, lines: Vec<String>, subject: &str) -> Result<Oid, git2::Error> {
        let blob = self.blob(&lines)?;
        self.main_dir.set(path, blob);
        self.texts.insert(path.to_string(), lines);
        let mut dir = std::mem::take(&mut self.main_dir);
        self.main = self.commit(&mut dir, &[self.main], subject)?;
        self.main_dir = dir;
        Ok(self.main)
    }

    fn on_branch(
        &mut self,
        run: &mut Run,
        path: &str,
        lines: Vec<String>,
        subject: &str,
    ) -> Result<Oid, git2::Error> {
        let blob = self.blob(&lines)?;
        run.dir.set(path, blob);
        run.changed.insert(path.to_string(), lines);
        let mut dir = std::mem::take(&mut run.dir);
        let oid = self.commit(&mut dir, &[run.tip], subject);
        run.dir = dir;
        run.tip = oid?;
        run.own.push(run.tip);
        Ok(run.tip)
    }

    /// The file's text on the run's branch.
    fn branch_text(&self, run: &Run, path: &str) -> Vec<String> {
        run.changed.get(path).or_else(|| self.texts.get(path)).cloned().unwrap_or_default()
    }

    fn start(&mut self, plan: &SpecPlan, spec: usize) -> Result<Run, git2::Error> {
        let mut run = Run {
            spec,
            dir: self.main_dir.clone(),
            fork: self.main,
            tip: self.main,
            changed: BTreeMap::new(),
            own: Vec::new(),
            steps: plan.steps().into(),
        };
        let text = lines_of(&plan.text("in_progress", None));
        self.on_branch(
            &mut run,
            &plan.path(),
            text,
            &format!("chant({}): update spec status to in_progress", plan.id),
        )?;
        Ok(run)
    }

    /// The run's next step; `true` when the run is over.
    fn advance(&mut self, plan: &SpecPlan, run: &mut Run) -> Result<bool, git2::Error> {
        let Some(step) = run.steps.pop_front() else { return Ok(true) };
        let shorts: Vec<String> = run.own.iter().map(|o| o.to_string()[..7].to_string()).collect();
        let completed = |at: i64| lines_of(&plan.text("completed", Some((&shorts, at))));
        match step {
            Step::Agent => {
                let target = plan.targets[self.rng.below(plan.targets.len())].clone();
                let mut lines = self.branch_text(run, &target);
                self.edit(&mut lines);
                let subject =
                    format!("chant({}): {} the {}", plan.id, self.rng.pick(&VERBS), self.rng.pick(&WORDS));
                self.on_branch(run, &target, lines, &subject)?;
            }
            Step::Finalize { on_main: true } => {
                let text = completed(self.at + self.step);
                self.on_main(&plan.path(), text, &format!("chant({}): finalize spec", plan.id))?;
            }
            Step::Finalize { on_main: false } => {
                let text = completed(self.at + self.step);
                self.on_branch(run, &plan.path(), text, &format!("chant({}): finalize spec", plan.id))?;
            }
            Step::Merge => {
                for (path, lines) in std::mem::take(&mut run.changed) {
                    let blob = self.blob(&lines)?;
                    self.main_dir.set(&path, blob);
                    self.texts.insert(path, lines);
                }
                if self.main == run.fork {
                    self.main = run.tip;
                } else {
                    let mut dir = std::mem::take(&mut self.main_dir);
                    let parents = [self.main, run.tip];
                    self.main = self.commit(&mut dir, &parents, &format!("Merge chant/{}", plan.id))?;
                    self.main_dir = dir;
                }
            }
            Step::Transcript => {
                let mut lines = self.texts.get(&plan.path()).cloned().unwrap_or_default();
                lines.extend([
                    "".to_string(),
                    "## Agent Output".to_string(),
                    String::new(),
                    "Done.".to_string(),
                ]);
                self.on_main(
                    &plan.path(),
                    lines,
                    &format!("chant: Record agent transcript for {}", plan.id),
                )?;
            }
        }
        Ok(run.steps.is_empty())
    }
}

fn module_of(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(d, _)| d)
}

fn lines_of(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn base36(mut n: usize, width: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 {
        out.push(digits[n % 36]);
        n /= 36;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the repository at `base/repo` (its worktrees under `base/tmp`); `base` must
/// be empty or absent.
pub fn generate(base: &Path, shape: Shape) -> Result<Manifest, git2::Error> {
    let root = base.join("repo");
    let io = |e: std::io::Error| git2::Error::from_str(&e.to_string());
    std::fs::create_dir_all(&root).map_err(io)?;
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repository::init_opts(&root, &opts)?;
    let odb = repo.odb()?;
    let mempack = odb.add_new_mempack_backend(1000)?;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ shape.commits as u64);

    // The first commit: config, prompt, docs and every source file.
    let mut texts: HashMap<String, Vec<String>> = HashMap::new();
    texts.insert(
        ".chant/config.md".into(),
        lines_of("---\nproject:\n  name: bench\ndefaults:\n  prompt: standard\n---\n# Config"),
    );
    texts.insert(
        ".chant/prompts/standard.md".into(),
        lines_of("---\nname: standard\n---\n{{spec.description}}"),
    );
    texts.insert(".gitignore".into(), vec![".chant/logs/".into()]);
    let modules = (shape.files / 20).max(1);
    let mut sources = Vec::new();
    for f in 0..shape.files - 1 {
        let p = format!("src/mod_{}/file_{}.rs", f % modules, f / modules);
        let n = 30 + rng.below(90);
        let mut lines = vec![format!("// {p}"), "pub fn run() {".to_string()];
        lines.extend((0..n).map(|_| code_line(&mut rng)));
        lines.push("}".into());
        texts.insert(p.clone(), lines);
        sources.push(p);
    }
    let long_file = "src/core/engine.rs".to_string();
    let mut lines = vec![format!("// {long_file}"), "pub fn run() {".to_string()];
    lines.extend((0..shape.long_lines - 3).map(|_| code_line(&mut rng)));
    lines.push("}".into());
    texts.insert(long_file.clone(), lines);
    let mut docs = Vec::new();
    for d in 0..40 {
        let p = format!("docs/design/topic_{d}.md");
        texts.insert(p.clone(), vec![format!("# Topic {d}"), String::new(), "Notes.".into()]);
        docs.push(p);
    }
    let mut gen = Gen {
        repo: &repo,
        rng,
        at: 1_735_689_600, // 2025-01-01T00:00:00Z
        step: (200 * 86_400 / shape.commits as i64).max(1),
        count: 0,
        main_dir: Dir::default(),
        main: Oid::ZERO_SHA1,
        texts: HashMap::new(),
        sources,
        docs,
        long_file: long_file.clone(),
        long_touches: 0,
        branches: Vec::new(),
        mempack,
        flush_every: 20_000,
    };
    let mut paths: Vec<&String> = texts.keys().collect();
    paths.sort();
    for p in paths {
        let blob = gen.blob(&texts[p])?;
        gen.main_dir.set(p, blob);
    }
    gen.texts = texts;
    let mut dir = std::mem::take(&mut gen.main_dir);
    gen.main = gen.commit(&mut dir, &[], "Initial commit")?;
    gen.main_dir = dir;

    // The specs' plans.
    let mut plans: Vec<SpecPlan> = Vec::with_capacity(shape.specs);
    for i in 0..shape.specs {
        let r = gen.rng.below(100);
        let end = match r {
            0..=49 => End::Merged { keep: gen.rng.chance(750) },
            50..=55 => End::Unmerged,
            56..=60 => End::InProgress,
            _ => End::Pending,
        };
        // At least two runs stay open, for the worktrees.
        let end = if i + 2 >= shape.specs { End::InProgress } else { end };
        let kind = match gen.rng.below(100) {
            0..=14 => "documentation",
            15..=24 => "research",
            _ => "code",
        };
        let targets: Vec<String> = (0..1 + gen.rng.below(2))
            .map(|_| gen.sources[gen.rng.below(gen.sources.len())].clone())
            .collect();
        let drift = match kind {
            "documentation" => Some((
                "tracks",
                vec![
                    format!("{}/*.rs", module_of(&targets[0])),
                    gen.docs[gen.rng.below(gen.docs.len())].clone(),
                ],
            )),
            "research" => Some((
                "informed_by",
                vec![gen.docs[gen.rng.below(gen.docs.len())].clone(), targets[0].clone()],
            )),
            _ => None,
        };
        let title = format!("{} the {} {}", gen.rng.pick(&VERBS), gen.rng.pick(&WORDS), gen.rng.pick(&WORDS));
        let why = (gen.rng.pick(&WORDS), gen.rng.pick(&WORDS));
        plans.push(SpecPlan {
            id: String::new(),
            kind,
            title,
            why,
            targets,
            drift,
            end,
            agent_commits: 1 + gen.rng.below(3),
            transcript: gen.rng.chance(300),
        });
    }
    let mut pipeline: usize = plans.iter().map(SpecPlan::budget).sum();
    let ordinary_total = shape.commits.saturating_sub(pipeline + 1).max(1);
    let long_chance = (1000 * shape.long_touches / ordinary_total).clamp(1, 1000);

    // The history: ordinary commits and the specs' lives, interleaved, at most three
    // runs at a time.
    let mut next_spec = 0;
    let mut to_start: Vec<usize> = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let mut open: Vec<Run> = Vec::new();
    let mut day = String::new();
    let mut seq = 0;
    while gen.count < shape.commits || pipeline > 0 {
        let left = shape.commits.saturating_sub(gen.count).max(1);
        let ordinary = pipeline == 0 || (left > pipeline && gen.rng.below(left) >= pipeline);
        if ordinary {
            gen.ordinary(long_chance)?;
            continue;
        }
        let can_start = !to_start.is_empty() && runs.len() < 3;
        if next_spec < plans.len()
            && (!can_start || gen.rng.chance(400))
            && (runs.is_empty() || gen.rng.chance(500))
        {
            let today = time::date(gen.at + gen.step);
            if today != day {
                day = today;
                seq = 0;
            }
            seq += 1;
            let id = format!("{day}-{}-{}", base36(seq, 3), base36(gen.rng.below(36 * 36 * 36), 3));
            plans[next_spec].id = id.clone();
            let text = lines_of(&plans[next_spec].text("pending", None));
            let template = if gen.rng.chance(100) { " (from template bug)" } else { "" };
            gen.on_main(&plans[next_spec].path(), text, &format!("chant: Add spec {id}{template}"))?;
            if plans[next_spec].end != End::Pending {
                to_start.push(next_spec);
            }
            next_spec += 1;
            pipeline -= 1;
        } else if can_start {
            let spec = to_start.remove(0);
            runs.push(gen.start(&plans[spec], spec)?);
            pipeline -= 1;
        } else if !runs.is_empty() {
            let k = gen.rng.below(runs.len());
            let mut run = runs.swap_remove(k);
            let done = gen.advance(&plans[run.spec], &mut run)?;
            pipeline -= 1;
            if done {
                let plan = &plans[run.spec];
                if plan.end != (End::Merged { keep: false }) {
                    gen.branches.push((format!("chant/{}", plan.id), run.tip));
                }
                if plan.end == End::InProgress {
                    open.push(run);
                }
            } else {
                runs.push(run);
            }
        } else {
            // Nothing can move (should not happen): stop planning.
            pipeline = 0;
        }
    }
    if !gen.count.is_multiple_of(gen.flush_every) {
        gen.flush()?;
    }
    let count = gen.count;
    let long_touches = gen.long_touches;
    let main = gen.main;
    let mut branches = std::mem::take(&mut gen.branches);
    drop(gen);

    // Refs: main, the spec branches, a stray one, a feature branch.
    branches.push(("main".into(), main));
    branches.push(("chant/2024-12-31-001-zzz".into(), main));
    branches.push(("feature/new-parser".into(), main));
    for (name, tip) in &branches {
        repo.reference(&format!("refs/heads/{name}"), *tip, true, "bench")?;
    }
    repo.set_head("refs/heads/main")?;
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;

    // Two open runs get a worktree (in a temporary folder next to the repository, as
    // chant puts them under /tmp); one has an uncommitted change. The main tree shows
    // the in-progress statuses, not committed (as chant leaves them).
    let tmp = base.join("tmp");
    std::fs::create_dir_all(&tmp).map_err(io)?;
    let mut worktrees = Vec::new();
    for run in open.iter().rev().take(2) {
        let plan = &plans[run.spec];
        let path = tmp.join(format!("chant-bench-{}", plan.id));
        let reference =
            repo.find_branch(&format!("chant/{}", plan.id), git2::BranchType::Local)?.into_reference();
        let mut wopts = git2::WorktreeAddOptions::new();
        wopts.reference(Some(&reference));
        repo.worktree(&plan.id, &path, Some(&wopts))?;
        worktrees.push(path);
    }
    if let Some(w) = worktrees.first() {
        let p = w.join(&plans[open[open.len() - 1].spec].targets[0]);
        let mut text = std::fs::read_to_string(&p).map_err(io)?;
        text.push_str("// work in progress\n");
        std::fs::write(&p, text).map_err(io)?;
    }
    for run in &open {
        let plan = &plans[run.spec];
        std::fs::write(root.join(plan.path()), plan.text("in_progress", None)).map_err(io)?;
    }
    let running = plans[open[open.len() - 1].spec].id.clone();
    // The completed spec hovered: merged, branch kept, drift inputs, the most commits.
    let completed = plans
        .iter()
        .filter(|p| p.end == End::Merged { keep: true } && p.drift.is_some())
        .max_by_key(|p| (p.agent_commits, p.transcript))
        .map(|p| p.id.clone())
        .unwrap_or_default();
    Ok(Manifest {
        commits: count,
        branches: branches.len(),
        long_file,
        long_touches,
        completed,
        running,
        worktrees,
    })
}

//! Editor features on fixture projects: `$0` marks the cursor.

mod support;

use chant_lsp::analysis::ide::actions::{LastRun, RunState};
use chant_lsp::analysis::ide::{completion, hints, hover, lenses, navigation, rename, symbols};
use expect_test::expect;
use support::{base, Cursor};

const BASE: &str = concat!(
    base!(),
    "\
//- .chant/prompts/split.md
Split
//- docs/design.md
# Design notes

Requests pass the limiter.
//- docs/other.md
x
//- .chant/specs/2026-01-02-001-bbb.md
---
status: pending
depends_on: [2026-01-01-001-aaa]
labels: [api, ui]
context: [docs/design.md]
---
# Wire the limiter

See [[2026-01-01-001-aaa]].

## Acceptance Criteria

- [ ] Add middleware
- [x] Test it
//- .chant/archive/2025-12-01/2025-12-01-001-old.md
---
status: completed
---
# Old work
"
);

fn with_base(extra: &str) -> Cursor {
    Cursor::parse(&format!("{BASE}{extra}"))
}

fn hover_at(extra: &str) -> String {
    let c = with_base(extra);
    c.with(|ws, facts, f, offset| {
        hover::hover(&ws.project, facts, f, offset).map(|h| h.markdown).unwrap_or_else(|| "(none)".into())
    })
}

#[test]
fn hovers() {
    let spec = |fm: &str| format!("//- .chant/specs/2026-01-03-001-ccc.md\n---\n{fm}---\n# C\n");
    expect![[r#"
        **Add the limiter**

        `2026-01-01-001-aaa` · completed · code

        completed

        2 specs depend on it

        `.chant/specs/2026-01-01-001-aaa.md`"#]]
    .assert_eq(&hover_at(&spec("depends_on: [2026-01-01-0$001-aaa]\n")));
    expect![[r#"
        **Wire the limiter**

        `2026-01-02-001-bbb` · pending · code

        ready

        1 spec depends on it

        `.chant/specs/2026-01-02-001-bbb.md`"#]]
    .assert_eq(&hover_at(&spec("depends_on: [2026-01-02-$0001-bbb]\n")));
    expect![[r#"
        **C**

        `2026-01-03-001-ccc` · pending · code

        blocked by `2025-12-01-001-old` (archived: chant never sees it), `2026-01-09-009-zzz` (no such spec)

        `.chant/specs/2026-01-03-001-ccc.md`"#]]
    .assert_eq(&hover_at(
        &spec("depends_on: [2025-12-01-001-old, 2026-01-09-009-zzz]\n").replace("# C", "# $0C"),
    ));
    expect!["No spec has the ID `2026-01-01-001-aab`. Similar: `2026-01-01-001-aaa`"]
        .assert_eq(&hover_at(&spec("depends_on: [2026-01-01-001-a$0ab]\n")));
    expect![[r#"
        `docs/design.md` · 43 bytes

        ```
        # Design notes
        Requests pass the limiter.
        ```"#]]
    .assert_eq(&hover_at(&spec("context: [docs/des$0ign.md]\n")));
    expect![[r#"
        glob `docs/*.md`: 2 matches

        - `docs/design.md`
        - `docs/other.md`"#]]
    .assert_eq(&hover_at(&spec("type: research\ninformed_by: [docs/*$0.md]\n")));
    expect!["`docs/nope.md` does not exist"].assert_eq(&hover_at(&spec("context: [docs/n$0ope.md]\n")));
    expect![[r#"
        **`status`**: `pending` | `in_progress` | `paused` | `completed` | `failed` | `needs_attention` | `ready` | `blocked` | `cancelled`

        Lifecycle state. chant computes `ready` and `blocked` itself; writing `ready` makes the spec unworkable."#]]
    .assert_eq(&hover_at(&spec("sta$0tus: pending\n")));
    expect![[r#"
        **`status: cancelled`**

        Dropped. The ready list counts it as satisfied for dependents, the `chant work` gate does not."#]]
    .assert_eq(&hover_at(&spec("status: cance$0lled\n")));
    expect![[r#"
        prompt **`standard`** (`.chant/prompts/standard.md`)

        ```markdown
        # Standard prompt
        Do the work.
        ```"#]]
    .assert_eq(&hover_at(&spec("prompt: stan$0dard\n")));
}

fn locations(ls: &[navigation::Location], c: &Cursor) -> String {
    ls.iter()
        .map(|l| match &l.range {
            Some(r) => c.pos(&l.path, r.start),
            None => l.path.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn definitions_and_references() {
    let c = with_base("//- .chant/specs/2026-01-03-001-ccc.md\n---\ndepends_on: [2026-01-01-001-aaa]\ncontext: [docs/design.md]\ntracks: [docs/*.md]\n---\n# C\n\nAfter 2026-01-0$01-001-aaa.\n");
    let defs = c.with(|ws, facts, f, o| navigation::definition(&ws.project, facts, f, o));
    expect![".chant/specs/2026-01-01-001-aaa.md:6:1"].assert_eq(&locations(&defs, &c));
    let refs = c.with(|ws, _, f, o| navigation::references(&ws.project, f, o, true));
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:6:1
        .chant/specs/2026-01-02-001-bbb.md:3:14
        .chant/specs/2026-01-02-001-bbb.md:9:7
        .chant/specs/2026-01-03-001-ccc.md:2:14
        .chant/specs/2026-01-03-001-ccc.md:8:7"#]]
    .assert_eq(&locations(&refs, &c));

    let c = with_base("//- .chant/specs/2026-01-03-001-ccc.md\n---\ncontext: [docs/de$0sign.md]\ntracks: [docs/*.md]\n---\n# C\n");
    let defs = c.with(|ws, facts, f, o| navigation::definition(&ws.project, facts, f, o));
    expect!["docs/design.md"].assert_eq(&locations(&defs, &c));
    let refs = c.with(|ws, _, f, o| navigation::references(&ws.project, f, o, false));
    expect![[r#"
        .chant/specs/2026-01-02-001-bbb.md:5:11
        .chant/specs/2026-01-03-001-ccc.md:2:11
        .chant/specs/2026-01-03-001-ccc.md:3:10"#]]
    .assert_eq(&locations(&refs, &c));

    let c = with_base("//- .chant/specs/2026-01-03-001-ccc.md\n---\ntracks: [docs/*$0.md]\n---\n# C\n");
    let defs = c.with(|ws, facts, f, o| navigation::definition(&ws.project, facts, f, o));
    expect![[r#"
        docs/design.md
        docs/other.md"#]]
    .assert_eq(&locations(&defs, &c));

    // A member's title goes to its driver.
    let c = with_base("//- .chant/specs/2026-01-04-001-drv.md\n---\ntype: group\n---\n# Driver\n//- .chant/specs/2026-01-04-001-drv.1.md\n---\n---\n# Mem$0ber\n");
    let defs = c.with(|ws, facts, f, o| navigation::definition(&ws.project, facts, f, o));
    expect![".chant/specs/2026-01-04-001-drv.md:4:1"].assert_eq(&locations(&defs, &c));
}

#[test]
fn document_links() {
    let c = with_base("//- .chant/specs/2026-01-03-001-ccc.md\n---\ndepends_on: [2026-01-01-001-aaa, nope, 2025-12-01-001-old]\ncontext: [docs/design.md, docs/missing.md]\n---\n# C$0\n\n[[2026-01-02-001-bbb]]\n");
    let links = c.with(|ws, facts, f, _| navigation::document_links(&ws.project, facts, f));
    let text = links
        .iter()
        .map(|l| format!("{} -> {} ({})", c.pos(&c.path, l.range.start), l.target, l.tooltip))
        .collect::<Vec<_>>()
        .join("\n");
    expect![[r#"
        .chant/specs/2026-01-03-001-ccc.md:2:14 -> .chant/specs/2026-01-01-001-aaa.md (Add the limiter (completed))
        .chant/specs/2026-01-03-001-ccc.md:2:40 -> .chant/archive/2025-12-01/2025-12-01-001-old.md (Old work (completed))
        .chant/specs/2026-01-03-001-ccc.md:3:11 -> docs/design.md (open docs/design.md)
        .chant/specs/2026-01-03-001-ccc.md:7:3 -> .chant/specs/2026-01-02-001-bbb.md (Wire the limiter (pending))"#]]
    .assert_eq(&text);
}

fn complete(extra: &str) -> String {
    let c = with_base(extra);
    c.with(|ws, facts, f, o| {
        let r = completion::complete(&ws.project, facts, f, o);
        let mut out: Vec<String> = r
            .items
            .iter()
            .map(|i| {
                format!(
                    "{} [{}] {:?} @{}..{}",
                    i.label,
                    i.detail.clone().unwrap_or_default(),
                    i.insert,
                    i.replace.start,
                    i.replace.end
                )
            })
            .collect();
        if r.incomplete {
            out.push("(incomplete)".into());
        }
        out.join("\n")
    })
}

#[test]
fn completions() {
    // Spec IDs: never the spec itself, one already listed, or one that would close a cycle.
    let got = complete("//- .chant/specs/2026-01-03-001-ccc.md\n---\ndepends_on:\n- 2026-01-02-001-bbb\n- $0\n---\n# C\n//- .chant/specs/2026-01-04-001-ddd.md\n---\ndepends_on: [2026-01-03-001-ccc]\n---\n# D depends on C\n");
    expect![[r#"2026-01-01-001-aaa [Add the limiter (completed)] "2026-01-01-001-aaa" @39..39"#]]
        .assert_eq(&got);
    // By title words.
    let got = complete("//- .chant/specs/2026-01-03-001-ccc.md\n---\ndepends_on: [wire$0]\n---\n# C\n");
    expect![[r#"2026-01-02-001-bbb [Wire the limiter (pending)] "2026-01-02-001-bbb" @17..21"#]]
        .assert_eq(&got);
    // Enum values.
    let got = complete("//- .chant/specs/2026-01-03-001-ccc.md\n---\ntype: re$0\n---\n# C\n");
    expect![[r#"
        code [] "code" @10..12
        task [] "task" @10..12
        driver [] "driver" @10..12
        documentation [] "documentation" @10..12
        research [] "research" @10..12
        group [] "group" @10..12"#]]
    .assert_eq(&got);
    // Keys: absent ones sort first.
    let got = complete("//- .chant/specs/2026-01-03-001-ccc.md\n---\nstatus: pending\ntarg$0\n---\n# C\n");
    expect![[r#"
        target_files [list of project-relative paths (no globs)] "target_files: " @20..24
        target_branch [branch name] "target_branch: " @20..24"#]]
    .assert_eq(&got);
    // Paths, one directory at a time.
    let got = complete("//- .chant/specs/2026-01-03-001-ccc.md\n---\ncontext:\n- docs/$0\n---\n# C\n");
    expect![[r#"
        design.md [] "docs/design.md" @15..20
        other.md [] "docs/other.md" @15..20"#]]
    .assert_eq(&got);
    // Prompts and labels.
    let got = complete("//- .chant/specs/2026-01-03-001-ccc.md\n---\nprompt: $0\n---\n# C\n");
    expect![[r#"
        split [] "split" @12..12
        standard [the default prompt] "standard" @12..12"#]]
    .assert_eq(&got);
    let got = complete("//- .chant/specs/2026-01-03-001-ccc.md\n---\nlabels: [$0]\n---\n# C\n");
    expect![[r#"
        api [used by 2 specs] "api" @13..13
        ui [used by 1 spec] "ui" @13..13"#]]
    .assert_eq(&got);
    // `[[` in the body closes the link.
    let got = complete("//- .chant/specs/2026-01-03-001-ccc.md\n---\n---\n# C\n\nSee [[2026-01-01$0\n");
    expect![[r#"2026-01-01-001-aaa [Add the limiter (completed)] "2026-01-01-001-aaa]]" @19..29"#]]
        .assert_eq(&got);
}

#[test]
fn outline_and_folding() {
    let c = with_base("//- .chant/specs/2026-01-03-001-ccc.md\n---\nstatus: pending\nlabels: [a]\n---\n# Title$0\n\nIntro.\n\n```bash\n# not a heading\n```\n\n## Acceptance Criteria\n\n- [ ] Add one\n- [x] Test two\n  - [ ] nested\n\n### Notes\n\ntext\n\n## Other\n");
    let out = c.with(|_, _, f, _| symbols::outline(f));
    fn render(c: &Cursor, s: &[symbols::Symbol], depth: usize, out: &mut String) {
        for x in s {
            out.push_str(&format!(
                "{}{} {:?} {}\n",
                "  ".repeat(depth),
                x.name,
                x.kind,
                c.pos(&c.path, x.selection.start)
            ));
            render(c, &x.children, depth + 1, out);
        }
    }
    let mut text = String::new();
    render(&c, &out, 0, &mut text);
    expect![[r#"
        frontmatter Frontmatter .chant/specs/2026-01-03-001-ccc.md:1:1
          status Key .chant/specs/2026-01-03-001-ccc.md:2:1
          labels Key .chant/specs/2026-01-03-001-ccc.md:3:1
        Title Section .chant/specs/2026-01-03-001-ccc.md:5:1
          Acceptance Criteria Section .chant/specs/2026-01-03-001-ccc.md:13:1
            ☐ Add one Criterion { checked: false } .chant/specs/2026-01-03-001-ccc.md:15:7
            ☑ Test two Criterion { checked: true } .chant/specs/2026-01-03-001-ccc.md:16:7
              ☐ nested Criterion { checked: false } .chant/specs/2026-01-03-001-ccc.md:17:9
            Notes Section .chant/specs/2026-01-03-001-ccc.md:19:1
          Other Section .chant/specs/2026-01-03-001-ccc.md:23:1
    "#]]
    .assert_eq(&text);
    let folds = c.with(|_, _, f, _| symbols::folding(f));
    let text = folds
        .iter()
        .map(|fo| format!("{:?} {}", fo.kind, c.pos(&c.path, fo.range.start)))
        .collect::<Vec<_>>()
        .join("\n");
    expect![[r#"
        Frontmatter .chant/specs/2026-01-03-001-ccc.md:1:1
        Section .chant/specs/2026-01-03-001-ccc.md:5:1
        Code .chant/specs/2026-01-03-001-ccc.md:9:1
        Section .chant/specs/2026-01-03-001-ccc.md:13:1
        Section .chant/specs/2026-01-03-001-ccc.md:19:1
        Section .chant/specs/2026-01-03-001-ccc.md:23:1"#]]
    .assert_eq(&text);
    let syms = c.with(|ws, _, _, _| symbols::workspace_symbols(&ws.project, "limiter", 10));
    let text =
        syms.iter().map(|s| format!("{} {} ({})", s.id, s.title, s.status)).collect::<Vec<_>>().join("\n");
    expect![[r#"
        2026-01-02-001-bbb Wire the limiter (pending)
        2026-01-01-001-aaa Add the limiter (completed)"#]]
    .assert_eq(&text);
}

#[test]
fn inlay_hints_and_lenses() {
    let c = with_base("//- .chant/specs/2026-01-03-001-ccc.md\n---\ndepends_on: [2026-01-02-001-bbb, 2025-12-01-001-old, nope]\n---\n# C$0\n");
    let hs = c.with(|ws, _, f, _| hints::inlay_hints(&ws.project, f, 0..f.text.len()));
    let text =
        hs.iter().map(|h| format!("{} {}", c.pos(&c.path, h.at), h.label)).collect::<Vec<_>>().join("\n");
    expect![[r#"
        .chant/specs/2026-01-03-001-ccc.md:2:32 Wire the limiter (pending)
        .chant/specs/2026-01-03-001-ccc.md:2:52 Old work (completed, archived)"#]]
    .assert_eq(&text);
    let render = |run: &RunState| {
        let ls = c.with(|ws, _, f, _| lenses::lenses(ws, f, run));
        let call = |l: &lenses::Lens| match &l.call {
            None => String::new(),
            Some(call) => format!("  -> {} {:?}", call.command.name(), call.args),
        };
        ls.iter().map(|l| format!("{}{}", l.title, call(l))).collect::<Vec<_>>().join("\n")
    };
    expect![[r#"
        ▶ Run (not now: chant work's lint fails: archived-dependency, unknown-depen…)  -> chant.explain Reason("chant work's lint fails: archived-dependency, unknown-dependency")
        pending · blocked by `2026-01-02-001-bbb` (pending), `2025-12-01-001-old` (archived: chant never sees it), `nope` (no such spec)
        0 dependents"#]].assert_eq(&render(&RunState::default()));
    expect![[r#"
        Running… ■ Stop  -> chant.stop Spec(RunFlags { skip_criteria: false, skip_deps: false, skip_approval: false })
        pending · blocked by `2026-01-02-001-bbb` (pending), `2025-12-01-001-old` (archived: chant never sees it), `nope` (no such spec)
        0 dependents"#]].assert_eq(&render(&RunState { running_here: true, running_for: 3, ..RunState::default() }));
    expect![[r#"
        Running elsewhere (pid 42)
        pending · blocked by `2026-01-02-001-bbb` (pending), `2025-12-01-001-old` (archived: chant never sees it), `nope` (no such spec)
        0 dependents"#]].assert_eq(&render(&RunState { running_elsewhere: Some(42), ..RunState::default() }));
    let last =
        Some(LastRun { ok: false, summary: "failed (exit 1) after 2s; the spec is now failed".into() });
    expect![[r#"
        ▶ Run (not now: chant work's lint fails: archived-dependency, unknown-depen…)  -> chant.explain Reason("chant work's lint fails: archived-dependency, unknown-dependency")
        ✗ Last run: failed (exit 1) after 2s; the spec is now failed  -> chant.showLog Spec(RunFlags { skip_criteria: false, skip_deps: false, skip_approval: false })
        pending · blocked by `2026-01-02-001-bbb` (pending), `2025-12-01-001-old` (archived: chant never sees it), `nope` (no such spec)
        0 dependents"#]].assert_eq(&render(&RunState { last, has_log: true, ..RunState::default() }));
}

/// The run lens of a spec chant would run now, and of one it has finished.
#[test]
fn run_lenses() {
    let c = with_base(
        "//- .chant/prompts/bootstrap.md\nP\n//- .chant/specs/2026-01-03-001-ccc.md\n---\ndepends_on: [2026-01-01-001-aaa]\n---\n# Ready to go$0\n\nSay what to do in enough words for the quality gate to pass it.\n\n## Acceptance Criteria\n\n- [ ] It works\n- [ ] It is tested\n",
    );
    let titles = |run: &RunState| {
        let ls = c.with(|ws, _, f, _| lenses::lenses(ws, f, run));
        ls.iter().map(|l| format!("{} {:?}", l.title, l.call)).collect::<Vec<_>>().join("\n")
    };
    expect![[r#"
        ▶ Run Some(Call { command: Run, args: Spec(RunFlags { skip_criteria: false, skip_deps: false, skip_approval: false }) })
        pending · ready None
        0 dependents None"#]].assert_eq(&titles(&RunState::default()));
    expect![[r#"
        ▶ Run (not now: not a git repository) Some(Call { command: Explain, args: Reason("not a git repository") })
        pending · ready None
        0 dependents None"#]].assert_eq(&titles(&RunState { git_problem: Some("not a git repository".into()), ..RunState::default() }));
    let done = with_base("//- .chant/specs/2026-01-03-001-ccc.md\n---\nstatus: completed\n---\n# Done$0\n");
    let ls = done.with(|ws, _, f, _| lenses::lenses(ws, f, &RunState::default()));
    expect![[r#"
        completed
        0 dependents"#]]
    .assert_eq(&ls.iter().map(|l| l.title.clone()).collect::<Vec<_>>().join("\n"));
}

#[test]
fn renames() {
    let c = with_base("//- .chant/specs/2026-01-01-001-aaa.1.md\n---\n---\n# Member$0\n//- .chant/specs/2026-01-03-001-ccc.md\n---\ndepends_on: ['2026-01-01-001-aaa', 2026-01-01-001-aaa.1]\ninformed_by: [.chant/specs/2026-01-01-001-aaa.md, ./.chant/specs/2026-01-01-001-aaa.1.md]\n---\n# C\n");
    let plan =
        c.with(|ws, _, _, _| rename::rename_spec(&ws.project, "2026-01-01-001-aaa", "2026-01-01-001-lim"));
    let plan = plan.expect("valid rename");
    let mut text: Vec<String> = plan.moves.iter().map(|(a, b)| format!("move {a} -> {b}")).collect();
    text.extend(
        plan.edits.iter().map(|e| format!("{} {} -> {}", c.pos(&e.path, e.range.start), e.find, e.with)),
    );
    expect![[r#"
        move .chant/specs/2026-01-01-001-aaa.md -> .chant/specs/2026-01-01-001-lim.md
        move .chant/specs/2026-01-01-001-aaa.1.md -> .chant/specs/2026-01-01-001-lim.1.md
        .chant/specs/2026-01-02-001-bbb.md:3:14 2026-01-01-001-aaa -> 2026-01-01-001-lim
        .chant/specs/2026-01-02-001-bbb.md:9:7 2026-01-01-001-aaa -> 2026-01-01-001-lim
        .chant/specs/2026-01-03-001-ccc.md:2:14 2026-01-01-001-aaa -> 2026-01-01-001-lim
        .chant/specs/2026-01-03-001-ccc.md:2:36 2026-01-01-001-aaa.1 -> 2026-01-01-001-lim.1
        .chant/specs/2026-01-03-001-ccc.md:3:15 .chant/specs/2026-01-01-001-aaa.md -> .chant/specs/2026-01-01-001-lim.md
        .chant/specs/2026-01-03-001-ccc.md:3:51 ./.chant/specs/2026-01-01-001-aaa.1.md -> .chant/specs/2026-01-01-001-lim.1.md"#]]
    .assert_eq(&text.join("\n"));
    let err =
        c.with(|ws, _, _, _| rename::rename_spec(&ws.project, "2026-01-01-001-aaa", "2026-01-02-001-bbb"));
    expect![[r#"Err("a spec with the ID `2026-01-02-001-bbb` already exists")"#]]
        .assert_eq(&format!("{err:?}"));
    let edits = c.with(|ws, _, _, _| {
        rename::moved_files(
            &ws.project,
            &[
                ("docs".to_string(), "notes".to_string()),
                ("src/limiter.rs".to_string(), "src/limit.rs".to_string()),
            ],
        )
    });
    let text = edits
        .iter()
        .map(|e| format!("{} {} -> {}", c.pos(&e.path, e.range.start), e.find, e.with))
        .collect::<Vec<_>>()
        .join("\n");
    expect![[r#"
        .chant/specs/2026-01-02-001-bbb.md:5:11 docs/design.md -> notes/design.md
        .chant/specs/2026-01-01-001-aaa.md:4:16 src/limiter.rs -> src/limit.rs"#]]
    .assert_eq(&text);
}

/// A source file's specs: running first, then specs that change it, then specs that
/// read it (globs as chant expands them), archived last; open work before finished.
#[test]
fn source_file_specs_and_lenses() {
    use chant_lsp::analysis::ide::sources;
    let fixture = support::Fixture::parse(concat!(
        base!(),
        "\
//- src/store.rs
fn store() {}
//- .chant/specs/2026-03-01-001-aaa.md
---
status: completed
target_files: [src/store.rs]
---
# Rewrite the store
//- .chant/specs/2026-03-01-002-bbb.md
---
status: pending
target_files: [src/store.rs, src/other.rs]
---
# Shard the store
//- .chant/specs/2026-03-01-003-ccc.md
---
status: in_progress
informed_by: [src/*.rs]
tracks: [src/store.rs]
---
# Audit sources
//- .chant/specs/2026-03-01-004-ddd.md
---
status: pending
origin: [src/stor?.rs]
---
# Read by a pattern
//- .chant/specs/2026-03-01-005-eee.md
---
status: pending
tracks: [src/**/*.py, src/store.rs.bak]
context: [src/store.rs]
---
# Not a match: context is no source field
//- .chant/archive/2026-01-01/2026-01-01-009-zzz.md
---
status: completed
target_files: [src/store.rs]
---
# Archived
"
    ));
    let (ws, _) = fixture.workspace(true);
    let running = |id: &str| id == "2026-03-01-004-ddd";
    let specs = sources::specs_of(&ws.project, "src/store.rs", true, &running);
    let got: Vec<String> =
        sources::lenses(&specs).into_iter().map(|l| format!("{} -> {:?}", l.title, l.spec)).collect();
    expect![[r#"
        [
            "● read by 004-ddd · Read by a pattern · running now -> Some(\".chant/specs/2026-03-01-004-ddd.md\")",
            "○ changed by 002-bbb · Shard the store · pending -> Some(\".chant/specs/2026-03-01-002-bbb.md\")",
            "✓ changed by 001-aaa · Rewrite the store · completed -> Some(\".chant/specs/2026-03-01-001-aaa.md\")",
            "◐ read by 003-ccc · Audit sources · in progress -> Some(\".chant/specs/2026-03-01-003-ccc.md\")",
            "+1 more spec (Find References on line 1) -> None",
        ]
    "#]]
    .assert_debug_eq(&got);
    assert_eq!(specs[3].fields, ["informed_by", "tracks"]);
    assert_eq!(specs[4].id, "2026-01-01-009-zzz");
    let without_archived = sources::specs_of(&ws.project, "src/store.rs", false, &running);
    assert_eq!(without_archived.len(), 4);
    assert!(sources::specs_of(&ws.project, "lib/nothing.rs", true, &running).is_empty());
    assert!(sources::lenses(&[]).is_empty());
}

/// A completion replaces text on the cursor's line only, and around the cursor: a lone
/// CR ends a line for the editor (and for YAML), so a value after it is not the value
/// of the key before it (found by the `spec` fuzz target).
#[test]
fn completion_ranges_stay_on_the_cursor_line() {
    for spec in [
        "---\r\nstatus: pending\r-$0--\r# T",
        "---\nstatus: pending\r$0\n---\n# T\n",
        "---\rdepends_on: [2026-01\r$0]\r---\r# T\r",
        "---\ndepends_on:\r- $0\n---\n# T\n",
        "---\n---\n# T\r\rSee [[2026$0\n",
    ] {
        let c = with_base(&format!("//- .chant/specs/2026-01-03-001-ccc.md\n{spec}"));
        let text = &c.fixture.files[&c.path];
        let items = c.with(|ws, facts, f, o| completion::complete(&ws.project, facts, f, o).items);
        for i in items {
            let r = i.replace.clone();
            assert!(r.start <= c.offset && c.offset <= r.end, "{spec:?}: `{}` replaces {r:?}", i.label);
            assert!(
                !text[r.clone()].contains(['\n', '\r']),
                "{spec:?}: `{}` replaces {r:?} across lines",
                i.label
            );
        }
    }
}

//! Data-driven tests for every diagnostic rule: each fixture is a small project in one
//! string, and the expectation lists every diagnostic with the text it covers. Cases
//! that must *not* fire sit in the same fixtures.

mod support;

use expect_test::expect;
use support::{check, check_codes};

/// A config with a prompt that exists, so specs are not flagged for it.
const BASE: &str = "\
//- .chant/config.md
---
project:
  name: t
defaults:
  prompt: standard
---
//- .chant/prompts/standard.md
# Standard prompt
";

/// A spec body that passes every lint rule.
const GOOD_BODY: &str = "# A good title

## Acceptance Criteria

- [ ] Implement the thing
- [ ] Test the thing
";

fn with_base(rest: &str) -> String {
    format!("{BASE}{rest}")
}

fn spec(id: &str, frontmatter: &str) -> String {
    format!("//- .chant/specs/{id}.md\n---\n{frontmatter}---\n{GOOD_BODY}")
}

#[test]
fn a_clean_project_has_no_findings() {
    let fixture = with_base(&format!(
        "{}{}//- src/a.rs\nfn main() {{}}\n",
        spec("2026-01-01-001-aaa", "type: code\nstatus: completed\ntarget_files:\n- src/a.rs\n"),
        spec("2026-01-01-002-bbb", "status: pending\ndepends_on: 2026-01-01-001-aaa\nlabels: [1, true, \"x y\"]\ntarget_files: [src/b.rs]\n"),
    ));
    expect![[r#""#]].assert_eq(&check(&fixture));
}

#[test]
fn chant_cannot_split_the_file() {
    let fixture = with_base(
        "//- .chant/specs/2026-01-01-001-bom.md
\u{feff}---
status: completed
---
# BOM spec
//- .chant/specs/2026-01-01-002-unc.md
---
status: completed
depends_on: [2026-01-01-001-bom]

# Unclosed
//- .chant/specs/2026-01-01-003-das.md
---
labels: [a---b]
status: pending
---
# Dashes
//- .chant/specs/2026-01-01-004-non.md
# No frontmatter at all
//- .chant/specs/2026-01-01-005-emp.md
//- .chant/specs/2026-01-01-006-crl.md
---\r
status: completed\r
---\r
# CRLF is fine\r
//- .chant/specs/2026-01-01-007-fmo.md
---
status: completed
---
",
    );
    expect![[r#"
        .chant/specs/2026-01-01-001-bom.md:1:1 error bom `\u{feff}---`: the file starts with a byte order mark (U+FEFF): chant needs `---` as the very first character, so it ignores this frontmatter and reads the spec as `type: code`, `status: pending` with no dependencies; save the file as UTF-8 without a BOM
        .chant/specs/2026-01-01-002-unc.md:1:1 error unclosed-frontmatter `---`: the frontmatter is never closed: chant finds no second `---`, so it reads no frontmatter at all (`type: code`, `status: pending`, no dependencies); add a `---` line after line 3
        .chant/specs/2026-01-01-003-das.md:2:11 error dashes-in-frontmatter `---`: chant ends the frontmatter at this `---`: it looks for the text `---` anywhere, not for a `---` line, so the rest of the YAML becomes body text; reword the value without three dashes
            = .chant/specs/2026-01-01-003-das.md:4:1 the closing fence you meant
        .chant/specs/2026-01-01-004-non.md:1:1 warning no-frontmatter `# No frontmatter at all`: no frontmatter: chant reads this spec as `type: code`, `status: pending` with no dependencies; start the file with a `---` block
        .chant/specs/2026-01-01-004-non.md:1:1 info needs-refinement `# No frontmatter at all`: chant grades this spec Refine (confidence D (mostly prose, few bullets), no acceptance criteria): `chant work` without a terminal (editors, CI) refuses it unless given --skip-criteria; add imperative `- [ ]` acceptance criteria
        .chant/specs/2026-01-01-005-emp.md:1:1 warning no-frontmatter ``: no frontmatter: chant reads this spec as `type: code`, `status: pending` with no dependencies; start the file with a `---` block
        .chant/specs/2026-01-01-005-emp.md:1:1 error missing-title ``: missing title: `chant lint` fails and `chant work` refuses this spec; add a `# Title` line after the frontmatter
        .chant/specs/2026-01-01-005-emp.md:1:1 info needs-refinement ``: chant grades this spec Refine (confidence D (mostly prose, few bullets), no acceptance criteria): `chant work` without a terminal (editors, CI) refuses it unless given --skip-criteria; add imperative `- [ ]` acceptance criteria
        .chant/specs/2026-01-01-007-fmo.md:3:1 error missing-title `---`: missing title: `chant lint` fails and `chant work` refuses this spec; add a `# Title` line after the frontmatter
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn yaml_and_schema_errors_land_on_the_value() {
    let fixture = with_base(
        "//- .chant/specs/2026-01-01-001-aaa.md
---
type: conflict
status: In-Progress
verification_status: ok
labels: ui
public: yes
replay_count: \"3\"
approval:
  required: true
  status: granted
retry_state:
  attempts: 1
prompt: standard
---
# T
//- .chant/specs/2026-01-01-002-bbb.md
---
status:
type: code
---
# Empty status
//- .chant/specs/2026-01-01-003-ccc.md
---
status: pending
target_files: [src/a.rs, src/b.rs
labels: [x]
---
# Syntax
//- .chant/specs/2026-01-01-004-ddd.md
---
status: pending
type: code
status: completed
team: a
team: b
---
# Duplicates
",
    );
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:2:7 error invalid-value `conflict`: unknown type `conflict`: chant cannot read this spec; allowed: `code`, `task`, `driver`, `documentation`, `research`, `group`; chant writes `type: conflict` itself for merge-conflict specs but cannot read it back
        .chant/specs/2026-01-01-001-aaa.md:3:9 error invalid-value `In-Progress`: unknown status `In-Progress` (did you mean `in_progress`?): chant cannot read this spec; allowed: `pending`, `in_progress`, `paused`, `completed`, `failed`, `needs_attention`, `ready`, `blocked`, `cancelled`
        .chant/specs/2026-01-01-001-aaa.md:4:22 error invalid-value `ok`: unknown verification_status `ok`: chant cannot read this spec; allowed: `passed`, `failed`, `partial`
        .chant/specs/2026-01-01-001-aaa.md:5:9 error wrong-shape `ui`: `labels` must be a list (e.g. `[a, b]` or `- a` lines), found string "ui" (only `depends_on` accepts a single value): chant cannot read this spec
        .chant/specs/2026-01-01-001-aaa.md:6:9 error wrong-shape `yes`: `public` must be `true` or `false` (YAML 1.2: `yes`/`no` are strings), found string "yes": chant cannot read this spec
        .chant/specs/2026-01-01-001-aaa.md:7:15 error wrong-shape `\"3\"`: `replay_count` must be a non-negative whole number, found string "3": chant cannot read this spec
        .chant/specs/2026-01-01-001-aaa.md:10:11 error invalid-value `granted`: unknown approval.status `granted`: chant cannot read this spec; allowed: `pending`, `approved`, `rejected`
        .chant/specs/2026-01-01-001-aaa.md:12:3 error wrong-shape `attempts: 1`: `retry_state` needs `last_retry_time`: chant cannot read this spec
        .chant/specs/2026-01-01-002-bbb.md:2:1 error invalid-value `status`: `status` is empty: chant cannot read this spec; write one of `pending`, `in_progress`, `paused`, `completed`, `failed`, `needs_attention`, `ready`, `blocked`, `cancelled`
        .chant/specs/2026-01-01-003-ccc.md:3:33 error yaml-syntax `s`: chant cannot read this spec: did not find expected ',' or ']', while parsing a flow sequence
        .chant/specs/2026-01-01-004-ddd.md:4:1 error duplicate-key `status`: `status` appears twice: chant cannot read this spec; keep one of them
            = .chant/specs/2026-01-01-004-ddd.md:2:1 first occurrence
        .chant/specs/2026-01-01-004-ddd.md:5:1 warning unknown-key `team`: unknown key `team`: chant ignores it and deletes it the next time it saves this spec; move this information into the body
        .chant/specs/2026-01-01-004-ddd.md:6:1 warning duplicate-key `team`: `team` appears twice (chant ignores this key anyway)
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn unknown_keys_with_suggestions() {
    let fixture = with_base(&format!(
        "{}//- .chant/config.md\n---\ndefaults:\n  prompt: standard\nenterprise:\n  required: [team]\n---\n",
        spec(
            "2026-01-01-001-aaa",
            "id: 2026-01-01-001-aaa\ntitle: Nope\ncommit: abc123\nlables: [x]\ntarget_file: [a]\nteam: platform\napproval:\n  required: false\n  approver: me\n",
        ),
    ));
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:2:1 warning unknown-key `id`: unknown key `id`: chant ignores it and deletes it the next time it saves this spec; chant takes the ID from the file name (`2026-01-01-001-aaa`), not from the frontmatter
        .chant/specs/2026-01-01-001-aaa.md:3:1 warning unknown-key `title`: unknown key `title`: chant ignores it and deletes it the next time it saves this spec; the title is the first `# ` line of the body
        .chant/specs/2026-01-01-001-aaa.md:4:1 warning unknown-key `commit`: unknown key `commit`: chant ignores it and deletes it the next time it saves this spec; did you mean `commits` (a list)?
        .chant/specs/2026-01-01-001-aaa.md:5:1 warning unknown-key `lables`: unknown key `lables`: chant ignores it and deletes it the next time it saves this spec; did you mean `labels`?
        .chant/specs/2026-01-01-001-aaa.md:6:1 warning unknown-key `target_file`: unknown key `target_file`: chant ignores it and deletes it the next time it saves this spec; did you mean `target_files`?
        .chant/specs/2026-01-01-001-aaa.md:7:1 warning unknown-key `team`: unknown key `team`: chant ignores it and deletes it the next time it saves this spec; `enterprise.required` lists it, but chant's required-field check only knows built-in keys: `chant lint` reports it missing even though it is here
        .chant/specs/2026-01-01-001-aaa.md:7:1 error missing-required-field `team`: `chant lint` reports required field `team` missing although it is here: chant's check only knows its built-in fields, so `team` can never pass; remove it from `enterprise.required`
            = .chant/config.md:5:13 enterprise.required
        .chant/specs/2026-01-01-001-aaa.md:10:3 warning unknown-key `approver`: unknown key `approval.approver`: chant ignores it; `approval` takes required, status, by, at
    "#]].assert_eq(&check_codes(&fixture, &["unknown-key", "missing-required-field"]));
}

#[test]
fn file_links() {
    let fixture = with_base(&format!(
        "{}{}{}//- docs/a.md\n# A\n//- docs/sub/b.md\nB\n//- src/x.rs\n\n//- schemas/out.json\n{{\"type\": \"object\"}}\n",
        spec(
            "2026-01-01-001-aaa",
            "type: research\nstatus: pending\ninformed_by:\n- docs/a.md\n- docs/missing.md\n- docs/**/*.md\n- notes/*.txt\n- /etc/passwd\n- ../outside.md\n- \"`docs/a.md`\"\n- https://example.com/spec\norigin: [docs/sub]\ntarget_files:\n- docs/out.md\ncontext:\n- derived_team=platform\n- docs\n- src/*.rs\n- docs/nope.md\n- the design doc from last week\noutput_schema: schemas/missing.json\ntracks: [src/x.rs]\nconflicting_files: [whatever.rs]\n",
        ),
        spec(
            "2026-01-01-002-bbb",
            "status: completed\ntarget_files:\n- src/x.rs\n- src/gone.rs\noutput_schema: schemas/gone.json\n",
        ),
        spec("2026-01-01-003-ccc", "status: pending\ntarget_files:\n- src/new.rs\noutput_schema: schemas/out.json\n"),
    ));
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:6:3 warning missing-file `docs/missing.md`: `docs/missing.md` does not exist: the research has no input and `chant drift` cannot check it; create it or fix the path
        .chant/specs/2026-01-01-001-aaa.md:8:3 warning no-glob-match `notes/*.txt`: `notes/*.txt` matches no file: `chant drift` has nothing to compare for `informed_by`; fix the pattern
        .chant/specs/2026-01-01-001-aaa.md:9:3 error absolute-path `/etc/passwd`: `/etc/passwd` is absolute: chant resolves `informed_by` from the project root and agents run in a worktree where this path does not exist; write it relative to the project root
        .chant/specs/2026-01-01-001-aaa.md:10:3 error path-outside-project `../outside.md`: `../outside.md` leaves the project: agent worktrees contain only this repository; link a file inside it
        .chant/specs/2026-01-01-001-aaa.md:11:3 warning not-a-path `\"`docs/a.md`\"`: `informed_by` entry is not a path (backticks are part of the name to chant); keep plain project-relative paths here and put prose in the body
        .chant/specs/2026-01-01-001-aaa.md:12:3 warning not-a-path `https://example.com/spec`: `informed_by` entry is not a path (a URL: chant reads local files only); keep plain project-relative paths here and put prose in the body
        .chant/specs/2026-01-01-001-aaa.md:18:3 warning not-a-file `docs`: `docs` is a directory: chant reads `context` entries as files and skips this one; list the files inside it
        .chant/specs/2026-01-01-001-aaa.md:19:3 warning glob-not-supported `src/*.rs`: chant reads `context` entries literally (no globs), so it looks for a file named `src/*.rs`; list the files one by one
        .chant/specs/2026-01-01-001-aaa.md:20:3 warning missing-file `docs/nope.md`: `docs/nope.md` does not exist: chant silently leaves it out of the agent's prompt; create it or fix the path
        .chant/specs/2026-01-01-001-aaa.md:21:3 warning not-a-path `the design doc from last week`: `context` entry looks like prose, not a path; put descriptions in the body
        .chant/specs/2026-01-01-001-aaa.md:22:16 warning missing-file `schemas/missing.json`: output schema `schemas/missing.json` does not exist: the run cannot describe the expected output and its result cannot be validated
        .chant/specs/2026-01-01-002-bbb.md:5:3 warning missing-target-file `src/gone.rs`: `src/gone.rs` does not exist, but this spec is completed: was the file renamed or deleted? Update `target_files`
        .chant/specs/2026-01-01-002-bbb.md:6:16 error output-schema-missing `schemas/gone.json`: output schema `schemas/gone.json` not found: `chant lint` fails for this completed spec (O1)
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn output_schema_validation_for_completed_specs() {
    let fixture = with_base(&format!(
        "{}{}{}{}//- schemas/r.json\n{}\n//- schemas/bad.json\n{{\"type\": 12}}\n//- .chant/logs/2026-01-01-001-aaa.log\n# Agent Log\n```json\n{{\"findings\": []}}\n```\n//- .chant/logs/2026-01-01-002-bbb.log\nresult: {{\"findings\": 3}}\n//- .chant/logs/2026-01-01-003-ccc.log\nno json here\n//- .chant/logs/2026-01-01-004-ddd.log\n{{}}\n",
        spec("2026-01-01-001-aaa", "status: completed\noutput_schema: schemas/r.json\n"),
        spec("2026-01-01-002-bbb", "status: completed\noutput_schema: schemas/r.json\n"),
        spec("2026-01-01-003-ccc", "status: completed\noutput_schema: schemas/r.json\n"),
        spec("2026-01-01-004-ddd", "status: completed\noutput_schema: schemas/bad.json\n"),
        r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["findings"], "properties": {"findings": {"type": "array"}}}"#,
    ));
    expect![[r#"
        .chant/specs/2026-01-01-002-bbb.md:3:16 error output-invalid `schemas/r.json`: the agent output does not match this schema: at '/findings': 3 is not of type "array" (O2)
            = .chant/logs/2026-01-01-002-bbb.log:1:1 the agent log
        .chant/specs/2026-01-01-003-ccc.md:3:16 error output-invalid `schemas/r.json`: no JSON found in the agent output for `2026-01-01-003-ccc`: `chant lint` fails (O2)
            = .chant/logs/2026-01-01-003-ccc.log:1:1 the agent log
        .chant/specs/2026-01-01-004-ddd.md:3:16 error output-schema-invalid `schemas/bad.json`: chant cannot validate the output: the schema does not compile: 12 is not valid under any of the schemas listed in the 'anyOf' keyword (O3)
            = schemas/bad.json:1:1 the schema
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn dependencies() {
    let fixture = with_base(
        &[
            spec(
                "2026-01-01-001-aaa",
                "depends_on:\n- 2026-01-01-002-bb\n- 2025-12-01-001-old\n- 2026-01-01-009-bad\n- backend:2026-01-01-001-xyz\n- 2026-01-01-001-aaa\n- 2026-01-01-003-ccc\n- 2026-01-01-003-ccc\n- 2026-01-01-004-ddd\n",
            ),
            spec("2026-01-01-002-bbb", "status: completed\n"),
            spec("2026-01-01-003-ccc", "status: completed\n"),
            spec("2026-01-01-004-ddd", "status: cancelled\n"),
            spec(
                "2026-01-01-005-drv",
                "type: driver\nmembers:\n- 2026-01-01-005-drv.1\n- 2026-01-01-005-drv.2\n- 2026-01-01-005-drv.3\n- 2025-12-01-001-old\n",
            ),
            // .1 waits for .2, which `chant work` only runs after .1: a deadlock.
            spec("2026-01-01-005-drv.1", "depends_on: [2026-01-01-005-drv.2]\n"),
            spec("2026-01-01-005-drv.2", "status: pending\n"),
            // Waiting for a later sibling that is already done is harmless.
            spec("2026-01-01-007-grp.1", "depends_on: [2026-01-01-007-grp.2]\n"),
            spec("2026-01-01-007-grp.2", "status: completed\n"),
            spec("2026-01-01-007-grp", "type: group\n"),
            spec("2026-01-01-006-gone.1", "status: pending\n"),
            "//- .chant/archive/2025-12-01/2025-12-01-001-old.md\n---\nstatus: completed\n---\n# Old work\n".to_string(),
            "//- .chant/specs/2026-01-01-009-bad.md\n---\nstatus: nope\n---\n# Unreadable\n".to_string(),
        ]
        .concat(),
    );
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:3:3 error unknown-dependency `2026-01-01-002-bb`: unknown dependency `2026-01-01-002-bb`: `depends_on` needs a spec's full ID (chant never completes partial IDs here), so `chant lint` fails and this spec stays blocked; did you mean `2026-01-01-002-bbb`?
        .chant/specs/2026-01-01-001-aaa.md:4:3 error archived-dependency `2025-12-01-001-old`: `2025-12-01-001-old` is archived: chant does not see archived specs, so this spec is blocked forever and `chant work` refuses it even with --skip-deps; remove the entry
            = .chant/archive/2025-12-01/2025-12-01-001-old.md:4:1 the archived spec
        .chant/specs/2026-01-01-001-aaa.md:5:3 error unreadable-dependency `2026-01-01-009-bad`: `2026-01-01-009-bad` exists but chant cannot read its frontmatter, so it counts as missing and this spec stays blocked; fix that spec
            = .chant/specs/2026-01-01-009-bad.md:1:1 the unreadable spec
        .chant/specs/2026-01-01-001-aaa.md:6:3 error cross-repo-dependency `backend:2026-01-01-001-xyz`: cross-repo dependency `backend:2026-01-01-001-xyz`: chant v0.23.2 reports it as unknown in `chant lint` and keeps this spec blocked even when `2026-01-01-001-xyz` is completed in `backend`
        .chant/specs/2026-01-01-001-aaa.md:7:3 error self-dependency `2026-01-01-001-aaa`: this spec depends on itself: it can never be ready; remove the entry
        .chant/specs/2026-01-01-001-aaa.md:9:3 warning duplicate-dependency `2026-01-01-003-ccc`: `2026-01-01-003-ccc` is listed twice in depends_on
            = .chant/specs/2026-01-01-001-aaa.md:8:3 first listed here
        .chant/specs/2026-01-01-001-aaa.md:10:3 warning cancelled-dependency `2026-01-01-004-ddd`: `2026-01-01-004-ddd` is cancelled: `chant list --ready` counts it as done, but `chant work` refuses this spec unless given --skip-deps; remove the entry
            = .chant/specs/2026-01-01-004-ddd.md:4:1 the cancelled spec
        .chant/specs/2026-01-01-005-drv.1.md:2:14 error sibling-deadlock `2026-01-01-005-drv.2`: `2026-01-01-005-drv.2` is a later sibling: `chant work` runs it only after every earlier member (this one included) is completed, so the two wait for each other forever
            = .chant/specs/2026-01-01-005-drv.2.md:4:1 the later sibling
        .chant/specs/2026-01-01-005-drv.md:6:3 error unknown-member `2026-01-01-005-drv.3`: unknown member `2026-01-01-005-drv.3`: no spec has this ID and `chant lint` fails; check the ID
        .chant/specs/2026-01-01-005-drv.md:7:3 error unknown-member `2025-12-01-001-old`: member `2025-12-01-001-old` is archived: `chant lint` reports it unknown (chant does not see archived specs); remove it
        .chant/specs/2026-01-01-006-gone.1.md:4:1 warning orphan-member `# A good title`: this is a member of `2026-01-01-006-gone` (by its file name), but that driver does not exist: chant warns on every command and the group rules no longer apply
        .chant/specs/2026-01-01-009-bad.md:2:9 error invalid-value `nope`: unknown status `nope`: chant cannot read this spec; allowed: `pending`, `in_progress`, `paused`, `completed`, `failed`, `needs_attention`, `ready`, `blocked`, `cancelled`
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn duplicate_and_nested_specs() {
    let fixture = with_base(&format!(
        "{}//- .chant/specs/sub/2026-01-01-001-aaa.md\n---\nstatus: pending\n---\n{GOOD_BODY}",
        spec("2026-01-01-001-aaa", "status: pending\n"),
    ));
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:4:1 warning duplicate-spec-id `# A good title`: another file has the same spec ID `2026-01-01-001-aaa`: chant loads both and which one a command acts on is undefined
            = .chant/specs/sub/2026-01-01-001-aaa.md:4:1 the other file
        .chant/specs/sub/2026-01-01-001-aaa.md:1:1 warning nested-spec `---`: this spec is in a subfolder of .chant/specs: `chant work` and `chant list` load it, but `chant lint` and new-ID generation read only the top level, and chant saves specs at the top level; move it to .chant/specs/
        .chant/specs/sub/2026-01-01-001-aaa.md:4:1 warning duplicate-spec-id `# A good title`: another file has the same spec ID `2026-01-01-001-aaa`: chant loads both and which one a command acts on is undefined
            = .chant/specs/2026-01-01-001-aaa.md:4:1 the other file
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn cycles_name_the_whole_cycle() {
    let fixture = with_base(&format!(
        "{}{}{}{}{}{}{}",
        spec("2026-01-01-001-aaa", "depends_on: [2026-01-01-002-bbb]\n"),
        spec("2026-01-01-002-bbb", "depends_on: [2026-01-01-003-ccc, 2026-01-01-004-ddd]\n"),
        spec("2026-01-01-003-ccc", "depends_on: [2026-01-01-001-aaa]\n"),
        spec("2026-01-01-004-ddd", "status: pending\n"),
        // A finished cycle: only a warning.
        spec("2026-01-01-005-eee", "status: completed\ndepends_on: [2026-01-01-006-fff]\n"),
        spec("2026-01-01-006-fff", "status: completed\ndepends_on: [2026-01-01-005-eee]\n"),
        // chant cannot read 008, so there is no cycle through it for chant.
        "//- .chant/specs/2026-01-01-007-ggg.md\n---\ndepends_on: [2026-01-01-008-hhh]\n---\n# G\n//- .chant/specs/2026-01-01-008-hhh.md\n---\nstatus: ??\ndepends_on: [2026-01-01-007-ggg]\n---\n# H\n",
    ));
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:2:14 error dependency-cycle `2026-01-01-002-bbb`: dependency cycle: 2026-01-01-001-aaa → 2026-01-01-002-bbb → 2026-01-01-003-ccc → 2026-01-01-001-aaa: chant has no cycle check, so none of these specs will ever become ready; remove one of these dependencies
            = .chant/specs/2026-01-01-002-bbb.md:2:14 2026-01-01-002-bbb depends on 2026-01-01-003-ccc
            = .chant/specs/2026-01-01-003-ccc.md:2:14 2026-01-01-003-ccc depends on 2026-01-01-001-aaa
        .chant/specs/2026-01-01-002-bbb.md:2:14 error dependency-cycle `2026-01-01-003-ccc`: dependency cycle: 2026-01-01-002-bbb → 2026-01-01-003-ccc → 2026-01-01-001-aaa → 2026-01-01-002-bbb: chant has no cycle check, so none of these specs will ever become ready; remove one of these dependencies
            = .chant/specs/2026-01-01-003-ccc.md:2:14 2026-01-01-003-ccc depends on 2026-01-01-001-aaa
            = .chant/specs/2026-01-01-001-aaa.md:2:14 2026-01-01-001-aaa depends on 2026-01-01-002-bbb
        .chant/specs/2026-01-01-003-ccc.md:2:14 error dependency-cycle `2026-01-01-001-aaa`: dependency cycle: 2026-01-01-003-ccc → 2026-01-01-001-aaa → 2026-01-01-002-bbb → 2026-01-01-003-ccc: chant has no cycle check, so none of these specs will ever become ready; remove one of these dependencies
            = .chant/specs/2026-01-01-001-aaa.md:2:14 2026-01-01-001-aaa depends on 2026-01-01-002-bbb
            = .chant/specs/2026-01-01-002-bbb.md:2:14 2026-01-01-002-bbb depends on 2026-01-01-003-ccc
        .chant/specs/2026-01-01-005-eee.md:3:14 warning dependency-cycle `2026-01-01-006-fff`: dependency cycle: 2026-01-01-005-eee → 2026-01-01-006-fff → 2026-01-01-005-eee: chant has no cycle check, so this only matters if one of them is reopened; remove one of these dependencies
            = .chant/specs/2026-01-01-006-fff.md:3:14 2026-01-01-006-fff depends on 2026-01-01-005-eee
        .chant/specs/2026-01-01-006-fff.md:3:14 warning dependency-cycle `2026-01-01-005-eee`: dependency cycle: 2026-01-01-006-fff → 2026-01-01-005-eee → 2026-01-01-006-fff: chant has no cycle check, so this only matters if one of them is reopened; remove one of these dependencies
            = .chant/specs/2026-01-01-005-eee.md:3:14 2026-01-01-005-eee depends on 2026-01-01-006-fff
    "#]].assert_eq(&check_codes(&fixture, &["dependency-cycle"]));
}

#[test]
fn chant_lint_rules() {
    let fixture = with_base(&format!(
        "{}{}{}{}{}{}{}{}",
        "//- .chant/specs/2026-01-01-001-aaa.md\n---\nstatus: pending\n---\n#No space title\n\nText.\n",
        spec("2026-01-01-002-bbb", "type: documentation\n"),
        spec("2026-01-01-003-ccc", "type: research\n"),
        spec("2026-01-01-004-ddd", "type: driver\nmembers: []\n"),
        spec(
            "2026-01-01-005-eee",
            "target_files: [a, b, c, d, e, f]\nmodel: claude-opus-4-5\napproval:\n  status: approved\n",
        ),
        "//- .chant/specs/2026-01-01-006-fff.md\n---\nmodel: sonnet\napproval:\n  status: pending\n  by: someone\n---\n# Tiny\n",
        "//- .chant/specs/2026-01-01-007-ggg.md\n---\n---\n# Mentions\n\nSee 2026-01-01-002-bbb and [[2026-01-01-003-ccc]] but not 2026-01-01-007-ggg.\n\n```\n2026-01-01-004-ddd in code\n```\n\n## Acceptance Criteria\n\n- [ ] Implement a\n- [ ] Add b\n- [ ] Test c\n- [ ] Fix d\n- [ ] Add e\n- [ ] Add f\n- [ ] Add g\n- [ ] Add h\n- [ ] Add i\n- [ ] Add j\n- [ ] Add k\n",
        "//- .chant/specs/2026-01-01-008-hhh.1.md\n---\n---\n# Member\n\nAfter 2026-01-01-008-hhh.2, unlike 2026-01-01-002-bbb.\n\n## Acceptance Criteria\n\n- [ ] Add it\n- [ ] Test it\n//- .chant/specs/2026-01-01-008-hhh.md\n---\ntype: driver\n---\n# Driver mentions 2026-01-01-002-bbb freely\n//- .chant/specs/2026-01-01-008-hhh.2.md\n---\n---\n# Member two\n\n## Acceptance Criteria\n\n- [ ] Add it\n- [ ] Test it\n",
    ));
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:1:1 info needs-refinement `---`: chant grades this spec Refine (confidence D (mostly prose, few bullets), no acceptance criteria): `chant work` without a terminal (editors, CI) refuses it unless given --skip-criteria; add imperative `- [ ]` acceptance criteria
        .chant/specs/2026-01-01-001-aaa.md:4:1 error missing-title `#No space title`: missing title: `chant lint` fails and `chant work` refuses this spec; chant needs a space after `#` (this line is not a title)
        .chant/specs/2026-01-01-002-bbb.md:2:7 warning type-missing-field `documentation`: documentation spec without `target_files`: the agent is not told which documents to write (chant lint warns)
        .chant/specs/2026-01-01-002-bbb.md:2:7 warning type-missing-field `documentation`: documentation spec without `tracks`: `chant drift` cannot tell when the documented code changes (chant lint warns)
        .chant/specs/2026-01-01-003-ccc.md:2:7 warning type-missing-field `research`: research spec without `informed_by` or `origin`: the research has no declared inputs (chant lint warns)
        .chant/specs/2026-01-01-003-ccc.md:2:7 warning type-missing-field `research`: research spec without `target_files`: the agent is not told where to write its findings (chant lint warns)
        .chant/specs/2026-01-01-004-ddd.md:3:10 warning empty-members `[]`: `members: []` on a driver: list the member IDs or remove the key (chant lint warns)
        .chant/specs/2026-01-01-005-eee.md:2:1 warning too-many-files `target_files`: touches 6 files (more than 5): consider `chant split 2026-01-01-005-eee`
        .chant/specs/2026-01-01-005-eee.md:5:11 error approval-incomplete `approved`: approval is approved but `at` is missing: `chant lint` fails; record when
        .chant/specs/2026-01-01-005-eee.md:5:11 error approval-incomplete `approved`: approval is approved but `by` is missing: `chant lint` fails; record who decided (`chant approve` fills it in)
        .chant/specs/2026-01-01-005-eee.md:7:1 info needs-refinement `# A good title`: chant grades this spec Refine (complexity D (too many criteria, files or words)): `chant work` without a terminal (editors, CI) refuses it unless given --skip-criteria; add imperative `- [ ]` acceptance criteria
        .chant/specs/2026-01-01-006-fff.md:2:8 warning model-waste `sonnet`: `sonnet` on a simple spec (0 criteria, 0 files, 2 words): consider haiku (chant lint warns)
        .chant/specs/2026-01-01-006-fff.md:5:7 error approval-inconsistent `someone`: approval has `by` but its status is still pending: `chant lint` fails; set the status or remove `by`
        .chant/specs/2026-01-01-006-fff.md:7:1 info needs-refinement `# Tiny`: chant grades this spec Refine (confidence D (mostly prose, few bullets), no acceptance criteria): `chant work` without a terminal (editors, CI) refuses it unless given --skip-criteria; add imperative `- [ ]` acceptance criteria
        .chant/specs/2026-01-01-007-ggg.md:3:1 info needs-refinement `# Mentions`: chant grades this spec Refine (complexity D (too many criteria, files or words)): `chant work` without a terminal (editors, CI) refuses it unless given --skip-criteria; add imperative `- [ ]` acceptance criteria
        .chant/specs/2026-01-01-007-ggg.md:5:5 warning spec-coupling `2026-01-01-002-bbb`: mentions spec `2026-01-01-002-bbb` in the body: chant wants dependencies in `depends_on`, not prose (chant lint warns, `[[…]]` included)
        .chant/specs/2026-01-01-007-ggg.md:5:30 warning spec-coupling `2026-01-01-003-ccc`: mentions spec `2026-01-01-003-ccc` in the body: chant wants dependencies in `depends_on`, not prose (chant lint warns, `[[…]]` included)
        .chant/specs/2026-01-01-007-ggg.md:11:1 warning too-many-criteria `## Acceptance Criteria`: 11 acceptance criteria (more than 10): too much for one agent run; consider `chant split 2026-01-01-007-ggg`
        .chant/specs/2026-01-01-008-hhh.1.md:5:7 warning spec-coupling `2026-01-01-008-hhh.2`: mentions sibling spec `2026-01-01-008-hhh.2`: member specs should stand alone; if it must finish first, use depends_on (chant lint warns)
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn lint_thresholds_come_from_config() {
    let fixture = format!(
        "//- ~/.config/chant/config.md\n---\nlint:\n  thresholds:\n    complexity_files: 1\n---\n//- .chant/config.md\n---\ndefaults:\n  prompt: standard\n---\n//- .chant/prompts/standard.md\nP\n{}",
        spec("2026-01-01-001-aaa", "target_files: [a, b]\n"),
    );
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:2:1 warning too-many-files `target_files`: touches 2 files (more than 1): consider `chant split 2026-01-01-001-aaa`
    "#]].assert_eq(&check(&fixture));
    // The project's own `lint:` section replaces the global one as a whole, and an
    // explicit `disable: []` switches the word limit on.
    let fixture = format!(
        "{fixture}//- .chant/config.md\n---\ndefaults:\n  prompt: standard\nlint:\n  disable: []\n  thresholds:\n    complexity_words: 5\n---\n"
    );
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:4:1 warning too-many-words `# A good title`: the description is 19 words (more than 5): may be too much for one run; consider `chant split 2026-01-01-001-aaa`
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn chant_reads_it_differently() {
    let fixture = with_base(&format!(
        "{}{}{}{}",
        "//- .chant/specs/2026-01-01-001-aaa.md\n---\nstatus: ready\nprompt: standrd\n---\nSetup:\n\n```bash\n# install tools\n```\n\n# Real title\n\n### Acceptance Criteria\n\n- [ ] Implement a\n- [ ] Test b\n\n## acceptance criteria\n",
        "//- .chant/specs/2026-01-01-002-bbb.md\n---\n---\n# Tildes\n\n~~~\n## Acceptance Criteria\n- [ ] counted by chant\n~~~\n\n~~~\nharmless\n~~~\n\n## Acceptance Criteria\n\n- [ ] Implement a\n* [ ] Test b\n1. [ ] Check c\n- [ ] Add d\n",
        "//- .chant/specs/2026-01-01-003-ccc.md\n---\n---\n# Two sections\n\n## Acceptance Criteria\n\n- [ ] Implement a\n\n## Acceptance Criteria\n\n- [ ] Test b\n- [ ] Add c\n",
        "//- .chant/specs/2026-01-01-004-ddd.md\n---\nstatus: pending\n---\n# Only prose\n\nA long paragraph without any bullets or criteria at all.\n",
    ));
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:2:9 warning status-ready `ready`: `status: ready` can never be worked: chant computes `ready` itself and allows no transition out of it when it is stored; write `status: pending`
        .chant/specs/2026-01-01-001-aaa.md:8:1 warning title-in-code-block `# install tools`: chant takes this line inside a code block as the spec's title ("install tools"): its title rule does not skip code; put the real `# Title` line before the code block
            = .chant/specs/2026-01-01-001-aaa.md:11:1 the heading a reader sees as the title
        .chant/specs/2026-01-01-001-aaa.md:13:1 warning ac-heading-ignored `### Acceptance Criteria`: chant does not see this as the acceptance criteria: it needs a line starting with `## Acceptance Criteria` exactly (level 2, this capitalisation); the 2 checkboxes below are not counted
        .chant/specs/2026-01-01-001-aaa.md:18:1 warning ac-heading-ignored `## acceptance criteria`: chant does not see this as the acceptance criteria: it needs a line starting with `## Acceptance Criteria` exactly (level 2, this capitalisation)
        .chant/specs/2026-01-01-002-bbb.md:5:1 warning tilde-fence `~~~`: chant does not treat `~~~` blocks as code, so it reads an `## Acceptance Criteria` heading, checkboxes that count as acceptance criteria inside this one; use a ``` fence
        .chant/specs/2026-01-01-002-bbb.md:6:1 warning multiple-ac-sections `## Acceptance Criteria`: more than one `## Acceptance Criteria` section: completion counts only the last one, while `chant lint` and `chant verify` read this first one; merge them
            = .chant/specs/2026-01-01-002-bbb.md:14:1 the section chant counts for completion
        .chant/specs/2026-01-01-002-bbb.md:17:1 warning checkbox-ignored `* [ ] Test b`: chant counts only `- [ ]` / `- [x]` items: this one can stay open and the spec still completes; write it as `- [ ] …`
        .chant/specs/2026-01-01-002-bbb.md:18:1 warning checkbox-ignored `1. [ ] Check c`: chant counts only `- [ ]` / `- [x]` items: this one can stay open and the spec still completes; write it as `- [ ] …`
        .chant/specs/2026-01-01-003-ccc.md:5:1 warning multiple-ac-sections `## Acceptance Criteria`: more than one `## Acceptance Criteria` section: completion counts only the last one, while `chant lint` and `chant verify` read this first one; merge them
            = .chant/specs/2026-01-01-003-ccc.md:9:1 the section chant counts for completion
        .chant/specs/2026-01-01-004-ddd.md:4:1 info needs-refinement `# Only prose`: chant grades this spec Refine (confidence D (mostly prose, few bullets), no acceptance criteria): `chant work` without a terminal (editors, CI) refuses it unless given --skip-criteria; add imperative `- [ ]` acceptance criteria
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn default_prompt_must_exist() {
    let fixture = format!(
        "//- .chant/config.md\n---\nproject:\n  name: t\n---\n{}",
        spec("2026-01-01-001-aaa", "status: pending\n"),
    );
    expect![[r#"
        .chant/config.md:1:1 error missing-prompt `---`: no `defaults.prompt` is set, so chant uses `bootstrap`, which release builds do not install: `chant work` fails for the 1 open spec(s) without their own `prompt:`; set `defaults.prompt: standard` (or create .chant/prompts/bootstrap.md)
    "#]].assert_eq(&check_codes(&fixture, &["missing-prompt"]));
    let fixture = format!(
        "//- .chant/config.md\n---\ndefaults:\n  prompt: fancy\n---\n{}",
        spec("2026-01-01-001-aaa", "status: pending\n"),
    );
    expect![[r#"
        .chant/config.md:3:11 error missing-prompt `fancy`: default prompt `fancy` has no file `.chant/prompts/fancy.md`: `chant work` fails for the 1 open spec(s) without their own `prompt:`
    "#]].assert_eq(&check_codes(&fixture, &["missing-prompt"]));
}

#[test]
fn config_problems() {
    let fixture = format!(
        "//- .chant/config.md\n---\ndefaults:\n  prompt: standard\n  provider: gpt\nschema:\n  spec: {{}}\n---\n//- .chant/prompts/standard.md\nP\n{}",
        spec("2026-01-01-001-aaa", "status: pending\n"),
    );
    expect![[r#"
        .chant/config.md:4:13 error config-unreadable `gpt`: chant cannot read this config (defaults.provider: unknown variant `gpt`, expected one of `claude`, `ollama`, `openai`, `kirocli`): `chant work` fails and `chant lint` silently uses default thresholds
        .chant/config.md:5:1 warning config-unknown-key `schema`: chant does not implement `schema:` in config and ignores it
    "#]].assert_eq(&check(&fixture));
    expect![[r#"
        .chant/config.md:1:1 error config-unreadable ``: `.chant/config.md` is missing: `chant work` fails without it (`chant init` writes one)
    "#]].assert_eq(&check(&spec("2026-01-01-001-aaa", "status: pending\n")));
}

#[test]
fn positions_with_cjk_emoji_and_crlf() {
    let fixture = with_base(
        "//- .chant/specs/2026-01-01-001-aaa.md\r\n---\r\nlabels: [日本語, \"🚀 launch\"]\r\ninformed_by: [\"docs/設計🚀.md\"]\r\ntype: research\r\ntarget_files: [x]\r\n---\r\n# Überschrift 🚀\r\n\r\n## Acceptance Criteria\r\n\r\n- [ ] Implement 日本語 support\r\n- [ ] Test it\r\n",
    );
    expect![[r#"
        .chant/specs/2026-01-01-001-aaa.md:3:15 warning missing-file `\"docs/設計🚀.md\"`: `docs/設計🚀.md` does not exist: the research has no input and `chant drift` cannot check it; create it or fix the path
    "#]].assert_eq(&check(&fixture));
}

#[test]
fn archived_specs_are_history_unless_asked() {
    let fixture = with_base(
        "//- .chant/archive/2025-01-01/2025-01-01-001-old.md\n---\nstatus: completed\ndepends_on: [2025-01-01-002-older]\ncontext: [gone.md]\n---\nNo title here\n//- .chant/archive/2025-01-01/2025-01-01-002-older.md\n---\nstatus: completed\n---\n# Older\n",
    );
    let f = support::Fixture::parse(&fixture);
    expect![[r#""#]].assert_eq(&f.render(&f.check(false)));
    expect![[r#"
        .chant/archive/2025-01-01/2025-01-01-001-old.md:4:11 warning missing-file `gone.md`: `gone.md` does not exist: chant silently leaves it out of the agent's prompt; create it or fix the path
        .chant/archive/2025-01-01/2025-01-01-001-old.md:5:1 error missing-title `---`: missing title: `chant lint` fails and `chant work` refuses this spec; add a `# Title` line after the frontmatter
    "#]].assert_eq(&f.render(&f.check(true)));
}

#[test]
fn nothing_panics_on_odd_input() {
    let odd = [
        "",
        "---",
        "---\n",
        "------",
        "---\n---",
        "\u{feff}",
        "\u{feff}---\n---\n",
        "---\n: :\n---\n",
        "---\n- a\n---\n",
        "---\n[\n---\n",
        "---\n\"\n---\n",
        "---\n'\n---\n",
        "---\nstatus: [\n---\n",
        "---\napproval: {by: [}\n---\n",
        "---\ndepends_on:\n  -\n  - - x\n---\n",
        "---\ntype: !!str code\nstatus: &a pending\nlabels: *a\n---\n",
        "---\nx: |\n  ---\n---\n",
        "#\n",
        "# \n",
        "```\n# x",
        "~~~\n## Acceptance Criteria\n- [ ] x",
        "\r\n\r\n---\r\n\r\n",
        "---\n\t\tstatus: x\n---\n",
        "---\nmembers: 3\n---\n",
        "---\ndepends_on: {a: b}\n---\n",
        "\u{0}\u{1}---",
        "---\nlabels: [\"\\u12\"]\n---\n",
        "---\nlabels: [\"\\",
        "---\nretry_state: {attempts: -1, last_retry_time: 1, next_retry_time: 2}\n---\n",
    ];
    for text in odd {
        let fixture = with_base(&format!(
            "//- .chant/specs/2026-01-01-001-aaa.md\n{text}\n//- .chant/specs/x.md\n{text}"
        ));
        let out = check(&fixture);
        assert!(!out.contains("internal-error"), "{text:?}: {out}");
    }
}

#[test]
fn a_spec_chant_cannot_load_gets_no_lint_findings() {
    // chant's parse error blocks every other rule for the file (chant-behaviour.md §5.2, rule P1):
    // required fields, title, complexity and the prompt are not looked at.
    let fixture = with_base(&format!(
        "{}{}//- .chant/config.md\n---\ndefaults:\n  prompt: standard\nenterprise:\n  required: [team]\nlint:\n  thresholds:\n    complexity_criteria: 1\n---\n",
        "//- .chant/specs/2026-01-01-001-aaa.md\n---\nstatus: nope\nprompt: missing\n---\nNo title.\n\n## Acceptance Criteria\n\n- [ ] a\n- [ ] b\n- [ ] c\n",
        "//- .chant/specs/2026-01-01-002-bbb.md\n---\nstatus: pending\nprompt: missing\n---\nNo title.\n\n## Acceptance Criteria\n\n- [ ] a\n- [ ] b\n- [ ] c\n",
    ));
    let out = check(&fixture);
    let aaa: Vec<&str> = out.lines().filter(|l| l.contains("001-aaa.md:")).collect();
    assert_eq!(aaa.len(), 1, "{out}");
    assert!(aaa[0].contains("error invalid-value"), "{out}");
    // The same spec, readable: every one of those rules speaks.
    for code in ["missing-required-field", "missing-title", "too-many-criteria", "missing-prompt"] {
        assert!(out.lines().any(|l| l.contains("002-bbb.md:") && l.contains(code)), "{code} missing:\n{out}");
    }
}

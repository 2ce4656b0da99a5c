//! `chant-lsp check` where linters run, through the real binary: only the files under the
//! PATHs reported, several projects at once, `--select` / `--ignore` over the project's
//! `chant-lsp.toml`, SARIF validated against the SARIF 2.1.0 schema that ships inside
//! serde-sarif, GitHub workflow commands, and the pre-commit hook run on the demo.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str], cwd: &Path, home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", home)
        .env_remove("NO_COLOR")
        .output()
        .expect("run chant-lsp")
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// (file, code) of every diagnostic of a JSON report.
fn found(report: &Value) -> Vec<(String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["file"].as_str().unwrap().to_string(), d["code"].as_str().unwrap().to_string()))
        .collect()
}

const CONFIG: [(&str, &str); 2] = [
    (".chant/config.md", "---\ndefaults:\n  prompt: standard\n---\n"),
    (".chant/prompts/standard.md", "P\n"),
];

fn spec(frontmatter: &str) -> String {
    format!("---\n{frontmatter}---\n# Do it\n\n## Acceptance Criteria\n\n- [ ] Add a\n- [ ] Test b\n")
}

#[test]
fn only_files_under_the_paths_are_reported() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let all = json(&run(&["check", "examples/demo", "--format", "json"], repo(), h));
    let specs = "examples/demo/.chant/specs";
    let cycle = format!("{specs}/2026-11-07-001-c1a.md");
    let unknown = format!("{specs}/2026-11-05-001-u4x.md");
    let expected = |files: &[&str]| -> Vec<(String, String)> {
        found(&all).into_iter().filter(|(f, _)| files.contains(&f.as_str())).collect()
    };
    // One spec: its findings only, the cross-file ones included (the project is analysed whole).
    let one = run(&["check", &cycle, "--format", "json"], repo(), h);
    assert_eq!(one.status.code(), Some(1));
    let one = json(&one);
    assert_eq!(found(&one), expected(&[&cycle]));
    assert!(found(&one).iter().any(|(_, c)| c == "dependency-cycle"), "{one}");
    assert_eq!(one["summary"]["specs"], 1);
    // Several PATHs.
    let two = json(&run(&["check", &cycle, &unknown, "--format", "json"], repo(), h));
    assert_eq!(found(&two), expected(&[&cycle, &unknown]));
    // A folder: everything under it; one without specs reports nothing.
    let folder = json(&run(&["check", specs, "--format", "json"], repo(), h));
    let in_specs: Vec<_> = found(&all).into_iter().filter(|(f, _)| f.starts_with(specs)).collect();
    assert_eq!(found(&folder), in_specs);
    let archive = run(&["check", "examples/demo/.chant/archive"], repo(), h);
    assert_eq!(stdout(&archive), "ok: no problems (0 specs checked, 1 archived)\n");
    let none = run(&["check", "examples/demo/src"], repo(), h);
    assert_eq!(none.status.code(), Some(0));
    assert_eq!(stdout(&none), "ok: no problems (0 specs checked)\n");
}

#[test]
fn paths_in_several_projects_are_each_analysed() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        let root = tmp.path().join(name);
        write(&root, &CONFIG);
        write(&root, &[(".chant/specs/2026-01-01-001-abc.md", &spec("depends_on: [2026-09-09-009-zzz]\n"))]);
    }
    let out = run(
        &["check", "b", "a/.chant/specs/2026-01-01-001-abc.md", "--format", "json"],
        tmp.path(),
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["roots"], serde_json::json!(["a", "b"]));
    assert_eq!(
        found(&v),
        [
            ("a/.chant/specs/2026-01-01-001-abc.md".to_string(), "unknown-dependency".to_string()),
            ("b/.chant/specs/2026-01-01-001-abc.md".to_string(), "unknown-dependency".to_string()),
        ]
    );
    let human = stdout(&run(&["check", "a", "b"], tmp.path(), tmp.path()));
    assert!(
        human.ends_with("summary: 2 errors, 0 warnings in 2 files (2 specs checked, in 2 projects)\n"),
        "{human}"
    );
}

#[test]
fn select_and_ignore_come_over_the_project_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, &CONFIG);
    write(
        root,
        &[(".chant/specs/2026-01-01-001-abc.md", &spec("depends_on: [2026-09-09-009-zzz]\nlables: [x]\n"))],
    );
    let codes = |args: &[&str]| -> (Option<i32>, Vec<String>) {
        let mut all = vec!["check", "--format", "json"];
        all.extend(args);
        let out = run(&all, root, root);
        let codes = if out.status.code() == Some(2) {
            Vec::new()
        } else {
            found(&json(&out)).into_iter().map(|(_, c)| c).collect()
        };
        (out.status.code(), codes)
    };
    let both = vec!["unknown-dependency".to_string(), "unknown-key".to_string()];
    assert_eq!(codes(&[]), (Some(1), both.clone()));
    assert_eq!(
        codes(&["--ignore", "unknown-dependency"]),
        (Some(0), vec!["unknown-key".to_string()]),
        "an ignored error does not fail"
    );
    assert_eq!(
        codes(&["--select", "unknown-key, unknown-dependency", "--ignore", "unknown-key"]),
        (Some(1), vec!["unknown-dependency".to_string()])
    );
    // The file, and the command line over it (list by list).
    write(root, &[("chant-lsp.toml", "# only what blocks work\nselect = [\"unknown-dependency\", \"unknown-key\"]\nignore = [\"unknown-key\"]\n")]);
    assert_eq!(codes(&[]), (Some(1), vec!["unknown-dependency".to_string()]));
    assert_eq!(codes(&["--ignore", "unknown-dependency"]), (Some(0), vec!["unknown-key".to_string()]));
    assert_eq!(
        codes(&["--select", "unknown-key"]),
        (Some(0), Vec::<String>::new()),
        "the file's ignore still holds"
    );
    // What the file says that cannot be used stops the check.
    for (text, says) in [
        (
            "ignore = [\"unknown-keys\"]\n",
            "chant-lsp.toml: `ignore`: unknown diagnostic code `unknown-keys` (did you mean `unknown-key`?)",
        ),
        ("select = \"bom\"\n", "`select` must be a list of diagnostic codes"),
        ("selct = []\n", "unknown key `selct`"),
        ("select = [\n", "chant-lsp.toml: "),
    ] {
        write(root, &[("chant-lsp.toml", text)]);
        let out = run(&["check"], root, root);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(says) && err.contains(&root.join("chant-lsp.toml").display().to_string()),
            "{text}: {err}"
        );
    }
}

/// Workflow commands: one line each, with the runner's escaping, so that nothing from a
/// project (here a file name with `,` and `:` and a value holding `%` and a newline) can
/// end a property or forge another command.
#[test]
fn github_workflow_commands_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, &CONFIG);
    write(
        root,
        &[
            (".chant/specs/2026-01-01-001-a,b:c.md", &spec("depends_on: [\"50%\\n::error::forged\"]\n")),
            (".chant/specs/2026-01-02-001-ok.md", &spec("lables: [x]\n")),
        ],
    );
    let out = run(&["check", "--format", "github"], root, root);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with(
        "::error file=.chant/specs/2026-01-01-001-a%2Cb%3Ac.md,line=2,col=14,endLine=2,endColumn=35,title=chant-lsp unknown-dependency::unknown dependency `50%25%0A::error::forged`"
    ), "{text}");
    assert_eq!(
        lines[1],
        "::warning file=.chant/specs/2026-01-02-001-ok.md,line=2,col=1,endLine=2,endColumn=6,title=chant-lsp unknown-key::unknown key `lables`: chant ignores it and deletes it the next time it saves this spec; did you mean `labels`?"
    );
    assert_eq!(lines[2], "chant-lsp: 1 errors, 1 warnings, 0 infos, 0 hints in 2 files");
}

/// serde-sarif's own source holds the SARIF 2.1.0 schema; cargo says where.
fn sarif_schema() -> Value {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .current_dir(repo())
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif among the packages");
    let schema = PathBuf::from(manifest).parent().unwrap().join("src/schema.json");
    serde_json::from_str(&std::fs::read_to_string(&schema).unwrap()).unwrap()
}

fn sarif(args: &[&str], cwd: &Path, home: &Path) -> Value {
    let mut all = vec!["check", "--format", "sarif"];
    all.extend(args);
    json(&run(&all, cwd, home))
}

fn schema_errors(schema: &Value, log: &Value) -> Vec<String> {
    let validator =
        jsonschema::options().should_validate_formats(true).build(schema).expect("the schema compiles");
    validator.iter_errors(log).map(|e| format!("{e} at {}", e.instance_path)).collect()
}

fn assert_valid(schema: &Value, log: &Value) {
    let errors = schema_errors(schema, log);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_is_valid_and_describes_every_code() {
    let home = tempfile::tempdir().unwrap();
    let schema = sarif_schema();
    let log = sarif(&["examples/demo"], repo(), home.path());
    assert_valid(&schema, &log);
    // The schema does check: a level SARIF does not have, a column before the first.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    broken["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0.into();
    assert_eq!(schema_errors(&schema, &broken).len(), 2, "{:#?}", schema_errors(&schema, &broken));
    let plain = json(&run(&["check", "examples/demo", "--format", "json"], repo(), home.path()));
    let run0 = &log["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "chant-lsp");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), chant_lsp::analysis::diagnostic::CODES.len());
    for (rule, code) in rules.iter().zip(chant_lsp::analysis::diagnostic::CODES) {
        assert_eq!(rule["id"], code.name);
        assert_eq!(rule["shortDescription"]["text"], code.what);
        assert_eq!(rule["fullDescription"]["text"], format!("{} {}", code.what, code.why));
        assert_eq!(rule["help"]["text"], code.fix);
    }
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), plain["diagnostics"].as_array().unwrap().len());
    for (r, d) in results.iter().zip(plain["diagnostics"].as_array().unwrap()) {
        assert_eq!(r["ruleId"], d["code"]);
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], d["code"]);
        assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], d["file"]);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            d["range"]["start"]["line"].as_u64().unwrap() + 1
        );
        assert_eq!(
            r["relatedLocations"].as_array().map_or(0, Vec::len),
            d["related"].as_array().unwrap().len()
        );
        assert!(r["partialFingerprints"]["chantLsp/v1"].as_str().is_some_and(|f| f.len() == 16), "{r}");
    }
    // A project outside the current directory: absolute file URIs, still valid.
    let elsewhere = sarif(&[&repo().join("examples/demo").display().to_string()], home.path(), home.path());
    assert_valid(&schema, &elsewhere);
    let uri =
        &elsewhere["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert!(uri.as_str().is_some_and(|u| u.starts_with("file:///")), "{uri}");
}

/// A finding keeps its fingerprint when the spec is edited elsewhere (lines added above
/// it), and two findings of the same text get different ones.
#[test]
fn sarif_fingerprints_survive_edits_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, &CONFIG);
    let path = ".chant/specs/2026-01-01-001-abc.md";
    write(
        root,
        &[(path, &spec("depends_on: [2026-09-09-009-zzz]\ncontext: [gone.md]\ninformed_by: [gone.md]\n"))],
    );
    let prints = |log: &Value| -> Vec<(String, String, u64)> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["chantLsp/v1"].as_str().unwrap().to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let before = prints(&sarif(&[], root, root));
    assert_eq!(before.len(), 3, "{before:?}");
    assert_ne!(before[1].1, before[2].1, "the same text flagged twice");
    write(root, &[(path, &spec("type: code\nlabels: [a]\ndepends_on: [2026-09-09-009-zzz]\ncontext: [gone.md]\ninformed_by: [gone.md]\n"))]);
    let after = prints(&sarif(&[], root, root));
    let strip =
        |v: &[(String, String, u64)]| v.iter().map(|(c, f, _)| (c.clone(), f.clone())).collect::<Vec<_>>();
    assert_eq!(strip(&after), strip(&before));
    assert!(after.iter().zip(&before).all(|(a, b)| a.2 == b.2 + 2), "the findings moved two lines down");
}

/// The pre-commit hook, run as pre-commit runs it: its entry with the staged files that
/// match its `files` pattern, from the repository root.
#[test]
fn pre_commit_hook_runs_on_the_demo() {
    let text = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<serde_yaml::Value> = serde_yaml::from_str(&text).unwrap();
    let hook = hooks.iter().find(|h| h["id"] == "chant-lsp-check").expect("the chant-lsp-check hook");
    let field = |k: &str| hook[k].as_str().unwrap_or_else(|| panic!("{k}")).to_string();
    assert_eq!(field("language"), "rust", "pre-commit builds the hook with cargo install");
    assert_eq!(hook["require_serial"].as_bool(), Some(true), "one process loads the project once");
    let files = regex::Regex::new(&field("files")).unwrap();
    for (path, matches) in [
        ("examples/demo/.chant/specs/2026-11-05-001-u4x.md", true),
        (".chant/config.md", true),
        ("docs/notes.md", false),
        ("src/main.rs", false),
        (".chant/logs/x.log", false),
    ] {
        assert_eq!(files.is_match(path), matches, "{path}");
    }
    let entry = field("entry");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("chant-lsp"), "the binary cargo installs");
    let mut args: Vec<String> = words.map(str::to_string).collect();
    args.extend(
        hook["args"].as_sequence().into_iter().flatten().filter_map(|a| a.as_str().map(str::to_string)),
    );
    // The demo's files, as git would list them from the repository root.
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut all = Vec::new();
    walk(&repo().join("examples/demo"), &mut all);
    let mut staged: Vec<String> = all
        .iter()
        .map(|p| p.strip_prefix(repo()).unwrap().to_str().unwrap().to_string())
        .filter(|p| files.is_match(p))
        .collect();
    staged.sort();
    assert!(staged.len() > 5, "{staged:?}");
    let home = tempfile::tempdir().unwrap();
    let hook_run = |files: &[String]| -> Output {
        let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
        argv.extend(files.iter().map(String::as_str));
        run(&argv, repo(), home.path())
    };
    let out = hook_run(&staged);
    assert_eq!(out.status.code(), Some(1), "the demo has errors: the commit is stopped");
    let text = stdout(&out);
    assert!(
        text.contains("examples/demo/.chant/specs/2026-11-05-001-u4x.md:4:14: error[unknown-dependency]"),
        "{text}"
    );
    // A commit of one clean spec passes.
    let clean = vec!["examples/demo/.chant/specs/2026-11-02-001-k3v.md".to_string()];
    let out = hook_run(&clean);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

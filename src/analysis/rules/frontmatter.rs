//! "chant cannot read this spec" (split surprises, YAML and schema errors), unknown
//! keys, `status: ready`, and the dependency checks that need no other spec.

use crate::analysis::diagnostic::{Code, Diagnostic, Fix, FixAction, Severity};
use crate::analysis::frontmatter::{SpecType, Status, YamlErrorKind, KNOWN_KEYS};
use crate::analysis::hash::SmallMap;
use crate::analysis::id;
use crate::analysis::layout::Value;
use crate::analysis::spec::{Context, Place, SpecFile};
use crate::analysis::split::SplitProblem;
use crate::analysis::yaml_guard::{Unread, ALIAS_BUDGET, MAX_DEPTH};

pub fn check(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    split_problems(f, out);
    yaml_errors(f, out);
    unread_values(f, out);
    unknown_keys(ctx, f, out);
    if f.fm().status == Status::Ready {
        if let Some(r) = f.value_range("status") {
            out.push(Diagnostic::new(
                Code::StatusReady,
                r,
                "`status: ready` can never be worked: chant computes `ready` itself and allows no transition out of it when it is stored; write `status: pending`",
            ));
        }
    }
    local_dependencies(f, out);
    if f.place == Place::Nested {
        out.push(Diagnostic::new(
            Code::NestedSpec,
            f.head_range(),
            "this spec is in a subfolder of .chant/specs: `chant work` and `chant list` load it, but `chant lint` and new-ID generation read only the top level, and chant saves specs at the top level; move it to .chant/specs/",
        ));
    }
}

fn split_problems(f: &SpecFile, out: &mut Vec<Diagnostic>) {
    for p in &f.split.problems {
        let d = match p {
            SplitProblem::Bom { bom, fence } => Diagnostic::new(
                Code::Bom,
                bom.start..fence.as_ref().map_or(bom.end, |r| r.end),
                "the file starts with a byte order mark (U+FEFF): chant needs `---` as the very first character, so it ignores this frontmatter and reads the spec as `type: code`, `status: pending` with no dependencies; save the file as UTF-8 without a BOM",
            )
            .fix(Fix {
                title: "Remove the byte order mark (rewrites the file)".to_string(),
                action: FixAction::RemoveBom,
                automatic: true,
            }),
            SplitProblem::Unclosed { open } => {
                let after = f.yaml.as_ref().map(|y| line_of(f.text, y.end)).unwrap_or(1);
                let at = f.yaml.as_ref().map_or(open.end, |y| y.end);
                Diagnostic::new(
                    Code::UnclosedFrontmatter,
                    open.clone(),
                    format!("the frontmatter is never closed: chant finds no second `---`, so it reads no frontmatter at all (`type: code`, `status: pending`, no dependencies); add a `---` line after line {after}"),
                )
                .fix(Fix::edit(format!("Close the frontmatter after line {after}"), at..at, "\n---").automatic())
            }
            SplitProblem::DashesInValue { dashes, later_fence, .. } => {
                let mut d = Diagnostic::new(
                    Code::DashesInFrontmatter,
                    dashes.clone(),
                    "chant ends the frontmatter at this `---`: it looks for the text `---` anywhere, not for a `---` line, so the rest of the YAML becomes body text; reword the value without three dashes",
                );
                if let Some(fence) = later_fence {
                    d = d.related(f.path, fence.clone(), "the closing fence you meant");
                }
                d
            }
            SplitProblem::OpenFenceText { line } => Diagnostic::new(
                Code::FenceText,
                line.clone(),
                "text after the opening `---`: chant parses it as the first line of the YAML; put `---` alone on this line",
            ),
            SplitProblem::Missing => Diagnostic::new(
                Code::NoFrontmatter,
                f.head_range(),
                "no frontmatter: chant reads this spec as `type: code`, `status: pending` with no dependencies; start the file with a `---` block",
            ),
        };
        out.push(d);
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn allowed(path: &str) -> &'static [&'static str] {
    match path {
        "type" => &SpecType::ALL,
        "status" => &Status::ALL,
        "verification_status" => &["passed", "failed", "partial"],
        "approval.status" => &["pending", "approved", "rejected"],
        _ => &[],
    }
}

/// Values chant-lsp left out of what it parsed (chant reads them).
fn unread_values(f: &SpecFile, out: &mut Vec<Diagnostic>) {
    for u in &f.parsed.unread {
        let why = match u.reason {
            Unread::TooDeep { .. } => format!(
                "it nests deeper than {MAX_DEPTH} levels; chant ignores `{}` but still parses it, slowly, and a YAML mistake inside it would make this spec unreadable",
                u.key
            ),
            Unread::Aliases { count, .. } => format!(
                "its {count} alias{} (`*name`) could expand past {} MB; chant expands every one of them",
                if count == 1 { "" } else { "es" },
                ALIAS_BUDGET >> 20
            ),
        };
        out.push(Diagnostic::new(
            Code::UnreadValue,
            u.key_range.clone(),
            format!("chant-lsp did not read the value of `{}`: {why}", u.key),
        ));
    }
}

fn yaml_errors(f: &SpecFile, out: &mut Vec<Diagnostic>) {
    let unreadable = match f.readable {
        crate::analysis::spec::Readable::No => "chant cannot read this spec",
        _ => "chant would not be able to read this frontmatter",
    };
    for e in &f.parsed.errors {
        let d = match &e.kind {
            YamlErrorKind::Syntax | YamlErrorKind::Other { .. } => {
                Diagnostic::new(Code::YamlSyntax, e.range.clone(), format!("{unreadable}: {}", e.detail))
            }
            YamlErrorKind::UnknownVariant { path, value } => {
                let values = allowed(path);
                let list = values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
                let hint = values
                    .iter()
                    .find(|v| v.eq_ignore_ascii_case(value) || v.replace('_', "-") == value.to_lowercase())
                    .or_else(|| values.iter().find(|v| id::edit_distance(v, value, 2).is_some()))
                    .map(|v| format!(" (did you mean `{v}`?)"))
                    .unwrap_or_default();
                let extra = match (path.as_str(), value.as_str()) {
                    ("type", "conflict") => "; chant writes `type: conflict` itself for merge-conflict specs but cannot read it back",
                    ("type", "implementation") => "; chant's own examples use `implementation`, which v0.23.2 rejects",
                    _ => "",
                };
                let msg = if value.is_empty() {
                    format!("`{path}` is empty: {unreadable}; write one of {list}")
                } else {
                    format!("unknown {path} `{value}`{hint}: {unreadable}; allowed: {list}{extra}")
                };
                let mut d = Diagnostic::new(Code::InvalidValue, e.range.clone(), msg.trim_end().to_string());
                if let Some((slot, empty)) = value_slot(f, path) {
                    // The likeliest value first.
                    let mut ordered: Vec<&&str> = values.iter().collect();
                    ordered.sort_by_key(|v| {
                        let close =
                            v.eq_ignore_ascii_case(value) || v.replace('_', "-") == value.to_lowercase();
                        (!close, id::edit_distance(v, value, 3).unwrap_or(9))
                    });
                    for v in ordered {
                        let text = if empty { format!(" {v}") } else { v.to_string() };
                        d = d.fix(Fix::edit(format!("Change to `{v}`"), slot.clone(), text));
                    }
                }
                d
            }
            YamlErrorKind::InvalidType { path, found, expected } => {
                let want = match expected.as_str() {
                    "a sequence" => "a list (e.g. `[a, b]` or `- a` lines)".to_string(),
                    "a boolean" => "`true` or `false` (YAML 1.2: `yes`/`no` are strings)".to_string(),
                    "a string" => "a single string".to_string(),
                    "u32" | "usize" | "u64" => "a non-negative whole number".to_string(),
                    other => other.to_string(),
                };
                let hint = if expected == "a sequence" && found.starts_with("string") {
                    " (only `depends_on` accepts a single value)"
                } else {
                    ""
                };
                let mut d = Diagnostic::new(
                    Code::WrongShape,
                    e.range.clone(),
                    format!("`{path}` must be {want}, found {found}{hint}: {unreadable}"),
                );
                if expected == "a sequence" && !found.starts_with("map") {
                    if let Some((slot, false)) = value_slot(f, path) {
                        let raw = &f.text[slot.clone()];
                        d = d.fix(
                            Fix::edit(format!("Turn `{path}` into a list"), slot.clone(), format!("[{raw}]"))
                                .automatic(),
                        );
                    }
                }
                d
            }
            YamlErrorKind::TooDeep { path } => Diagnostic::new(
                Code::WrongShape,
                e.range.clone(),
                format!("`{path}` nests deeper than {MAX_DEPTH} levels, and no value of `{path}` has that shape: {unreadable} (chant-lsp did not parse it further)"),
            ),
            YamlErrorKind::MissingField { path, field } => Diagnostic::new(
                Code::WrongShape,
                e.range.clone(),
                format!("`{path}` needs `{field}`: {unreadable}"),
            ),
            YamlErrorKind::DuplicateKey { key, first } => {
                let mut d = Diagnostic::new(
                    Code::DuplicateKey,
                    e.range.clone(),
                    format!("`{key}` appears twice: {unreadable}; keep one of them"),
                );
                if let Some(first) = first {
                    d = d.related(f.path, first.clone(), "first occurrence");
                }
                if let Some(e) = f.layout.entries.iter().find(|x| x.key_range == e.range) {
                    let fix = Fix::edit(format!("Remove this `{key}` entry"), e.lines.clone(), "");
                    // Removing a repeat that says the same thing loses nothing.
                    let value = |x: &crate::analysis::layout::Entry| {
                        f.text[x.key_range.end..x.range.end].trim_start().trim_start_matches(':').trim()
                    };
                    let same = first
                        .as_ref()
                        .and_then(|r| f.layout.entries.iter().find(|x| x.key_range == *r))
                        .is_some_and(|x| value(x) == value(e));
                    d = d.fix(if same { fix.automatic() } else { fix });
                }
                d
            }
        };
        out.push(d);
    }
}

/// Keys people write that chant does not have, with what to say about them.
fn known_mistake(key: &str, id: &str) -> Option<String> {
    Some(match key {
        "id" => format!("chant takes the ID from the file name (`{id}`), not from the frontmatter"),
        "title" => "the title is the first `# ` line of the body".to_string(),
        "commit" => "did you mean `commits` (a list)?".to_string(),
        "depends" | "dependencies" | "deps" | "depends-on" | "dependsOn" | "depends_On" => {
            "did you mean `depends_on`?".to_string()
        }
        "tags" | "label" => "did you mean `labels`?".to_string(),
        "files" | "targets" | "target_file" | "target-files" => "did you mean `target_files`?".to_string(),
        "member" => "did you mean `members`?".to_string(),
        "amendments" | "started_at" | "progress" | "failed_at" | "error" | "log" | "auto_completed"
        | "priority" => "chant's docs mention it, but chant v0.23.2 does not read it".to_string(),
        _ => return None,
    })
}

/// The known key an unknown one most likely meant.
fn rename_suggestion(key: &str) -> Option<&'static str> {
    match key {
        "commit" => Some("commits"),
        "depends" | "dependencies" | "deps" | "depends-on" | "dependsOn" | "depends_On" => Some("depends_on"),
        "tags" | "label" => Some("labels"),
        "files" | "targets" | "target_file" | "target-files" => Some("target_files"),
        "member" => Some("members"),
        "id" | "title" => None,
        k => did_you_mean_key(k, &KNOWN_KEYS),
    }
}

/// The value of a (possibly nested, `approval.status`) key: its range, and whether it
/// is empty (then the range is just after the colon).
fn value_slot(f: &SpecFile, path: &str) -> Option<(std::ops::Range<usize>, bool)> {
    let mut parts = path.split('.');
    let mut entry = f.layout.get(parts.next()?)?;
    for part in parts {
        let Value::Map { entries, .. } = &entry.value else { return None };
        entry = entries.iter().find(|e| e.key == part)?;
    }
    match &entry.value {
        Value::Empty { at } => Some((*at..*at, true)),
        Value::Scalar(s) => Some((s.range.clone(), false)),
        v => Some((v.range(), false)),
    }
}

/// The closest known key within edit distance 2.
fn did_you_mean_key(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let lower = key.to_lowercase().replace('-', "_");
    known
        .iter()
        .filter_map(|k| {
            if *k == lower {
                return Some((0, *k));
            }
            id::edit_distance(k, &lower, 2).map(|d| (d, *k))
        })
        .min()
        .map(|(_, k)| k)
}

fn unknown_keys(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    // Not a scan per key: quadratic in a frontmatter of many keys.
    let mut seen: SmallMap<()> = SmallMap::default();
    for e in &f.layout.entries {
        let known = KNOWN_KEYS.contains(&e.key.as_str());
        if !known {
            if seen.contains(&e.key) {
                out.push(
                    Diagnostic::new(
                        Code::DuplicateKey,
                        e.key_range.clone(),
                        format!("`{}` appears twice (chant ignores this key anyway)", e.key),
                    )
                    .severity(Severity::Warning),
                );
                continue;
            }
            let rename = rename_suggestion(&e.key);
            let hint = if ctx.config.required.iter().any(|r| r == &e.key) {
                "`enterprise.required` lists it, but chant's required-field check only knows built-in keys: `chant lint` reports it missing even though it is here".to_string()
            } else if let Some(m) = known_mistake(&e.key, f.id) {
                m
            } else if let Some(k) = did_you_mean_key(&e.key, &KNOWN_KEYS) {
                format!("did you mean `{k}`?")
            } else {
                "move this information into the body".to_string()
            };
            let mut d = Diagnostic::new(
                Code::UnknownKey,
                e.key_range.clone(),
                format!("unknown key `{}`: chant ignores it and deletes it the next time it saves this spec; {hint}", e.key),
            );
            if let Some(k) = rename {
                if f.layout.get(k).is_none() {
                    d = d.fix(Fix::edit(format!("Rename to `{k}`"), e.key_range.clone(), k));
                }
            }
            out.push(d);
        }
        seen.insert(&e.key, ());
        let nested: &[&'static str] = match e.key.as_str() {
            "approval" => &["required", "status", "by", "at"],
            "retry_state" => &["attempts", "last_retry_time", "next_retry_time"],
            _ => continue,
        };
        if let Value::Map { entries, .. } = &e.value {
            for n in entries.iter().filter(|n| !nested.contains(&n.key.as_str())) {
                let hint = did_you_mean_key(&n.key, nested)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_else(|| format!("; `{}` takes {}", e.key, nested.join(", ")));
                out.push(Diagnostic::new(
                    Code::UnknownKey,
                    n.key_range.clone(),
                    format!("unknown key `{}.{}`: chant ignores it{hint}", e.key, n.key),
                ));
            }
        }
    }
}

fn local_dependencies(f: &SpecFile, out: &mut Vec<Diagnostic>) {
    // Not a scan of the entries so far per entry: quadratic in a long list.
    let mut seen: SmallMap<std::ops::Range<usize>> = SmallMap::default();
    let items = f.items("depends_on");
    let deletions = f.item_deletions("depends_on");
    for (k, (dep, range)) in items.iter().enumerate() {
        let remove = Fix::edit(
            format!("Remove `{dep}` from depends_on"),
            deletions.get(k).cloned().unwrap_or(range.clone()),
            "",
        );
        if let Some(first) = seen.get(dep.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateDependency,
                    range.clone(),
                    format!("`{dep}` is listed twice in depends_on"),
                )
                .related(f.path, first.clone(), "first listed here")
                .fix(remove.automatic()),
            );
            continue;
        }
        seen.insert(dep, range.clone());
        if dep == f.id {
            out.push(
                Diagnostic::new(
                    Code::SelfDependency,
                    range.clone(),
                    "this spec depends on itself: it can never be ready; remove the entry",
                )
                .fix(remove),
            );
        } else if let Some((repo, rest)) = id::split_repo(dep) {
            out.push(Diagnostic::new(
                Code::CrossRepoDependency,
                range.clone(),
                format!("cross-repo dependency `{repo}:{rest}`: chant v0.23.2 reports it as unknown in `chant lint` and keeps this spec blocked even when `{rest}` is completed in `{repo}`"),
            ).fix(remove));
        }
    }
}

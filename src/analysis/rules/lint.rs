//! `chant lint`'s own rules (chant-behaviour.md §5.2) with chant's thresholds and severities,
//! each placed on the part of the spec it is about. Lint O1–O3 live with the file
//! links; D1/D2 with the project rules.

use crate::analysis::diagnostic::{Code, Diagnostic, Fix};
use crate::analysis::frontmatter::{has_field, ApprovalStatus, SpecType, KNOWN_KEYS};
use crate::analysis::id;
use crate::analysis::spec::{Context, Readable, SpecFile};

pub fn check(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    title(f, out);
    required(ctx, f, out);
    type_fields(f, out);
    complexity(ctx, f, out);
    coupling(f, out);
    model_waste(ctx, f, out);
    approval(f, out);
}

fn title(f: &SpecFile, out: &mut Vec<Diagnostic>) {
    if f.body.title.is_some() {
        return;
    }
    let range = match &f.body.title_without_space {
        Some(r) => r.clone(),
        None => f.split.close_fence.clone().unwrap_or_else(|| f.head_range()),
    };
    let hint = if f.body.title_without_space.is_some() {
        "chant needs a space after `#` (this line is not a title)"
    } else {
        "add a `# Title` line after the frontmatter"
    };
    let mut d = Diagnostic::new(
        Code::MissingTitle,
        range,
        format!("missing title: `chant lint` fails and `chant work` refuses this spec; {hint}"),
    );
    d = match &f.body.title_without_space {
        Some(r) => {
            let text = &f.text[r.clone()];
            d.fix(
                Fix::edit(
                    "Add the space after `#`",
                    r.clone(),
                    format!("# {}", text.trim_start_matches('#').trim_start()),
                )
                .automatic(),
            )
        }
        None => {
            let after_line = |at: usize| f.text[at..].find('\n').map_or(f.text.len(), |i| at + i + 1);
            // Right after the frontmatter; after the one the author meant when chant finds
            // none (unclosed, or hidden by a BOM), so that its own fix still applies;
            // at the top without any.
            let (at, title) = match (&f.split.close_fence, &f.yaml) {
                (Some(close), _) => (after_line(close.end), "# Title\n\n"),
                (None, Some(y)) if f.text[y.end..].starts_with("---") => (after_line(y.end), "# Title\n\n"),
                // Unclosed: the closing fence goes at `y.end`, then a blank line, the title.
                (None, Some(y)) => (y.end, "\n\n# Title"),
                (None, None) => (0, "# Title\n\n"),
            };
            let prefix = if at == f.text.len() && !f.text.ends_with('\n') && at > 0 && title.starts_with('#')
            {
                "\n"
            } else {
                ""
            };
            d.fix(Fix::edit("Insert a title", at..at, format!("{prefix}{title}")))
        }
    };
    out.push(d);
}

fn required(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    for name in &ctx.config.required {
        if has_field(f.fm(), name) {
            continue;
        }
        let present = f.layout.get(name);
        let builtin = KNOWN_KEYS.contains(&name.as_str())
            && !matches!(name.as_str(), "public" | "retry_state" | "derived_fields");
        let message = if present.is_some() && !builtin {
            format!("`chant lint` reports required field `{name}` missing although it is here: chant's check only knows its built-in fields, so `{name}` can never pass; remove it from `enterprise.required`")
        } else if !builtin {
            format!("required field `{name}` is missing, and chant's check can never pass for it (it only knows built-in fields); remove it from `enterprise.required`")
        } else {
            format!("required field `{name}` is missing (`enterprise.required`): `chant lint` fails")
        };
        let range = present.map(|e| e.key_range.clone()).unwrap_or_else(|| f.head_range());
        let mut d = Diagnostic::new(Code::MissingRequiredField, range, message);
        if let Some(o) = &ctx.config.required_origin {
            d = d.related(&o.path, o.range.clone(), "enterprise.required");
        }
        out.push(d);
    }
}

fn type_fields(f: &SpecFile, out: &mut Vec<Diagnostic>) {
    let fm = f.fm();
    let at = f.value_range("type").unwrap_or_else(|| f.head_range());
    let mut missing = |what: &str, why: &str| {
        out.push(Diagnostic::new(
            Code::TypeMissingField,
            at.clone(),
            format!("{} spec without {what}: {why} (chant lint warns)", fm.kind.as_str()),
        ));
    };
    match fm.kind {
        SpecType::Documentation => {
            if fm.tracks.is_none() {
                missing("`tracks`", "`chant drift` cannot tell when the documented code changes");
            }
            if fm.target_files.is_none() {
                missing("`target_files`", "the agent is not told which documents to write");
            }
        }
        SpecType::Research => {
            if fm.informed_by.is_none() && fm.origin.is_none() {
                missing("`informed_by` or `origin`", "the research has no declared inputs");
            }
            if fm.target_files.is_none() {
                missing("`target_files`", "the agent is not told where to write its findings");
            }
        }
        SpecType::Driver | SpecType::Group if fm.members.as_ref().is_some_and(Vec::is_empty) => {
            let r = f.value_range("members").unwrap_or(at.clone());
            out.push(Diagnostic::new(
                Code::EmptyMembers,
                r,
                "`members: []` on a driver: list the member IDs or remove the key (chant lint warns)",
            ));
        }
        _ => {}
    }
}

fn complexity(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    let t = &ctx.config.thresholds;
    let criteria = f.body.checkboxes_total;
    if criteria > t.complexity_criteria {
        let r = f.body.ac_headings.last().cloned().unwrap_or_else(|| f.head_range());
        out.push(Diagnostic::new(
            Code::TooManyCriteria,
            r,
            format!("{criteria} acceptance criteria (more than {}): too much for one agent run; consider `chant split {}`", t.complexity_criteria, f.id),
        ));
    }
    let files = f.fm().target_files.as_ref().map_or(0, Vec::len);
    if files > t.complexity_files {
        let r = f.key_range("target_files").unwrap_or_else(|| f.head_range());
        out.push(Diagnostic::new(
            Code::TooManyFiles,
            r,
            format!(
                "touches {files} files (more than {}): consider `chant split {}`",
                t.complexity_files, f.id
            ),
        ));
    }
    if ctx.config.word_limit_enabled() && f.body.words > t.complexity_words {
        let r = f.body.title.as_ref().map(|t| t.line.clone()).unwrap_or_else(|| f.head_range());
        out.push(Diagnostic::new(
            Code::TooManyWords,
            r,
            format!("the description is {} words (more than {}): may be too much for one run; consider `chant split {}`", f.body.words, t.complexity_words, f.id),
        ));
    }
}

fn coupling(f: &SpecFile, out: &mut Vec<Diagnostic>) {
    if f.fm().kind.is_driver() {
        return;
    }
    let own = f.id;
    let driver = id::driver_of(own);
    for m in &f.body.mentions {
        // When chant misreads the frontmatter as body text, the IDs in it are already
        // explained by the split diagnostic.
        if f.readable != Readable::Yes && f.yaml.as_ref().is_some_and(|y| y.contains(&m.range.start)) {
            continue;
        }
        if m.id.starts_with(own) || own.starts_with(m.id.as_str()) {
            continue;
        }
        let msg = match driver {
            Some(d) => {
                if id::driver_of(&m.id) != Some(d) {
                    continue;
                }
                format!("mentions sibling spec `{}`: member specs should stand alone; if it must finish first, use depends_on (chant lint warns)", m.id)
            }
            None => format!("mentions spec `{}` in the body: chant wants dependencies in `depends_on`, not prose (chant lint warns, `[[…]]` included)", m.id),
        };
        out.push(Diagnostic::new(Code::SpecCoupling, m.range.clone(), msg));
    }
}

fn model_waste(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    let fm = f.fm();
    let Some(model) = &fm.model else { return };
    let lower = model.to_lowercase();
    if !(lower.contains("opus") || lower.contains("sonnet")) {
        return;
    }
    if fm.kind.is_driver() || fm.kind == SpecType::Research {
        return;
    }
    let t = &ctx.config.thresholds;
    let criteria = f.body.checkboxes_total;
    let files = fm.target_files.as_ref().map_or(0, Vec::len);
    if criteria <= t.simple_criteria && files <= t.simple_files && f.body.words <= t.simple_words {
        let r = f.value_range("model").unwrap_or_else(|| f.head_range());
        out.push(Diagnostic::new(
            Code::ModelWaste,
            r,
            format!("`{model}` on a simple spec ({criteria} criteria, {files} files, {} words): consider haiku (chant lint warns)", f.body.words),
        ));
    }
}

fn approval(f: &SpecFile, out: &mut Vec<Diagnostic>) {
    let Some(a) = &f.fm().approval else { return };
    let at = |key: &str| {
        f.layout
            .get("approval")
            .and_then(|e| match &e.value {
                crate::analysis::layout::Value::Map { entries, .. } => {
                    entries.iter().find(|x| x.key == key).map(|x| {
                        let r = x.value.range();
                        if r.is_empty() {
                            x.key_range.clone()
                        } else {
                            r
                        }
                    })
                }
                _ => None,
            })
            .or_else(|| f.key_range("approval"))
            .unwrap_or_else(|| f.head_range())
    };
    if matches!(a.status, ApprovalStatus::Approved | ApprovalStatus::Rejected) {
        let state = a.status.as_str();
        if a.by.is_none() {
            out.push(Diagnostic::new(
                Code::ApprovalIncomplete,
                at("status"),
                format!("approval is {state} but `by` is missing: `chant lint` fails; record who decided (`chant approve` fills it in)"),
            ));
        }
        if a.at.is_none() {
            out.push(Diagnostic::new(
                Code::ApprovalIncomplete,
                at("status"),
                format!("approval is {state} but `at` is missing: `chant lint` fails; record when"),
            ));
        }
    }
    if a.status == ApprovalStatus::Pending && a.by.is_some() {
        out.push(Diagnostic::new(
            Code::ApprovalInconsistent,
            at("by"),
            "approval has `by` but its status is still pending: `chant lint` fails; set the status or remove `by`",
        ));
    }
}

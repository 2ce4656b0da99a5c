//! "chant will read this differently from what you see": places where chant's line
//! rules and a Markdown reader disagree, and settings that break `chant work` later.

use crate::analysis::diagnostic::{Code, Diagnostic};
use crate::analysis::facts::{normalize_link, LinkPath};
use crate::analysis::frontmatter::Status;
use crate::analysis::id::edit_distance;
use crate::analysis::quality::{Grade, Light};
use crate::analysis::spec::{Context, Place, Readable, SpecFile};

pub fn check(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    let b = &f.body;
    if let Some(t) = &b.title {
        if t.in_code {
            let mut d = Diagnostic::new(
                Code::TitleInCodeBlock,
                t.line.clone(),
                format!("chant takes this line inside a code block as the spec's title (\"{}\"): its title rule does not skip code; put the real `# Title` line before the code block", t.text),
            );
            if let Some(v) = &b.visible_title {
                d = d.related(f.path, v.clone(), "the heading a reader sees as the title");
            }
            out.push(d);
        }
    }
    for t in &b.tilde_fences {
        out.push(Diagnostic::new(
            Code::TildeFence,
            t.open.clone(),
            format!(
                "chant does not treat `~~~` blocks as code, so it reads {} inside this one; use a ``` fence",
                t.effects.join(", ")
            ),
        ));
    }
    for h in &b.ignored_ac_headings {
        let boxes = match h.checkboxes {
            0 => String::new(),
            1 => "; the checkbox below is not counted".to_string(),
            n => format!("; the {n} checkboxes below are not counted"),
        };
        out.push(Diagnostic::new(
            Code::AcHeadingIgnored,
            h.range.clone(),
            format!("chant does not see this as the acceptance criteria: it needs a line starting with `## Acceptance Criteria` exactly (level 2, this capitalisation){boxes}"),
        ));
    }
    for r in &b.uncounted_checkboxes {
        out.push(Diagnostic::new(
            Code::CheckboxIgnored,
            r.clone(),
            "chant counts only `- [ ]` / `- [x]` items: this one can stay open and the spec still completes; write it as `- [ ] …`",
        ));
    }
    if b.ac_headings.len() > 1 {
        if let Some((last, earlier)) = b.ac_headings.split_last() {
            for h in earlier {
                out.push(
                    Diagnostic::new(
                        Code::MultipleAcSections,
                        h.clone(),
                        "more than one `## Acceptance Criteria` section: completion counts only the last one, while `chant lint` and `chant verify` read this first one; merge them",
                    )
                    .related(f.path, last.clone(), "the section chant counts for completion"),
                );
            }
        }
    }
    let workable = matches!(
        f.fm().status,
        Status::Pending | Status::Failed | Status::Blocked | Status::NeedsAttention | Status::Paused
    ) && f.place != Place::Archived;
    if workable {
        prompt(ctx, f, out);
        if f.quality.work_light == Light::Refine && !f.fm().kind.is_driver() && f.readable != Readable::No {
            let q = &f.quality;
            let mut parts = Vec::new();
            if q.complexity == Grade::D {
                parts.push("complexity D (too many criteria, files or words)");
            }
            if q.confidence == Grade::D {
                parts.push("confidence D (mostly prose, few bullets)");
            }
            if q.work_ac == Grade::D {
                parts.push("no acceptance criteria");
            }
            let range = b.title.as_ref().map(|t| t.line.clone()).unwrap_or_else(|| f.head_range());
            out.push(Diagnostic::new(
                Code::NeedsRefinement,
                range,
                format!(
                    "chant grades this spec Refine ({}): `chant work` without a terminal (editors, CI) refuses it unless given --skip-criteria; add imperative `- [ ]` acceptance criteria",
                    parts.join(", ")
                ),
            ));
        }
    }
}

fn prompt(ctx: &Context, f: &SpecFile, out: &mut Vec<Diagnostic>) {
    // A spec chant cannot load never gets as far as its prompt.
    if f.readable == Readable::No {
        return;
    }
    let Some(name) = &f.fm().prompt else { return };
    let Some(range) = f.value_range("prompt") else {
        return;
    };
    let exists = match normalize_link(&format!(".chant/prompts/{name}.md")) {
        LinkPath::Relative(p) => ctx.facts.kind(&p).is_some(),
        _ => false,
    };
    if exists {
        return;
    }
    let available = if ctx.prompts.is_empty() {
        "`.chant/prompts/` has no prompts (`chant init prompts` installs them)".to_string()
    } else {
        let suggestion = ctx
            .prompts
            .iter()
            .find(|p| edit_distance(p, name, 2).is_some())
            .map(|p| format!("did you mean `{p}`? "))
            .unwrap_or_default();
        let names: Vec<&str> = ctx.prompts.iter().map(String::as_str).collect();
        format!("{suggestion}available: {}", names.join(", "))
    };
    out.push(Diagnostic::new(
        Code::MissingPrompt,
        range,
        format!("no prompt file `.chant/prompts/{name}.md`: `chant work` fails after marking the spec in_progress, leaving a stray worktree and branch; {available}"),
    ));
}

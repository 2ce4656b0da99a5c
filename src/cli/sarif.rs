//! `check --format sarif`: SARIF 2.1.0 for code-scanning tools (GitHub code scanning and
//! others), built from `serde-sarif`'s typed structures. One rule per diagnostic code,
//! described from the code table; one result per diagnostic with its related locations
//! and a fingerprint that survives edits elsewhere in the file ([`fingerprint`]).
//!
//! File URIs are relative to the current directory (where CI runs, the repository root)
//! under the base `%SRCROOT%`; a project outside it gets absolute `file://` URIs.
//! Columns count UTF-16 code units, SARIF's default.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool,
    ToolComponent,
};

use super::check::{joined, read_text, FileTexts, ProjectReport};
use crate::analysis::diagnostic::{Diagnostic, Severity, CODES};
use crate::analysis::text::LineIndex;
use crate::io::load;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// The fingerprint's name: its inputs change only with a new version of the name.
const FINGERPRINT: &str = "chantLsp/v1";

fn level(sev: Severity) -> ResultLevel {
    match sev {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Information | Severity::Hint => ResultLevel::Note,
    }
}

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

/// One rule per code, in the code table's order (a result's `ruleIndex` is its code's
/// place in the table).
fn rules() -> Vec<ReportingDescriptor> {
    CODES
        .iter()
        .map(|c| {
            let level = serde_json::to_value(level(c.severity)).unwrap_or_default();
            ReportingDescriptor::builder()
                .id(c.name)
                .name(c.name)
                .short_description(text(c.what))
                .full_description(text(format!("{} {}", c.what, c.why)))
                .help(MultiformatMessageString::builder().text(c.fix).markdown(c.fix).build())
                .default_configuration(ReportingConfiguration::builder().level(level).build())
                .properties(
                    PropertyBag::builder().tags(vec!["chant".to_string(), c.group.to_string()]).build(),
                )
                .build()
        })
        .collect()
}

/// A URI reference with everything but unreserved characters and `/` percent-encoded.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a project file is: relative to `%SRCROOT%` when under the current directory.
fn artifact(display: &str, path: &str) -> ArtifactLocation {
    let shown = joined(display, path);
    if Path::new(&shown).is_absolute() {
        ArtifactLocation::builder().uri(format!("file://{}", encode(&shown))).build()
    } else {
        ArtifactLocation::builder().uri(encode(&shown)).uri_base_id(SRCROOT).build()
    }
}

fn region(idx: &LineIndex, range: &std::ops::Range<usize>) -> Region {
    let (s, e) = idx.range(range);
    let n = |x: usize| i64::try_from(x + 1).unwrap_or(i64::MAX);
    Region::builder()
        .start_line(n(s.line))
        .start_column(n(s.utf16))
        .end_line(n(e.line))
        .end_column(n(e.utf16))
        .build()
}

/// A stable identity for a finding: FNV-1a (64 bits) of its code, its file's
/// project-relative path, the text it flags (the whole line for an empty range) and how
/// many findings of that code flagged the same text before it in the file. Line numbers
/// are left out, so an edit elsewhere in the file keeps the fingerprint.
pub fn fingerprint(code: &str, path: &str, flagged: &str, occurrence: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let occurrence = occurrence.to_string();
    for part in [code, path, flagged, &occurrence] {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn results_of_file(p: &ProjectReport, path: &str, diags: &[Diagnostic]) -> Vec<SarifResult> {
    let text = read_text(&p.root, path);
    let mut texts = FileTexts::new(&p.root, path, &text);
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    diags
        .iter()
        .map(|d| {
            let flagged = match text.get(d.range.clone()) {
                Some(t) if !t.is_empty() => t,
                _ => texts.idx.line_text(texts.idx.position(d.range.start).line),
            };
            let n = seen.entry((d.code.as_str(), flagged)).or_insert(0);
            let print = fingerprint(d.code.as_str(), path, flagged, *n);
            *n += 1;
            let location = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(artifact(&p.display, path))
                        .region(region(&texts.idx, &d.range))
                        .build(),
                )
                .build();
            let related: Vec<Location> = d
                .related
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let region = texts.with_index(&r.path, |idx| region(idx, &r.range));
                    Location::builder()
                        .id(i64::try_from(k + 1).unwrap_or(i64::MAX))
                        .physical_location(
                            PhysicalLocation::builder()
                                .artifact_location(artifact(&p.display, &r.path))
                                .region(region)
                                .build(),
                        )
                        .message(Message::builder().text(r.message.clone()).build())
                        .build()
                })
                .collect();
            let prints = BTreeMap::from([(FINGERPRINT.to_string(), print)]);
            let mut result = SarifResult::builder()
                .rule_id(d.code.as_str())
                .rule_index(d.code as i64)
                .level(level(d.severity))
                .message(Message::builder().text(d.message.clone()).build())
                .locations(vec![location])
                .fingerprints(prints.clone())
                .partial_fingerprints(prints)
                .build();
            if !related.is_empty() {
                result.related_locations = Some(related);
            }
            result
        })
        .collect()
}

/// The SARIF log of every project: one run.
pub fn to_sarif(projects: &[ProjectReport]) -> Sarif {
    let mut results = Vec::new();
    for p in projects {
        let per_file = load::parallel_map(&p.reports, |r| results_of_file(p, &r.path, &r.diagnostics));
        results.extend(per_file.into_iter().flatten());
    }
    let version = env!("CARGO_PKG_VERSION");
    let driver = ToolComponent::builder()
        .name("chant-lsp")
        .full_name(super::version_line())
        .version(version)
        .semantic_version(version)
        .rules(rules())
        .build();
    let mut run = Run::builder().tool(Tool::builder().driver(driver).build()).results(results).build();
    run.column_kind = Some(serde_json::Value::String("utf16CodeUnits".to_string()));
    let cwd = std::env::current_dir().ok().and_then(|c| std::fs::canonicalize(c).ok());
    if let Some(cwd) = cwd.and_then(|c| c.to_str().map(str::to_string)) {
        let uri = format!("file://{}/", encode(cwd.trim_end_matches('/')));
        run.original_uri_base_ids =
            Some(BTreeMap::from([(SRCROOT.to_string(), ArtifactLocation::builder().uri(uri).build())]));
    }
    Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::Value::String("2.1.0".to_string()))
        .runs(vec![run])
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_and_uris() {
        let a = fingerprint("bom", ".chant/specs/a.md", "\u{feff}---", 0);
        assert_eq!(a.len(), 16);
        assert_eq!(a, fingerprint("bom", ".chant/specs/a.md", "\u{feff}---", 0));
        assert_ne!(a, fingerprint("bom", ".chant/specs/a.md", "\u{feff}---", 1));
        assert_ne!(a, fingerprint("bom", ".chant/specs/b.md", "\u{feff}---", 0));
        // The parts are separated: moving a character between them changes the print.
        assert_ne!(fingerprint("ab", "c", "", 0), fingerprint("a", "bc", "", 0));
        assert_eq!(encode("a b/ü%.md"), "a%20b/%C3%BC%25.md");
    }
}

//! The `chant` settings, from `initializationOptions` and `workspace/configuration`:
//!
//! ```json
//! { "diagnostics": { "select": ["dependency-cycle"], "ignore": ["model-waste"],
//!                    "disabled": ["model-waste"], "severity": { "spec-coupling": "hint" } },
//!   "archived": false, "executable": "chant", "startWatch": false, "logLevel": "info",
//!   "sourceFiles": { "enabled": true, "blame": false } }
//! ```
//!
//! `select` and `ignore` are the lists of the project's `chant-lsp.toml` (read here too,
//! [`project_file`]): each one set in the editor replaces the file's.

use crate::analysis::facts::{caps, ReadProblem};
use std::collections::HashMap;
use std::path::Path;

use crate::analysis::diagnostic::{Code, Diagnostic, Severity};
use crate::analysis::selection::{self, Selection, PROJECT_FILE};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiagnosticSettings {
    /// Report only these codes (over `select` in `chant-lsp.toml`).
    pub select: Option<Vec<String>>,
    /// Never report these codes (over `ignore` in `chant-lsp.toml`).
    pub ignore: Option<Vec<String>>,
    /// Codes never shown (whatever `select` says).
    pub disabled: Vec<String>,
    /// Code → `error` | `warning` | `info` | `hint` | `off`.
    pub severity: HashMap<String, String>,
}

/// What the server shows in project files that are not specs.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFileSettings {
    /// Lenses and references from a file back to the specs naming it.
    pub enabled: bool,
    /// Hover on a line names the spec whose commit last changed it (blame).
    pub blame: bool,
}

impl Default for SourceFileSettings {
    fn default() -> Self {
        SourceFileSettings { enabled: true, blame: false }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub diagnostics: DiagnosticSettings,
    pub source_files: SourceFileSettings,
    /// Report what is wrong inside archived specs too.
    pub archived: bool,
    /// The `chant` executable (a name on PATH or a path).
    pub executable: String,
    /// Let `chant work` start its background `chant watch` daemon (by default the
    /// server passes `--no-watch`: a daemon outliving the editor is a surprise).
    pub start_watch: bool,
    /// `error` | `warn` | `info` | `debug` | `trace`.
    pub log_level: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            diagnostics: DiagnosticSettings::default(),
            source_files: SourceFileSettings::default(),
            archived: false,
            executable: "chant".to_string(),
            start_watch: false,
            log_level: None,
        }
    }
}

/// What a settings value said that could not be used.
pub type Problems = Vec<String>;

impl Settings {
    /// Reads settings from a JSON value (the `chant` section). Unknown keys are ignored;
    /// a value of the wrong type is reported (naming the key and the type it needs) and
    /// that one setting keeps its default, every other setting is kept.
    pub fn from_json(value: &serde_json::Value) -> (Settings, Problems) {
        let mut problems = Vec::new();
        let mut settings = Settings::default();
        if value.is_null() {
            return (settings, problems);
        }
        // Clients send either `{ "chant": {...} }` or the section itself.
        let value = value.get("chant").unwrap_or(value);
        let Some(obj) = value.as_object() else {
            problems.push(format!("chant settings: expected an object, got {}", kind(value)));
            return (settings, problems);
        };
        let mut p = |key: &str, expected: &str, v: &serde_json::Value| {
            problems.push(format!("chant.{key}: expected {expected}, got {}; using the default", kind(v)))
        };
        if let Some(d) = obj.get("diagnostics").filter(|v| !v.is_null()) {
            match d.as_object() {
                None => p("diagnostics", "an object", d),
                Some(d) => {
                    for (key, target) in [
                        ("select", &mut settings.diagnostics.select),
                        ("ignore", &mut settings.diagnostics.ignore),
                    ] {
                        if let Some(v) = field(d, key) {
                            match serde_json::from_value(v.clone()) {
                                Ok(x) => *target = Some(x),
                                Err(_) => p(&format!("diagnostics.{key}"), "a list of diagnostic codes", v),
                            }
                        }
                    }
                    if let Some(v) = field(d, "disabled") {
                        match serde_json::from_value(v.clone()) {
                            Ok(x) => settings.diagnostics.disabled = x,
                            Err(_) => p("diagnostics.disabled", "a list of diagnostic codes", v),
                        }
                    }
                    if let Some(v) = field(d, "severity") {
                        match serde_json::from_value(v.clone()) {
                            Ok(x) => settings.diagnostics.severity = x,
                            Err(_) => p("diagnostics.severity", "an object of code: severity", v),
                        }
                    }
                }
            }
        }
        if let Some(d) = obj.get("sourceFiles").filter(|v| !v.is_null()) {
            match d.as_object() {
                None => p("sourceFiles", "an object", d),
                Some(d) => {
                    for (key, target) in [
                        ("enabled", &mut settings.source_files.enabled),
                        ("blame", &mut settings.source_files.blame),
                    ] {
                        if let Some(v) = field(d, key) {
                            match v.as_bool() {
                                Some(b) => *target = b,
                                None => p(&format!("sourceFiles.{key}"), "true or false", v),
                            }
                        }
                    }
                }
            }
        }
        for (key, target) in [("archived", &mut settings.archived), ("startWatch", &mut settings.start_watch)]
        {
            if let Some(v) = field(obj, key) {
                match v.as_bool() {
                    Some(b) => *target = b,
                    None => p(key, "true or false", v),
                }
            }
        }
        if let Some(v) = field(obj, "executable") {
            match v.as_str() {
                Some(e) if !e.trim().is_empty() => settings.executable = e.to_string(),
                _ => p("executable", "a program name or path", v),
            }
        }
        if let Some(v) = field(obj, "logLevel") {
            match v.as_str() {
                Some(l) => settings.log_level = Some(l.to_string()),
                None => p("logLevel", "a string (error, warn, info, debug, trace)", v),
            }
        }
        let lists = [&settings.diagnostics.select, &settings.diagnostics.ignore];
        for code in settings
            .diagnostics
            .disabled
            .iter()
            .chain(lists.into_iter().flatten().flatten())
            .chain(settings.diagnostics.severity.keys())
        {
            if Code::from_name(code).is_none() {
                problems.push(format!("unknown diagnostic code `{code}` in chant.diagnostics settings"));
            }
        }
        for (code, sev) in &settings.diagnostics.severity {
            if parse_severity(sev).is_none() && sev != "off" {
                problems.push(format!("`{sev}` for `{code}`: use error, warning, info, hint or off"));
            }
        }
        (settings, problems)
    }

    /// The editor's layer of `select` / `ignore` (unknown codes were reported and are
    /// left out).
    pub fn selection(&self) -> Selection {
        let known = |list: &Option<Vec<String>>| {
            list.as_ref().map(|names| selection::codes(names.iter().map(String::as_str)).0)
        };
        Selection { select: known(&self.diagnostics.select), ignore: known(&self.diagnostics.ignore) }
    }

    /// The diagnostic as the user wants it, or `None` when turned off.
    pub fn apply(&self, mut d: Diagnostic) -> Option<Diagnostic> {
        let name = d.code.as_str();
        if self.diagnostics.disabled.iter().any(|c| c == name) {
            return None;
        }
        if let Some(sev) = self.diagnostics.severity.get(name) {
            if sev == "off" {
                return None;
            }
            if let Some(s) = parse_severity(sev) {
                d.severity = s;
            }
        }
        Some(d)
    }
}

/// The `select` / `ignore` of the project's `chant-lsp.toml` (nothing when there is no
/// such file), and what in it could not be used, for the person to be told.
pub fn project_file(root: &Path) -> (Selection, Vec<String>) {
    let path = root.join(PROJECT_FILE);
    match crate::io::read::Project::new(root).read(std::path::Path::new(PROJECT_FILE), caps::SPEC) {
        Ok(bytes) => selection::parse_project_file(&String::from_utf8_lossy(&bytes)),
        Err(ReadProblem::Missing) => (Selection::default(), Vec::new()),
        Err(e) => (Selection::default(), vec![format!("{} {}", path.display(), e.describe())]),
    }
}

/// A setting that is present (a `null` counts as absent).
fn field<'a>(
    obj: &'a serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Option<&'a serde_json::Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// What a JSON value is, for messages.
fn kind(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {:?}", crate::analysis::text::ellipsis(s, 40)),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

fn parse_severity(s: &str) -> Option<Severity> {
    Some(match s {
        "error" => Severity::Error,
        "warning" | "warn" => Severity::Warning,
        "info" | "information" => Severity::Information,
        "hint" => Severity::Hint,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_applies() {
        let (s, problems) = Settings::from_json(&serde_json::json!({
            "chant": { "diagnostics": { "disabled": ["model-waste", "nope"], "severity": { "spec-coupling": "hint", "status-ready": "off", "bom": "loud" } }, "executable": "/opt/chant" }
        }));
        assert_eq!(s.executable, "/opt/chant");
        assert_eq!(problems.len(), 2, "{problems:?}");
        let d = |code| Diagnostic::new(code, 0..1, "m");
        assert!(s.apply(d(Code::ModelWaste)).is_none());
        assert!(s.apply(d(Code::StatusReady)).is_none());
        assert_eq!(s.apply(d(Code::SpecCoupling)).map(|d| d.severity), Some(Severity::Hint));
        assert_eq!(s.apply(d(Code::Bom)).map(|d| d.severity), Some(Severity::Error));
        // One mistyped setting keeps the others.
        let (s, problems) = Settings::from_json(&serde_json::json!({
            "archived": "yes", "executable": "/opt/chant", "startWatch": true,
            "diagnostics": { "disabled": "model-waste", "severity": { "bom": "hint" } }
        }));
        assert_eq!(s.executable, "/opt/chant");
        assert!(s.start_watch && !s.archived);
        assert_eq!(s.diagnostics.severity.get("bom").map(String::as_str), Some("hint"));
        assert!(s.diagnostics.disabled.is_empty());
        assert_eq!(
            problems,
            [
                "chant.diagnostics.disabled: expected a list of diagnostic codes, got the string \"model-waste\"; using the default",
                "chant.archived: expected true or false, got the string \"yes\"; using the default",
            ]
        );
        // `select` / `ignore`: lists of codes, over the project file's.
        let (s, problems) = Settings::from_json(&serde_json::json!({
            "diagnostics": { "select": ["bom", "nope"], "ignore": "bom" }
        }));
        assert_eq!(
            problems,
            [
                "chant.diagnostics.ignore: expected a list of diagnostic codes, got the string \"bom\"; using the default",
                "unknown diagnostic code `nope` in chant.diagnostics settings",
            ]
        );
        let file = Selection { select: Some(vec![Code::ModelWaste]), ignore: Some(vec![Code::Bom]) };
        let layered = s.selection().over(&file);
        assert_eq!(layered.select, Some(vec![Code::Bom]), "the editor's select replaces the file's");
        assert_eq!(layered.ignore, Some(vec![Code::Bom]), "the file's ignore stays");
        // Source files: on by default, blame off; a wrong type keeps the default.
        let (s, problems) =
            Settings::from_json(&serde_json::json!({ "sourceFiles": { "enabled": "no", "blame": true } }));
        assert!(s.source_files.enabled && s.source_files.blame);
        assert_eq!(
            problems,
            ["chant.sourceFiles.enabled: expected true or false, got the string \"no\"; using the default"]
        );
        let (s, problems) = Settings::from_json(&serde_json::json!(["nope"]));
        assert_eq!((s, problems.len()), (Settings::default(), 1));
    }
}

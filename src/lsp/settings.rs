//! The `chant` settings, from `initializationOptions` and `workspace/configuration`:
//!
//! ```json
//! { "diagnostics": { "disabled": ["model-waste"], "severity": { "spec-coupling": "hint" } },
//!   "archived": false, "executable": "chant", "startWatch": false, "logLevel": "info" }
//! ```

use std::collections::HashMap;

use serde::Deserialize;

use crate::analysis::diagnostic::{Code, Diagnostic, Severity};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct DiagnosticSettings {
    /// Codes never shown.
    pub disabled: Vec<String>,
    /// Code → `error` | `warning` | `info` | `hint` | `off`.
    pub severity: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    pub diagnostics: DiagnosticSettings,
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
    /// bad values are reported and fall back to their defaults.
    pub fn from_json(value: &serde_json::Value) -> (Settings, Problems) {
        let mut problems = Vec::new();
        if value.is_null() {
            return (Settings::default(), problems);
        }
        // Clients send either `{ "chant": {...} }` or the section itself.
        let value = value.get("chant").unwrap_or(value);
        let settings = match serde_json::from_value::<Settings>(value.clone()) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("chant settings ignored: {e}"));
                Settings::default()
            }
        };
        for code in settings.diagnostics.disabled.iter().chain(settings.diagnostics.severity.keys()) {
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
        let (s, problems) = Settings::from_json(&serde_json::json!({ "archived": "yes" }));
        assert_eq!(s, Settings::default());
        assert_eq!(problems.len(), 1);
    }
}

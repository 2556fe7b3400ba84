//! SARIF 2.1.0 output, so GitHub code scanning annotates the manifest lines of a pull request.
//!
//! Every diagnostic becomes a result (validation errors as well as lint findings); the driver's
//! rules are the linter's [`RULES`] plus any other code that occurs, so each result's `ruleId`
//! resolves. Each rule's descriptions and help come from the code registry (`crate::codes`). Locations are relative to the working directory with `/` separators, as code
//! scanning expects repository-relative URIs.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::RULES;
use crate::codes::{self, Code, Stage};
use crate::diagnostic::{Diagnostic, Severity};

/// The SARIF schema URI written into the log.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A reporting descriptor for one registered code.
fn rule(code: &Code) -> Value {
    let mut help = code.explanation.to_owned();
    if code.stage == Stage::Lint {
        help.push_str(&format!(
            " Suppress for one role with `spec.lint: {{allow: [{}], reason: ...}}`.",
            code.code
        ));
    }
    json!({
        "id": code.code,
        "name": code.code,
        "shortDescription": {"text": code.summary},
        "fullDescription": {"text": code.explanation},
        "help": {"text": help},
        "defaultConfiguration": {"level": level(code.severity)},
    })
}

/// Renders diagnostics as a SARIF 2.1.0 log (pretty JSON with a trailing newline).
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut rules: Vec<Value> = RULES.iter().map(|c| rule(c)).collect();
    let mut known: BTreeSet<&str> = RULES.iter().map(|r| r.code).collect();
    for d in diagnostics {
        if known.insert(d.code) {
            rules.push(match codes::find(d.code) {
                Some(c) => rule(c),
                None => json!({
                    "id": d.code,
                    "name": d.code,
                    "shortDescription": {"text": d.code},
                    "defaultConfiguration": {"level": level(d.severity)},
                }),
            });
        }
    }
    let index = |code: &str| {
        rules
            .iter()
            .position(|r| r["id"] == code)
            .unwrap_or_default()
    };
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": index(d.code),
                "level": level(d.severity),
                "message": {"text": text},
            });
            if let Some(l) = &d.primary {
                let uri = l.location.file.to_string_lossy().replace('\\', "/");
                let uri = uri.strip_prefix("./").unwrap_or(&uri).to_owned();
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {
                            "startLine": l.location.line,
                            "startColumn": l.location.column,
                        },
                    },
                    "message": {"text": l.text},
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rolesmith",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/rolesmith/rolesmith",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    crate::json::pretty(&log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    #[test]
    fn results_reference_rules_and_carry_regions() {
        let d = Diagnostic::new(codes::WILDCARD_RESOURCE, "m")
            .with_help("h")
            .at(
                Location {
                    file: "./m/role.yaml".into(),
                    line: 3,
                    column: 7,
                    offset: 0,
                    len: 1,
                },
                "here",
            );
        let other = Diagnostic::new(codes::INVALID_SID, "bad sid");
        let log: Value = serde_json::from_str(&render(&[d, other])).unwrap();
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        assert_eq!(results[0]["level"], "warning");
        let i = results[0]["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], "wildcard-resource");
        let loc = &results[0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "m/role.yaml");
        assert_eq!(loc["region"]["startLine"], 3);
        assert_eq!(loc["region"]["startColumn"], 7);
        let j = results[1]["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[j]["id"], "invalid-sid");
        // Descriptions come from the registry, not the code repeated.
        assert_eq!(
            rules[j]["fullDescription"]["text"],
            codes::INVALID_SID.explanation
        );
        assert!(
            rules[i]["help"]["text"]
                .as_str()
                .unwrap()
                .contains("spec.lint")
        );
    }
}

//! serde-saphyr errors → diagnostics in the manifest's terms: a registered code, a message
//! without the library's jargon, the place to look and what to do.
//!
//! serde-saphyr reports errors as text, so each kind of error is recognised by its wording, one
//! function per kind, tried in order (the first that recognises the text wins). Apart from the
//! loader because the wording is serde-saphyr's and changes with it; the loader only needs
//! [`diagnostic`].

use crate::codes::{self, Code};
use crate::diagnostic::{Diagnostic, Location, did_you_mean};
use crate::manifest::source::{SourceIndex, SourceText};

use super::{MAX_ALIASES, MAX_NODES};

/// The help for a value of the wrong type when nothing more precise is known.
const CHECK_THE_TYPE: &str = "check the value's type against schema/rolesmith.schema.json";

/// Turns a serde-saphyr error into a diagnostic with a code, location and help.
pub(super) fn diagnostic(
    source: &SourceText,
    index: &SourceIndex,
    error: &serde_saphyr::Error,
) -> Diagnostic {
    let raw = error.without_snippet().to_string();
    let message = match raw.rfind(" at line ") {
        Some(i) => &raw[..i],
        None => &raw,
    };
    let at = ErrorAt {
        source,
        index,
        position: error
            .location()
            .map(|l| (l.line() as usize, l.column() as usize)),
    };
    let found = budget_breach(message)
        .or_else(|| unknown_field(message))
        .or_else(|| missing_field(message, &at))
        .or_else(|| unknown_variant(message))
        .or_else(|| duplicate_key(message))
        .or_else(|| unexpected_event(message))
        .or_else(|| invalid_scalar(message, &at))
        .unwrap_or_else(|| other(message));
    let location = found
        .location
        .or_else(|| at.position.map(|(l, c)| source.location(l, c, 1)));
    Diagnostic::new(found.code, found.message)
        .at_opt(location, found.label)
        .with_help(found.help)
}

/// Where serde-saphyr says the error is, with what is needed to point more precisely.
struct ErrorAt<'a> {
    source: &'a SourceText,
    index: &'a SourceIndex,
    /// 1-based line and column.
    position: Option<(usize, usize)>,
}

/// An error reworded: what the diagnostic says and, if better than serde-saphyr's position,
/// where it points.
struct Reworded {
    code: &'static Code,
    message: String,
    label: String,
    help: String,
    location: Option<Location>,
}

impl Reworded {
    fn new(code: &'static Code, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            label: "here".to_owned(),
            help: help.into(),
            location: None,
        }
    }

    fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
}

/// The names after "expected one of" / "expected" in an unknown field or variant error.
fn expected_names(rest: &str) -> Vec<&str> {
    rest.split_once("expected one of ")
        .or_else(|| rest.split_once("expected "))
        .map(|(_, list)| list.split(", ").map(|s| s.trim_matches('`')).collect())
        .unwrap_or_default()
}

/// A breached node, alias or depth budget ("budget breached: Nodes { nodes: 50001 } …",
/// directly or inside an alias error), named in the manifest's terms.
fn budget_breach(message: &str) -> Option<Reworded> {
    let breach = message.strip_prefix("budget breached: ")?;
    let message = match breach.split([' ', '{']).next().unwrap_or_default() {
        "Nodes" => format!(
            "the document expands to more than {MAX_NODES} YAML values (each use of an alias counts again)"
        ),
        "Aliases" => format!("the document uses more than {MAX_ALIASES} aliases (`*name`)"),
        "Depth" => "the document nests too deeply".to_owned(),
        _ => format!("the document exceeds a YAML size limit: {breach}"),
    };
    Some(
        Reworded::new(
            codes::DOCUMENT_TOO_LARGE,
            message,
            "no role needs a document this large: write the values out instead of repeating aliases, or split the document",
        )
        .label("limit reached here"),
    )
}

/// A field the manifest format does not have: did-you-mean, or the allowed fields.
fn unknown_field(message: &str) -> Option<Reworded> {
    let rest = message.strip_prefix("unknown field `")?;
    let field = rest.split('`').next().unwrap_or_default();
    let expected = expected_names(rest);
    let help = match did_you_mean(field, expected.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if expected.is_empty() => "remove this field".to_owned(),
        None => format!("allowed fields here: {}", expected.join(", ")),
    };
    Some(Reworded::new(codes::UNKNOWN_FIELD, message, help))
}

/// A required field that is absent. serde reports the mapping's last key; this points at the
/// mapping that lacks the field instead.
fn missing_field(message: &str, at: &ErrorAt<'_>) -> Option<Reworded> {
    let rest = message.strip_prefix("missing field `")?;
    let field = rest.split('`').next().unwrap_or_default();
    let mut found = Reworded::new(
        codes::MISSING_FIELD,
        message,
        format!("add `{field}:`; see schema/rolesmith.schema.json"),
    );
    if let Some(path) = at.position.and_then(|(l, c)| at.index.mapping_at(l, c))
        && let Some((span, is_exact)) = at.index.find(&path)
    {
        let (l, c, n) = match (is_exact, span.key) {
            (true, Some(key)) => key,
            _ => span.value,
        };
        found.location = Some(at.source.location(l, c, n));
        found.label = format!("`{field}` is missing here");
    }
    Some(found)
}

/// A value outside an enumeration: did-you-mean, or a pointer to the listed values.
fn unknown_variant(message: &str) -> Option<Reworded> {
    let rest = message.strip_prefix("unknown variant `")?;
    let given = rest.split('`').next().unwrap_or_default();
    let expected = expected_names(rest);
    let help = match did_you_mean(given, expected.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "use one of the values listed".to_owned(),
    };
    Some(Reworded::new(codes::INVALID_VALUE, message, help))
}

/// A key given twice in one mapping, without serde-saphyr's advice about its own options,
/// which users cannot set.
fn duplicate_key(message: &str) -> Option<Reworded> {
    if !message.starts_with("duplicate mapping key") {
        return None;
    }
    let key = message
        .strip_prefix("duplicate mapping key: ")
        .and_then(|rest| rest.strip_suffix(", set DuplicateKeyPolicy in Options if acceptable"));
    let message = match key {
        Some(k) => format!("duplicate key `{k}`"),
        None => "duplicate key in a mapping".to_owned(),
    };
    Some(Reworded::new(
        codes::DUPLICATE_KEY,
        message,
        "remove one of the duplicated keys",
    ))
}

/// A scalar where a mapping or a list belongs (or the reverse).
fn unexpected_event(message: &str) -> Option<Reworded> {
    let what = message.strip_prefix("unexpected event: expected ")?;
    let (what, help) = match what {
        "mapping start" => ("a mapping", "write `key: value` pairs here (or `{}`)"),
        "sequence start" => ("a list", "write a list here: `- item` lines or `[a, b]`"),
        other => (other, CHECK_THE_TYPE),
    };
    Some(
        Reworded::new(codes::INVALID_TYPE, format!("expected {what} here"), help)
            .label(format!("expected {what}")),
    )
}

/// A scalar that does not parse as the expected type, e.g. `maxSessionDuration: 12h`
/// ("invalid u32"), quoting the value.
fn invalid_scalar(message: &str, at: &ErrorAt<'_>) -> Option<Reworded> {
    let ty = message
        .strip_prefix("invalid ")
        .filter(|t| !t.contains(' '))?;
    let (what, help) = match ty {
        "bool" => ("a boolean", "write `true` or `false`"),
        "f32" | "f64" => ("a number", "write a plain number"),
        t if t.starts_with('u') => (
            "a non-negative whole number",
            "write a plain non-negative whole number, without units",
        ),
        t if t.starts_with('i') => ("a whole number", "write a plain whole number"),
        _ => ("valid here", CHECK_THE_TYPE),
    };
    let value = at
        .position
        .map(|(l, c)| at.source.token_at(l, c))
        .unwrap_or_default();
    let message = if value.is_empty() {
        format!("this value is not {what}")
    } else {
        format!("`{value}` is not {what}")
    };
    Some(Reworded::new(codes::INVALID_TYPE, message, help).label(format!("expected {what}")))
}

/// Everything else, by the words it uses, with serde-saphyr's message kept.
fn other(message: &str) -> Reworded {
    let (code, help) = if message.starts_with("invalid type")
        || message.starts_with("invalid ")
        || message.contains("expected")
    {
        (codes::INVALID_TYPE, CHECK_THE_TYPE)
    } else if message.contains("did not match any variant") {
        (
            codes::INVALID_VALUE,
            "this value has none of the accepted shapes; see schema/rolesmith.schema.json",
        )
    } else if message.contains("duplicate") {
        (codes::DUPLICATE_KEY, "remove one of the duplicated keys")
    } else {
        (
            codes::INVALID_MANIFEST,
            "see schema/rolesmith.schema.json for the manifest format",
        )
    };
    Reworded::new(code, message, help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_error_is_recognised_by_one_function() {
        let cases: [(&str, &Code); 6] = [
            (
                "budget breached: Aliases { aliases: 1001 }",
                codes::DOCUMENT_TOO_LARGE,
            ),
            (
                "unknown field `tag`, expected one of `tags`, `path`",
                codes::UNKNOWN_FIELD,
            ),
            (
                "unknown variant `Alow`, expected `Allow` or `Deny`",
                codes::INVALID_VALUE,
            ),
            ("duplicate mapping key: team", codes::DUPLICATE_KEY),
            (
                "unexpected event: expected sequence start",
                codes::INVALID_TYPE,
            ),
            ("something else entirely", codes::INVALID_MANIFEST),
        ];
        for (message, code) in cases {
            let found = budget_breach(message)
                .or_else(|| unknown_field(message))
                .or_else(|| unknown_variant(message))
                .or_else(|| duplicate_key(message))
                .or_else(|| unexpected_event(message))
                .unwrap_or_else(|| other(message));
            assert_eq!(found.code.code, code.code, "{message}");
        }
        let field = unknown_field("unknown field `tag`, expected one of `tags`, `path`").unwrap();
        assert_eq!(field.help, "did you mean `tags`?");
        let dup = duplicate_key(
            "duplicate mapping key: team, set DuplicateKeyPolicy in Options if acceptable",
        )
        .unwrap();
        assert_eq!(dup.message, "duplicate key `team`");
    }
}

//! Tests for the policy module: equivalence tables, parsing and rendering, properties of
//! canonicalization, and trust shorthand expansion.

use super::*;

mod equivalence;
mod props;
mod rendering;
mod trust;

/// Parses a plain JSON document with the default context; panics on bad input.
fn policy(json: &str) -> Policy {
    Policy::from_json_str(json, &NormalizeContext::default())
        .unwrap_or_else(|e| panic!("bad test document: {e}\n{json}"))
}

/// A one-statement document whose statement body is `body` (JSON object members).
fn stmt(body: &str) -> Policy {
    policy(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{{body}}}]}}"#
    ))
}

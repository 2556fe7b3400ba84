//! The manifest JSON Schema, generated from the same types the loader parses.

use crate::manifest::model::Manifest;

/// The JSON Schema for manifests, pretty-printed with a trailing newline.
pub fn manifest_schema() -> String {
    let schema = schemars::schema_for!(Manifest);
    crate::json::pretty(&schema)
}

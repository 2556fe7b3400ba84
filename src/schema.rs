//! The manifest JSON Schema, generated from the same types the loader parses.

use crate::manifest::model::Manifest;

/// Where the committed schema is published (the raw file on the default branch): its `$id`, so
/// editors and validators that fetch it by URL resolve its `$ref`s against one base.
pub const SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/rolesmith/rolesmith/main/schema/rolesmith.schema.json";

/// The JSON Schema for manifests, pretty-printed with a trailing newline.
pub fn manifest_schema() -> String {
    let mut schema = schemars::schema_for!(Manifest);
    schema.insert("$id".to_owned(), SCHEMA_ID.into());
    crate::json::pretty(&schema)
}

//! Manifests: the YAML files users write, their types, loading with source positions, and
//! validation into the normalized desired state.
//!
//! Nothing here knows of the linter: the check stage (`crate::check`) runs load → validate →
//! lint, so `lint` may depend on the manifest types and positions without a cycle.

pub mod cut;
pub mod grammar;
pub mod limits;
pub mod load;
pub mod model;
pub mod source;
pub mod validate;

pub use load::{Document, Loaded, LoadedDocument, load_paths};
pub use validate::{CheckedDocument, Duplicates, Target, check_document};

//! Manifests: the YAML files users write, their types, loading with source positions, and
//! validation into the normalized desired state.

pub mod grammar;
pub mod limits;
pub mod load;
pub mod model;
pub mod source;
pub mod validate;

pub use load::{Document, Loaded, LoadedDocument, load_paths};
pub use validate::{ResolveContext, Validator, load_and_validate, validate};

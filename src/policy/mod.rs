//! Policy documents: the typed wire form ([`document`]), the canonical form that all comparison
//! goes through ([`normalize`]), and the trust shorthand that expands into a trust policy
//! ([`trust`]). Knows nothing of files or AWS.

pub mod document;
pub mod normalize;
pub mod service_principal;
pub mod set;
pub mod trust;

#[cfg(test)]
mod tests;

pub use document::*;
pub use normalize::*;
pub use trust::*;

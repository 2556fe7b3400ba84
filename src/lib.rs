//! rolesmith: manage AWS IAM roles the GitOps way.
//!
//! Data flows one way: manifests are loaded, validated and linted into the normalized desired
//! state ([`check`] over [`manifest`] and [`lint`], into [`state`]); an account ([`account`]) is read into the same model; [`diff`]
//! compares the two; [`plan`] orders the changes into steps; [`render`] shows them and
//! [`apply`] runs them through an account writer.

pub mod account;
pub mod apply;
pub mod check;
pub mod cli;
pub mod codes;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod expiry;
pub mod import;
pub mod inventory;
pub mod json;
pub mod lint;
pub mod manifest;
pub mod plan;
pub mod policy;
pub mod quotas;
pub mod render;
pub mod schema;
pub mod state;

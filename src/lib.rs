//! rolesmith: manage AWS IAM roles the GitOps way.

pub mod policy;

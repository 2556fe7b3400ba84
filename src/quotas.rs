//! Account quotas: the limits IAM lets an account raise, and the hard ceilings they are checked
//! against.
//!
//! They live apart from the manifest rules (`manifest::limits`) because two stages read them:
//! the check stage rejects a manifest that exceeds them, and `plan` uses them to order steps
//! (detach before attach when a role would briefly hold more managed policies than its quota).
//! Keeping them here lets `plan` depend on the quotas without depending on `manifest`.

/// Quotas that depend on the account (IAM lets some be raised).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Managed policies per role (default 10, IAM allows raising to 20).
    pub managed_policies_per_role: usize,
    /// Trust policy size in non-whitespace characters (default 2048, up to 4096).
    pub trust_policy_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            managed_policies_per_role: 10,
            trust_policy_size: 2048,
        }
    }
}

/// IAM's hard limit on managed policies per role.
pub const MAX_MANAGED_POLICIES_QUOTA: usize = 20;
/// IAM's hard limit on trust policy size.
pub const MAX_TRUST_POLICY_QUOTA: usize = 4096;
/// Aggregate size of a role's inline policies, non-whitespace characters (a fixed IAM limit;
/// `plan` also needs it to decide when inline policies must be deleted before others are put).
pub const INLINE_POLICIES_AGGREGATE: usize = 10_240;
/// Size of a customer managed policy document, non-whitespace characters (a fixed IAM limit).
pub const MANAGED_POLICY_SIZE: usize = 6_144;

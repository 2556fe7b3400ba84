//! Case-insensitive string newtypes for the canonical form: IAM matches action names and
//! condition keys ignoring ASCII case, but users want to see the spelling they wrote.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Defines a string newtype that compares, orders and hashes by its ASCII-lowercased form while
/// keeping (and displaying) the spelling it was built from.
macro_rules! case_insensitive_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string, keeping its spelling.
            pub fn new(s: impl Into<String>) -> Self {
                $name(s.into())
            }

            /// The original spelling.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            fn folded(&self) -> impl Iterator<Item = u8> + '_ {
                self.0.bytes().map(|b| b.to_ascii_lowercase())
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.eq_ignore_ascii_case(&other.0)
            }
        }

        impl Eq for $name {}

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                self.folded().cmp(other.folded())
            }
        }

        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                for b in self.folded() {
                    state.write_u8(b);
                }
                state.write_u8(0xff);
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

case_insensitive_string!(
    /// An action name such as `s3:GetObject`; IAM matches actions case-insensitively.
    ActionName
);

case_insensitive_string!(
    /// A condition key such as `aws:SourceIp`; IAM matches condition keys case-insensitively.
    CiKey
);

//! Pretty JSON for output: the one place rolesmith turns its own values into printed JSON.
//!
//! These values are plain data with string keys, so serializing them cannot fail. Were it ever
//! to, that is a bug, and it must not pass as an empty document (a script would read "no
//! changes", and two different values would print alike): it panics with the reason instead.

use serde::Serialize;

/// `value` as pretty JSON with a trailing newline.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| panic!("rolesmith's own data always serializes as JSON: {e}"));
    text.push('\n');
    text
}

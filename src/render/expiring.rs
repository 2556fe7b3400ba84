//! The manifests' elements that end soon, as the drift report lists them (plans list them as
//! warnings).

use std::fmt::Write as _;

/// The Markdown list (empty when nothing ends soon).
pub fn markdown(expiring: &[String]) -> String {
    let mut s = String::new();
    if !expiring.is_empty() {
        let _ = writeln!(
            s,
            "\n**{} element(s) of the manifests expire soon:**\n",
            expiring.len()
        );
        for e in expiring {
            let _ = writeln!(s, "- {e}");
        }
    }
    s
}

/// The text list (empty when nothing ends soon).
pub fn text(expiring: &[String]) -> String {
    let mut out = String::new();
    if !expiring.is_empty() {
        let _ = writeln!(
            out,
            "{} element(s) of the manifests expire soon:",
            expiring.len()
        );
        for e in expiring {
            let _ = writeln!(out, "  {e}");
        }
    }
    out
}

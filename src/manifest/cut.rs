//! Removing elements from a manifest's text at their located spans, every other byte — comments
//! and blank lines included — left as it was (`rolesmith expire --write`).
//!
//! An element is a block-style list item or mapping entry, found by its YAML path: it spans its
//! first line and every following line indented deeper (for a mapping entry, also the `- `
//! items YAML allows at the key's own column). A collection left empty goes with its last
//! element where the kind allows it (`managedPolicies`, `tags`, an inline policy, then
//! `inlinePolicies`); a whole document goes as its byte range. Flow style (`[a, b]`,
//! `{k: v}`) is refused with the element named, never half-edited.

use std::ops::Range;

use crate::manifest::load::LoadedDocument;
use crate::manifest::source::Seg;

/// The byte ranges of the file to delete so that the elements at `paths` of `doc` are gone (a
/// path of `None` is the whole document).
pub fn removals(
    doc: &LoadedDocument,
    paths: &[Option<Vec<Seg>>],
) -> Result<Vec<Range<usize>>, String> {
    if paths.iter().any(Option::is_none) {
        return Ok(vec![doc.byte_range()]);
    }
    let value = doc.document.to_value().map_err(|e| e.to_string())?;
    let mut wanted: Vec<Vec<Seg>> = paths
        .iter()
        .flatten()
        .map(|p| single_statement(p))
        .collect::<Result<_, _>>()?;
    // A collection whose every element goes, goes itself, where the kind allows it.
    loop {
        let next = promote(&value, wanted.clone())?;
        if next == wanted {
            break;
        }
        wanted = next;
    }
    let text = &doc.source.text;
    let mut ranges = Vec::new();
    for path in &wanted {
        let is_item = matches!(path.last(), Some(Seg::Index(_)));
        let at = if is_item {
            doc.locate(path)
        } else {
            doc.locate_key(path)
        };
        let span = block_span(text, at.offset, is_item).ok_or_else(|| {
            format!(
                "{at}: not a plain block-style item or entry (flow style `[...]`/`{{...}}`, an anchor or a complex key); remove it by hand"
            )
        })?;
        refuse_anchor_used_elsewhere(text, &span, &at)?;
        ranges.push(span);
    }
    Ok(ranges)
}

/// An expired statement written as the one `Statement:` object (no list) is its whole policy's
/// content: an inline policy goes with it; a trust policy or managed policy cannot.
fn single_statement(path: &[Seg]) -> Result<Vec<Seg>, String> {
    match path {
        [Seg::Key(spec), Seg::Key(inline), name, Seg::Key(st)]
            if spec == "spec" && inline == "inlinePolicies" && st == "Statement" =>
        {
            Ok(vec![Seg::Key(spec.clone()), Seg::Key(inline.clone()), name.clone()])
        }
        [.., Seg::Key(st)] if st == "Statement" => Err(
            "every statement of the policy has expired: remove the policy (and what attaches it), or keep a statement".into(),
        ),
        _ => Ok(path.to_vec()),
    }
}

/// Refuses to cut a span that defines a YAML anchor (`&name`) an alias outside it still uses.
fn refuse_anchor_used_elsewhere(
    text: &str,
    span: &Range<usize>,
    at: &crate::diagnostic::Location,
) -> Result<(), String> {
    let inside = &text[span.clone()];
    for (i, _) in inside.match_indices('&') {
        let name: String = inside[i + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if name.is_empty() {
            continue;
        }
        let alias = format!("*{name}");
        let outside = format!("{}{}", &text[..span.start], &text[span.end..]);
        if outside.contains(&alias) {
            return Err(format!(
                "{at}: defines the anchor `&{name}`, which `{alias}` elsewhere still uses; remove it by hand"
            ));
        }
    }
    Ok(())
}

/// `text` without `ranges` (overlapping ones merged).
pub fn cut(text: &str, mut ranges: Vec<Range<usize>>) -> String {
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.start > at {
            out.push_str(&text[at..r.start]);
        }
        at = at.max(r.end);
    }
    out.push_str(&text[at.min(text.len())..]);
    out
}

/// Paths whose siblings all go replaced by their parent, where removing the parent leaves a
/// valid manifest; an error where it would not (every trust entry, every statement of a
/// managed policy or trust policy).
fn promote(value: &serde_json::Value, paths: Vec<Vec<Seg>>) -> Result<Vec<Vec<Seg>>, String> {
    let mut out: Vec<Vec<Seg>> = Vec::new();
    let mut parents: Vec<Vec<Seg>> = paths
        .iter()
        .filter_map(|p| p.split_last().map(|(_, parent)| parent.to_vec()))
        .collect();
    parents.sort_by_key(|p| format!("{p:?}"));
    parents.dedup();
    let mut whole: Vec<Vec<Seg>> = Vec::new();
    for parent in parents {
        let going = paths
            .iter()
            .filter(|p| p.len() == parent.len() + 1 && p.starts_with(&parent))
            .count();
        let total = match lookup(value, &parent) {
            Some(serde_json::Value::Array(a)) => a.len(),
            Some(serde_json::Value::Object(o)) => o.len(),
            _ => usize::MAX,
        };
        if going < total {
            continue;
        }
        let keys: Vec<&str> = parent
            .iter()
            .map(|s| match s {
                Seg::Key(k) => k.as_str(),
                Seg::Index(_) => "#",
            })
            .collect();
        match keys.as_slice() {
            ["spec", "managedPolicies"] | ["spec", "tags"] | ["spec", "inlinePolicies"] => {}
            ["spec", "inlinePolicies", _, "Statement"] => {}
            ["spec", "trust"] => {
                return Err(
                    "every trust entry has expired: give the role an `expiresAt`, or remove it"
                        .into(),
                );
            }
            [.., "Statement"] => {
                return Err(
                    "every statement of the policy has expired: remove the policy (and what attaches it), or keep a statement".into(),
                );
            }
            _ => continue,
        }
        whole.push(parent);
    }
    for p in paths {
        if !whole.iter().any(|w| p.starts_with(w) && p.len() > w.len()) {
            out.push(p);
        }
    }
    for w in whole {
        // An inline policy's `Statement` going means the policy goes.
        let w = match w.last() {
            Some(Seg::Key(k)) if k == "Statement" => w[..w.len() - 1].to_vec(),
            _ => w,
        };
        if !out.contains(&w) {
            out.push(w);
        }
    }
    Ok(out)
}

fn lookup<'v>(value: &'v serde_json::Value, path: &[Seg]) -> Option<&'v serde_json::Value> {
    path.iter().try_fold(value, |v, seg| match seg {
        Seg::Key(k) => v.get(k.as_str()),
        Seg::Index(i) => v.get(*i),
    })
}

/// The lines of a block-style element whose value (a list item) or key (a mapping entry)
/// starts at byte `offset`; `None` when it is written in flow style.
fn block_span(text: &str, offset: usize, is_item: bool) -> Option<Range<usize>> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let indent = if is_item {
        let dash = prefix.trim_end().strip_suffix('-')?;
        if !dash.chars().all(|c| c == ' ') {
            return None;
        }
        dash.len()
    } else {
        if !prefix.chars().all(|c| c == ' ') {
            return None;
        }
        prefix.len()
    };
    let mut end = text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1);
    let mut at = end;
    while at < text.len() {
        let next = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = &text[at..next];
        let body = line.trim_end_matches(['\n', '\r']);
        let depth = body.len() - body.trim_start_matches(' ').len();
        if body.trim().is_empty() {
            at = next;
            continue;
        }
        let deeper = depth > indent;
        let items_of_key = !is_item && depth == indent && body[depth..].starts_with("- ");
        if !(deeper || items_of_key) {
            break;
        }
        end = next;
        at = next;
    }
    Some(line_start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_item_spans_its_deeper_lines_and_keeps_the_rest() {
        let text =
            "trust:\n  - service: a\n    # why\n    externalId: x\n\n  - service: b\n# end\n";
        let at = text.find("service: a").unwrap();
        let span = block_span(text, at, true).unwrap();
        assert_eq!(cut(text, vec![span]), "trust:\n\n  - service: b\n# end\n");
        let key = "tags:\n  a: 1\n  b:\n    value: 2\n  c: 3\n";
        let span = block_span(key, key.find("b:").unwrap(), false).unwrap();
        assert_eq!(cut(key, vec![span]), "tags:\n  a: 1\n  c: 3\n");
        // A key whose list items sit at its own column takes them along.
        let list = "spec:\n  managedPolicies:\n  - x\n  - y\n  tags: {}\n";
        let span = block_span(list, list.find("managedPolicies").unwrap(), false).unwrap();
        assert_eq!(cut(list, vec![span]), "spec:\n  tags: {}\n");
        let flow = "managedPolicies: [a, b]\n";
        assert!(block_span(flow, flow.find('b').unwrap(), true).is_none());
    }
}

//! Import from many accounts of the inventory: one manifest per role (policy, provider) however
//! many accounts hold it, with `accounts:` naming where it lives and `overrides:` where it
//! differs.
//!
//! Each account is imported on its own first (the same files a one-account import writes), its
//! own account id written `${account.id}` so a role that differs only by it is one manifest.
//! Then, file by file, the accounts holding it are grouped by what their manifest says: the
//! largest group (the first on a tie) is the manifest, and every other group gets an override
//! of exactly the fields of `spec` that differ — maps merged, lists replaced, a field the group
//! lacks written `null`, which removes it. The result plans empty in every account: the round
//! trip is checked per account by the tests.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{FileKind, Import, ImportedFile, to_yaml};

/// One account's import, and the account.
pub struct AccountImport {
    /// The inventory's name of the account.
    pub name: String,
    /// Its 12-digit id.
    pub id: String,
    /// What importing that account alone gives.
    pub import: Import,
}

/// The manifests of `accounts` merged (see the module docs). `by_default` is the names of the
/// accounts a manifest without `accounts:` lands in: a file held by exactly those needs none.
pub fn merge(accounts: &[AccountImport], by_default: &BTreeSet<String>) -> Import {
    let mut out = Import::default();
    let mut paths: BTreeMap<&std::path::Path, Vec<(&AccountImport, &ImportedFile)>> =
        BTreeMap::new();
    for a in accounts {
        for f in &a.import.files {
            paths.entry(&f.path).or_default().push((a, f));
        }
        for note in &a.import.notes {
            out.notes.push(format!("{}: {note}", a.name));
        }
    }
    for (_, held) in paths {
        match held[0].1.kind {
            FileKind::SamlMetadata => out.files.push(same_everywhere(&held, &mut out.notes)),
            _ => match merged_manifest(&held, by_default, &mut out.notes) {
                Some(file) => out.files.push(file),
                None => continue,
            },
        }
    }
    out
}

/// A file that is not a manifest (a SAML provider's metadata): written once; where accounts
/// differ, the first account's is written and the others are noted.
fn same_everywhere(
    held: &[(&AccountImport, &ImportedFile)],
    notes: &mut Vec<String>,
) -> ImportedFile {
    let first = held[0].1;
    let differ: Vec<&str> = held
        .iter()
        .filter(|(_, f)| f.text != first.text)
        .map(|(a, _)| a.name.as_str())
        .collect();
    if !differ.is_empty() {
        notes.push(format!(
            "{} differs in {} from {}'s, which is written: plan shows the difference there",
            first.path.display(),
            differ.join(", "),
            held[0].0.name
        ));
    }
    first.clone()
}

/// One file's manifest over the accounts holding it, or `None` (noted) when they disagree on
/// more than `spec`.
fn merged_manifest(
    held: &[(&AccountImport, &ImportedFile)],
    by_default: &BTreeSet<String>,
    notes: &mut Vec<String>,
) -> Option<ImportedFile> {
    let first = held[0].1;
    let modeline = first.text.lines().next().filter(|l| l.starts_with('#'));
    let mut groups: Vec<(Value, Vec<&str>)> = Vec::new();
    for (a, f) in held {
        let value = match serde_saphyr::from_str::<Value>(&f.text) {
            Ok(v) => with_account_variables(v, &a.id, &a.name),
            Err(e) => {
                notes.push(format!(
                    "{}: {} was not merged ({e})",
                    a.name,
                    f.path.display()
                ));
                continue;
            }
        };
        match groups.iter_mut().find(|(v, _)| *v == value) {
            Some((_, names)) => names.push(&a.name),
            None => groups.push((value, vec![&a.name])),
        }
    }
    let base_at = base_group(&groups)?;
    let (base, base_names) = groups.remove(base_at);
    let mut overrides = Vec::new();
    let mut names: BTreeSet<String> = base_names.iter().map(|n| n.to_string()).collect();
    for (value, group) in &groups {
        if without_spec(value) != without_spec(&base) {
            notes.push(format!(
                "{} is a different kind or name in {} than in {}: imported from {} only",
                first.path.display(),
                group.join(", "),
                base_names.join(", "),
                base_names.join(", ")
            ));
            continue;
        }
        let changes = spec_changes(&base["spec"], &value["spec"]);
        overrides.push(serde_json::json!({
            "accounts": {"include": group},
            "spec": changes,
        }));
        names.extend(group.iter().map(|n| n.to_string()));
    }
    let mut manifest = Map::new();
    let Value::Object(fields) = base else {
        return None;
    };
    for (key, value) in fields {
        if key == "spec" {
            if names != *by_default {
                manifest.insert(
                    "accounts".into(),
                    serde_json::json!({"include": names.iter().collect::<Vec<_>>()}),
                );
            }
            if !overrides.is_empty() {
                manifest.insert("overrides".into(), Value::Array(overrides.clone()));
            }
        }
        manifest.insert(key, value);
    }
    let yaml = to_yaml(&Value::Object(manifest));
    Some(ImportedFile {
        text: match modeline {
            Some(line) => format!("{line}\n{yaml}"),
            None => yaml,
        },
        ..first.clone()
    })
}

/// Which group is the manifest: the largest; among equally large ones (the first 16), the one
/// the others need the smallest overrides against; then the first.
fn base_group(groups: &[(Value, Vec<&str>)]) -> Option<usize> {
    let largest = groups.iter().map(|(_, names)| names.len()).max()?;
    let cost = |base: &Value| -> usize {
        groups
            .iter()
            .map(|(v, _)| spec_changes(&base["spec"], &v["spec"]).to_string().len())
            .sum()
    };
    groups
        .iter()
        .enumerate()
        .filter(|(_, (_, names))| names.len() == largest)
        .take(16)
        .min_by_key(|(i, (v, _))| (cost(v), *i))
        .map(|(i, _)| i)
}

/// `v` with the account's own id in every string written `${account.id}`, and its name, where
/// it stands as a word, `${account.name}`. Substitution gives each account its value back, so
/// the manifest says the same whatever was replaced; what this buys is one manifest where
/// accounts differ only by their own name and id.
fn with_account_variables(v: Value, id: &str, name: &str) -> Value {
    match v {
        Value::String(s) => Value::String(variables_in(&s, id, name)),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|i| with_account_variables(i, id, name))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, with_account_variables(v, id, name)))
                .collect(),
        ),
        other => other,
    }
}

/// One string with the account's id and name as variables, in one pass over the text outside
/// `${…}`: an IAM policy variable (`${aws:username}`) or `${AWS::AccountId}` is kept as it is,
/// and a `${account.…}` or `${var.…}` the live value holds is escaped (`$${…}`) so it stays text.
fn variables_in(s: &str, id: &str, name: &str) -> String {
    let outside = |text: &str| -> String {
        text.split(id)
            .map(|piece| words_replaced(piece, name, "${account.name}"))
            .collect::<Vec<_>>()
            .join("${account.id}")
    };
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&outside(&rest[..start]));
        let token = &rest[start..=start + len];
        if token.starts_with("${account.") || token.starts_with("${var.") {
            out.push('$');
        }
        out.push_str(token);
        rest = &rest[start + len + 1..];
    }
    out.push_str(&outside(rest));
    out
}

/// `s` with `word` replaced by `by` wherever no letter or digit touches it (`dev` in
/// `dev-logs`, not in `devices`).
fn words_replaced(s: &str, word: &str, by: &str) -> String {
    // A name of one or two characters would stand for too many words to read well.
    if word.chars().count() < 3 || !s.contains(word) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut before: Option<char> = None;
    while let Some(at) = rest.find(word) {
        let prev = rest[..at].chars().next_back().or(before);
        let next = rest[at + word.len()..].chars().next();
        let bounded = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        if bounded(prev) && bounded(next) {
            out.push_str(by);
        } else {
            out.push_str(word);
        }
        before = word.chars().next_back();
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// A manifest without its `spec`: what an override cannot change.
fn without_spec(v: &Value) -> Value {
    let mut v = v.clone();
    if let Value::Object(map) = &mut v {
        map.shift_remove("spec");
    }
    v
}

/// The override that turns `base` into `other`: the fields that differ, maps recursively,
/// a field `other` lacks as `null`.
fn spec_changes(base: &Value, other: &Value) -> Value {
    let (Value::Object(b), Value::Object(o)) = (base, other) else {
        return other.clone();
    };
    let mut changes = Map::new();
    for (key, value) in o {
        match b.get(key) {
            Some(old) if old == value => {}
            Some(old @ Value::Object(_)) if value.is_object() => {
                changes.insert(key.clone(), spec_changes(old, value));
            }
            _ => {
                changes.insert(key.clone(), value.clone());
            }
        }
    }
    for key in b.keys() {
        if !o.contains_key(key) {
            changes.insert(key.clone(), Value::Null);
        }
    }
    Value::Object(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_the_differing_fields_with_null_for_the_missing() {
        let base =
            json!({"description": "d", "tags": {"a": "1", "b": "2"}, "managedPolicies": ["x"]});
        let other = json!({"description": "d", "tags": {"a": "1", "c": "3"}, "managedPolicies": ["x", "y"], "path": "/p/"});
        assert_eq!(
            spec_changes(&base, &other),
            json!({"tags": {"c": "3", "b": null}, "managedPolicies": ["x", "y"], "path": "/p/"})
        );
        assert_eq!(spec_changes(&base, &base), json!({}));
    }

    #[test]
    fn the_accounts_own_id_and_name_become_variables() {
        let v = json!({"spec": {"trust": [{"account": "111111111111"}], "p": "arn:aws:iam::111111111111:policy/x", "other": "222222222222", "d": "dev-logs for devices (dev)"}});
        assert_eq!(
            with_account_variables(v, "111111111111", "dev"),
            json!({"spec": {"trust": [{"account": "${account.id}"}], "p": "arn:aws:iam::${account.id}:policy/x", "other": "222222222222", "d": "${account.name}-logs for devices (${account.name})"}})
        );
        assert_eq!(words_replaced("devdev dev", "dev", "X"), "devdev X");
        // Inside `${…}` nothing is replaced, and the account named `account` or `aws` does
        // not reach into the variables themselves.
        assert_eq!(
            variables_in("role in 111111111111", "111111111111", "account"),
            "role in ${account.id}"
        );
        assert_eq!(
            variables_in("arn:aws:s3:::b/${aws:username}/*", "111111111111", "aws"),
            "arn:${account.name}:s3:::b/${aws:username}/*"
        );
        assert_eq!(
            variables_in("literal ${account.name}", "111111111111", "prod"),
            "literal $${account.name}"
        );
        assert_eq!(words_replaced("ädev dev1 dev", "dev", "X"), "ädev dev1 X");
    }
}

//! A document in one account of the inventory: whether it lands there (`accounts:`), and its
//! account variables (`${account.name}`, `${account.id}`, `${account.ou}`,
//! `${account.tags.KEY}`, `${var.NAME}`) replaced by that account's values in every string.
//!
//! Runs before the kind's own checks, so a variable may stand anywhere a string does (a name,
//! a tag, a policy's resource) and every later check sees the account's value. Without an
//! inventory, `accounts:` and account variables are errors: the set manages one account.

use std::borrow::Cow;

use crate::codes;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::inventory::{AccountScope, Selector, lands_in};
use crate::manifest::load::{Document, LoadedDocument};
use crate::manifest::model::{AccountTargeting, Override};
use crate::manifest::source::Seg;
use crate::yaml_path;

use super::Target;

/// `doc` as it is in the target account, with what was found on the way; `None` when its
/// `accounts:` leaves the target account out (the document is not part of that account's set).
pub(crate) fn for_account<'d>(
    doc: &'d LoadedDocument,
    ctx: &Target,
) -> Option<(Cow<'d, LoadedDocument>, Vec<Diagnostic>)> {
    let mut found = Vec::new();
    let targeting = targeting(&doc.document);
    match (&ctx.account, targeting) {
        (None, Some(_)) => found.push(
            Diagnostic::new(
                codes::ACCOUNTS_WITHOUT_INVENTORY,
                "`accounts:` needs an account inventory",
            )
            .at(doc.locate(&yaml_path!["accounts"]), "here")
            .with_help("add an `[accounts]` table to rolesmith.toml, or remove `accounts:` (the set manages the credentials' account)"),
        ),
        (Some(scope), t) => {
            let (include, exclude) = selectors(doc, t, scope, &[Seg::from("accounts")], &mut found);
            if !found.is_empty() {
                return Some((Cow::Borrowed(doc), found));
            }
            if !scope.stand_in && !lands_in(&include, &exclude, &scope.default, &scope.account) {
                return None;
            }
        }
        (None, None) => {}
    }
    let doc = with_overrides(doc, ctx, &mut found);
    let text = doc.text();
    if !(text.contains("${account.") || text.contains("${var.")) {
        return Some((doc, found));
    }
    let resolved = map_strings(&doc.document, &mut |path, s| {
        substitute(&doc, path, s, ctx, &mut found)
    });
    let owned = doc.with_document(resolved);
    Some((Cow::Owned(owned), found))
}

/// `doc` with the `overrides:` that select the target account merged over its `spec`, in
/// order; an override that does not fit the kind's spec is reported at its `spec`.
fn with_overrides<'d>(
    doc: &'d LoadedDocument,
    ctx: &Target,
    found: &mut Vec<Diagnostic>,
) -> Cow<'d, LoadedDocument> {
    let overrides = overrides_of(&doc.document);
    if overrides.is_empty() {
        return Cow::Borrowed(doc);
    }
    let Some(scope) = &ctx.account else {
        found.push(
            Diagnostic::new(
                codes::ACCOUNTS_WITHOUT_INVENTORY,
                "`overrides:` needs an account inventory",
            )
            .at(doc.locate(&yaml_path!["overrides"]), "here")
            .with_help(
                "add an `[accounts]` table to rolesmith.toml, or write the values in `spec`",
            ),
        );
        return Cow::Borrowed(doc);
    };
    let mut document = doc.document.clone();
    let mut redirects = Vec::new();
    for (i, o) in overrides.iter().enumerate() {
        let base = [Seg::from("overrides"), Seg::from(i), Seg::from("accounts")];
        let (include, exclude) = selectors(doc, Some(&o.accounts), scope, &base, found);
        let everywhere = [Selector::All];
        if !scope.stand_in && !lands_in(&include, &exclude, &everywhere, &scope.account) {
            continue;
        }
        let base = document.to_value().unwrap_or_default();
        match merged(&document, &o.spec) {
            Ok(d) => {
                document = d;
                let written = [Seg::from("overrides"), Seg::from(i), Seg::from("spec")];
                let base = base.get("spec").unwrap_or(&serde_json::Value::Null);
                leaves(&o.spec, base, &mut vec![Seg::from("spec")], &mut |path| {
                    let mut to = written.to_vec();
                    to.extend_from_slice(&path[1..]);
                    redirects.push((path.to_vec(), to));
                });
            }
            Err(message) => found.push(
                Diagnostic::new(
                    codes::INVALID_OVERRIDE,
                    format!("this override does not fit the manifest's spec: {message}"),
                )
                .at(
                    doc.locate(&[Seg::from("overrides"), Seg::from(i), Seg::from("spec")]),
                    "merged over `spec` here",
                )
                .with_help(
                    "an override holds fields of `spec` (maps merge, lists replace, null removes)",
                ),
            ),
        }
    }
    let merged = redirects
        .into_iter()
        .fold(doc.with_document(document), |d, (from, to)| {
            d.with_redirect(from, to)
        });
    Cow::Owned(merged)
}

/// Calls `each` with the path of every value an override sets over `base`: into a map that
/// `base` has too, field by field; anything else (a list replaces, a new key) as a whole; a
/// `null` removes and sets nothing.
fn leaves(
    map: &serde_json::Map<String, serde_json::Value>,
    base: &serde_json::Value,
    path: &mut Vec<Seg>,
    each: &mut impl FnMut(&[Seg]),
) {
    for (key, value) in map {
        path.push(Seg::from(key.as_str()));
        let under = base.get(key.as_str());
        match (value, under) {
            (serde_json::Value::Null, _) => {}
            (serde_json::Value::Object(inner), Some(b @ serde_json::Value::Object(_))) => {
                leaves(inner, b, path, each)
            }
            _ => each(path),
        }
        path.pop();
    }
}

/// A document's `overrides:`.
fn overrides_of(doc: &Document) -> &[Override] {
    match doc {
        Document::Role(m) => &m.overrides,
        Document::ServiceLinkedRole(m) => &m.overrides,
        Document::ManagedPolicy(m) => &m.overrides,
        Document::OidcProvider(m) => &m.overrides,
        Document::SamlProvider(m) => &m.overrides,
    }
}

/// `doc` with `spec` merged over its `spec`, or why the result is not a valid spec.
fn merged(
    doc: &Document,
    spec: &serde_json::Map<String, serde_json::Value>,
) -> Result<Document, String> {
    fn merge(base: &mut serde_json::Value, over: &serde_json::Value) {
        match (base, over) {
            (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
                for (k, v) in o {
                    // `null` removes the field (back to its default), as in a JSON merge patch.
                    if v.is_null() {
                        b.shift_remove(k);
                        continue;
                    }
                    match b.get_mut(k) {
                        Some(existing) => merge(existing, v),
                        None => {
                            b.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            (b, o) => *b = o.clone(),
        }
    }
    fn apply<T: serde::Serialize + serde::de::DeserializeOwned>(
        m: &T,
        spec: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<T, String> {
        let mut v = serde_json::to_value(m).map_err(|e| e.to_string())?;
        merge(&mut v["spec"], &serde_json::Value::Object(spec.clone()));
        serde_json::from_value(v).map_err(|e| e.to_string())
    }
    Ok(match doc {
        Document::Role(m) => Document::Role(Box::new(apply(m.as_ref(), spec)?)),
        Document::ServiceLinkedRole(m) => Document::ServiceLinkedRole(apply(m, spec)?),
        Document::ManagedPolicy(m) => Document::ManagedPolicy(Box::new(apply(m.as_ref(), spec)?)),
        Document::OidcProvider(m) => Document::OidcProvider(apply(m, spec)?),
        Document::SamlProvider(m) => Document::SamlProvider(apply(m, spec)?),
    })
}

/// A document's `accounts:`.
fn targeting(doc: &Document) -> Option<&AccountTargeting> {
    match doc {
        Document::Role(m) => m.accounts.as_ref(),
        Document::ServiceLinkedRole(m) => m.accounts.as_ref(),
        Document::ManagedPolicy(m) => m.accounts.as_ref(),
        Document::OidcProvider(m) => m.accounts.as_ref(),
        Document::SamlProvider(m) => m.accounts.as_ref(),
    }
}

/// `doc` with `f` applied to every string value (map keys stay), by its YAML path. The
/// manifest types serialize as they are written, so the round trip through JSON keeps
/// everything else.
fn map_strings(doc: &Document, f: &mut dyn FnMut(&[Seg], &str) -> String) -> Document {
    fn walk(
        v: &mut serde_json::Value,
        path: &mut Vec<Seg>,
        f: &mut dyn FnMut(&[Seg], &str) -> String,
    ) {
        match v {
            serde_json::Value::String(s) => *s = f(path, s),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    path.push(Seg::Index(i));
                    walk(item, path, f);
                    path.pop();
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    path.push(Seg::Key(k.clone()));
                    walk(item, path, f);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    fn mapped<T: serde::Serialize + serde::de::DeserializeOwned>(
        m: &T,
        f: &mut dyn FnMut(&[Seg], &str) -> String,
    ) -> Option<T> {
        let mut v = serde_json::to_value(m).ok()?;
        walk(&mut v, &mut Vec::new(), f);
        serde_json::from_value(v).ok()
    }
    let out = match doc {
        Document::Role(m) => mapped(m.as_ref(), f).map(|m| Document::Role(Box::new(m))),
        Document::ServiceLinkedRole(m) => mapped(m, f).map(Document::ServiceLinkedRole),
        Document::ManagedPolicy(m) => {
            mapped(m.as_ref(), f).map(|m| Document::ManagedPolicy(Box::new(m)))
        }
        Document::OidcProvider(m) => mapped(m, f).map(Document::OidcProvider),
        Document::SamlProvider(m) => mapped(m, f).map(Document::SamlProvider),
    };
    // Substituting strings for strings keeps every type; were it ever not to, the document
    // is checked as written, and its variables are reported by the checks that see them.
    out.unwrap_or_else(|| doc.clone())
}

/// The `include` and `exclude` selectors, each checked: readable, and naming accounts the
/// inventory has.
fn selectors(
    doc: &LoadedDocument,
    targeting: Option<&AccountTargeting>,
    scope: &AccountScope,
    base: &[Seg],
    found: &mut Vec<Diagnostic>,
) -> (Vec<Selector>, Vec<Selector>) {
    let Some(t) = targeting else {
        return (Vec::new(), Vec::new());
    };
    let mut read = |list: &[String], key: &str| -> Vec<Selector> {
        let mut out = Vec::new();
        for (i, text) in list.iter().enumerate() {
            let at = || {
                let mut path = base.to_vec();
                path.extend([Seg::from(key), Seg::from(i)]);
                doc.locate(&path)
            };
            match text.parse::<Selector>() {
                Ok(s @ (Selector::Name(_) | Selector::Id(_)))
                    if !scope.stand_in && !scope.known.iter().any(|k| k == text) =>
                {
                    let help = match did_you_mean(text, scope.known.iter().map(String::as_str)) {
                        Some(near) => format!("did you mean `{near}`? (`rolesmith accounts` lists the inventory)"),
                        None => "`rolesmith accounts` lists the inventory's names and ids".to_owned(),
                    };
                    found.push(
                        Diagnostic::new(
                            codes::UNKNOWN_ACCOUNT,
                            format!("no account of the inventory is named or numbered `{s}`"),
                        )
                        .at(at(), "not in the inventory")
                        .with_help(help),
                    );
                }
                Ok(s) => out.push(s),
                Err(e) => found.push(
                    Diagnostic::new(codes::INVALID_ACCOUNT_SELECTOR, e.to_string())
                        .at(at(), "here")
                        .with_help("a selector is an account name, a 12-digit id, `ou:/PATH`, `tag:KEY=VALUE` or `*`"),
                ),
            }
        }
        out
    };
    let include = read(&t.include, "include");
    let exclude = read(&t.exclude, "exclude");
    (include, exclude)
}

/// `s` with its account variables replaced; an unknown variable, or one the account has no
/// value for, is reported at `path` and left as written.
fn substitute(
    doc: &LoadedDocument,
    path: &[Seg],
    s: &str,
    ctx: &Target,
    found: &mut Vec<Diagnostic>,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let token = &rest[start + 2..start + len];
        let is_variable = token.starts_with("account.") || token.starts_with("var.");
        if is_variable && rest[..start].ends_with('$') {
            // `$${account.name}` is the text `${account.name}`.
            out.push_str(&rest[..start - 1]);
            out.push_str(&rest[start..=start + len]);
            rest = &rest[start + len + 1..];
            continue;
        }
        out.push_str(&rest[..start]);
        match value(token, ctx) {
            Some(Ok(v)) => out.push_str(&v),
            // Not an account variable (`${AWS::AccountId}`, an IAM policy variable): kept.
            None => out.push_str(&rest[start..=start + len]),
            Some(Err((code, message, help))) => {
                found.push(
                    Diagnostic::new(code, message)
                        .at(doc.locate(path), "here")
                        .with_help(help),
                );
                out.push_str(&rest[start..=start + len]);
            }
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

type VariableError = (&'static crate::codes::Code, String, String);

/// The value of `${token}` in the target account: `None` when the token is not an account
/// variable at all.
fn value(token: &str, ctx: &Target) -> Option<Result<String, VariableError>> {
    if !(token.starts_with("account.") || token.starts_with("var.")) {
        return None;
    }
    let Some(scope) = &ctx.account else {
        return Some(Err((
            codes::UNKNOWN_VARIABLE,
            format!("`${{{token}}}` needs an account inventory"),
            "account variables take their values from `[accounts]` in rolesmith.toml".to_owned(),
        )));
    };
    let a = &scope.account;
    let missing = |what: String, help: &str| {
        if scope.stand_in {
            // Offline, without the accounts: any value will do to check the rest.
            return Ok(format!("value-of-{}", token.replace('.', "-")));
        }
        Err((
            codes::MISSING_VARIABLE,
            format!(
                "`${{{token}}}`: account {} ({}) has no {what}",
                a.name, a.id
            ),
            help.to_owned(),
        ))
    };
    Some(match token {
        "account.name" => Ok(a.name.clone()),
        "account.id" => Ok(a.id.clone()),
        "account.ou" => Ok(a.ou.clone()),
        t => match (t.strip_prefix("account.tags."), t.strip_prefix("var.")) {
            (Some(key), _) => a.tags.get(key).cloned().map_or_else(
                || missing(format!("tag `{key}`"), "tag the account, or leave the manifest out of it with `accounts: {exclude: [...]}`"),
                Ok,
            ),
            (_, Some(name)) => a.vars.get(name).cloned().map_or_else(
                || missing(format!("value for `{name}`"), "set it in `[accounts.vars.ACCOUNT]` (or the list entry's `vars`) in rolesmith.toml"),
                Ok,
            ),
            _ => Err((
                codes::UNKNOWN_VARIABLE,
                format!("`${{{token}}}` is not an account variable"),
                "account variables are ${account.name}, ${account.id}, ${account.ou}, ${account.tags.KEY} and ${var.NAME}".to_owned(),
            )),
        },
    })
}

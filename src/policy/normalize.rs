//! The canonical form of a policy document and the only way two documents are compared.
//!
//! [`Policy::from_input`] folds away every difference IAM treats as meaningless: statement order
//! and duplicates, value order, scalar vs one-element list, bare account ids vs
//! `arn:{partition}:iam::ID:root`, the case of action names and condition keys, unquoted
//! booleans/numbers vs their strings, absent vs empty `Sid`, absent vs empty `Condition`. What IAM
//! does treat as meaningful (effect, operators, condition values, resource ARNs, `Version`) is
//! kept exactly. Equality of two [`Policy`] values is document equivalence; JSON text is only ever
//! produced *from* this form, never compared.

use super::set::{SortedMap, SortedSet};
use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

mod ci;

pub use ci::{ActionName, CiKey};

use super::document::{
    ConditionValue, Effect, OneOrMany, PolicyDocumentInput, PrincipalInput, StatementInput,
};

/// Settings that canonicalization depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizeContext {
    /// AWS partition used to expand bare account ids (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
}

impl Default for NormalizeContext {
    fn default() -> Self {
        NormalizeContext {
            partition: "aws".to_owned(),
        }
    }
}

/// A canonical `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principals {
    /// `"*"`.
    Any,
    /// Principal type (`AWS`, `Service`, ...) → identifiers. Bare account ids under `AWS` are
    /// expanded to `arn:{partition}:iam::ID:root`.
    Map(SortedMap<String, SortedSet<String>>),
}

/// Canonical condition block: operator (case-sensitive) → key (case-insensitive) → values.
pub type Conditions = SortedMap<String, SortedMap<CiKey, SortedSet<String>>>;

/// A canonical statement. Build one through [`Policy::from_input`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Statement {
    /// Statement id; absent is `""`.
    pub sid: String,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// `Principal`, if present.
    pub principal: Option<Principals>,
    /// `NotPrincipal`, if present.
    pub not_principal: Option<Principals>,
    /// `Action`, if present.
    pub action: Option<SortedSet<ActionName>>,
    /// `NotAction`, if present.
    pub not_action: Option<SortedSet<ActionName>>,
    /// `Resource`, if present (ARNs are case-sensitive).
    pub resource: Option<SortedSet<String>>,
    /// `NotResource`, if present.
    pub not_resource: Option<SortedSet<String>>,
    /// Conditions; empty means none. Operators with no keys are dropped.
    pub condition: Conditions,
}

/// A canonical policy document: statements sorted and deduplicated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Policy {
    version: Option<String>,
    id: Option<String>,
    statements: Vec<Statement>,
}

/// Why a policy document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyParseError {
    /// A `%` not followed by two hex digits.
    #[error("invalid percent-encoding at byte {offset}: `%` must be followed by two hex digits")]
    InvalidPercentEncoding {
        /// Byte offset of the offending `%`.
        offset: usize,
    },
    /// The percent-decoded bytes are not UTF-8.
    #[error("percent-decoded policy document is not valid UTF-8")]
    InvalidUtf8,
    /// Not a valid policy document (syntax, unknown key, wrong type).
    #[error("invalid policy document: {message}")]
    Json {
        /// serde_json's message (includes the position).
        message: String,
        /// 1-based line, 0 if unknown.
        line: usize,
        /// 1-based column, 0 if unknown.
        column: usize,
    },
}

impl From<serde_json::Error> for PolicyParseError {
    fn from(e: serde_json::Error) -> Self {
        PolicyParseError::Json {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        }
    }
}

/// True for a bare 12-digit AWS account id.
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn canon_principals(p: &PrincipalInput, ctx: &NormalizeContext) -> Principals {
    match p {
        // Deserialization only admits "*"; a hand-built wildcard is treated as "*" too.
        PrincipalInput::Wildcard(_) => Principals::Any,
        PrincipalInput::Map(map) => Principals::Map(
            map.iter()
                .map(|(kind, ids)| {
                    let ids = ids
                        .iter()
                        .map(|id| {
                            if kind == "AWS" && is_account_id(id) {
                                format!("arn:{}:iam::{id}:root", ctx.partition)
                            } else {
                                id.clone()
                            }
                        })
                        .collect();
                    (kind.clone(), ids)
                })
                .collect(),
        ),
    }
}

fn canon_actions(actions: &OneOrMany<String>) -> SortedSet<ActionName> {
    // Insert in byte order so that, when spellings collapse, the byte-wise smallest one is kept
    // (`SortedSet::insert` keeps the element already present; `collect` would keep the last).
    let mut raw: Vec<&String> = actions.iter().collect();
    raw.sort();
    let mut set = SortedSet::new();
    for a in raw {
        set.insert(ActionName::new(a.clone()));
    }
    set
}

fn canon_strings(values: &OneOrMany<String>) -> SortedSet<String> {
    values.iter().cloned().collect()
}

fn canon_conditions(block: Option<&super::document::ConditionBlock>) -> Conditions {
    let mut out = Conditions::new();
    for (operator, keys) in block.into_iter().flatten() {
        if keys.is_empty() {
            continue;
        }
        let entry = out.get_or_insert_default(operator.clone());
        // The input map iterates keys in byte order, so the kept spelling is deterministic.
        // Keys differing only in case are merged (their values united).
        for (key, values) in keys {
            entry
                .get_or_insert_default(CiKey::new(key.clone()))
                .extend(values.iter().map(ConditionValue::to_canonical_string));
        }
    }
    out
}

impl Statement {
    /// Canonicalizes one input statement.
    pub fn from_input(s: &StatementInput, ctx: &NormalizeContext) -> Statement {
        Statement {
            sid: s.sid.clone().unwrap_or_default(),
            effect: s.effect,
            principal: s.principal.as_ref().map(|p| canon_principals(p, ctx)),
            not_principal: s.not_principal.as_ref().map(|p| canon_principals(p, ctx)),
            action: s.action.as_ref().map(canon_actions),
            not_action: s.not_action.as_ref().map(canon_actions),
            resource: s.resource.as_ref().map(canon_strings),
            not_resource: s.not_resource.as_ref().map(canon_strings),
            condition: canon_conditions(s.condition.as_ref()),
        }
    }

    /// The conventional input form: one-element sets as scalars, empty `Sid` and `Condition`
    /// omitted.
    pub fn to_input(&self) -> StatementInput {
        fn strings<'a>(set: impl IntoIterator<Item = &'a String>) -> OneOrMany<String> {
            OneOrMany::from_vec(set.into_iter().cloned().collect())
        }
        fn actions(set: &SortedSet<ActionName>) -> OneOrMany<String> {
            OneOrMany::from_vec(set.iter().map(|a| a.as_str().to_owned()).collect())
        }
        fn principals(p: &Principals) -> PrincipalInput {
            match p {
                Principals::Any => PrincipalInput::Wildcard("*".to_owned()),
                Principals::Map(map) => PrincipalInput::Map(
                    map.iter()
                        .map(|(k, ids)| (k.clone(), strings(ids)))
                        .collect(),
                ),
            }
        }
        let condition = (!self.condition.is_empty()).then(|| {
            self.condition
                .iter()
                .map(|(op, keys)| {
                    let keys = keys
                        .iter()
                        .map(|(k, vals)| {
                            let vals = vals.iter().cloned().map(ConditionValue::String).collect();
                            (k.as_str().to_owned(), OneOrMany::from_vec(vals))
                        })
                        .collect();
                    (op.clone(), keys)
                })
                .collect()
        });
        StatementInput {
            expires_at: None,
            sid: (!self.sid.is_empty()).then(|| self.sid.clone()),
            effect: self.effect,
            principal: self.principal.as_ref().map(principals),
            not_principal: self.not_principal.as_ref().map(principals),
            action: self.action.as_ref().map(actions),
            not_action: self.not_action.as_ref().map(actions),
            resource: self.resource.as_ref().map(strings),
            not_resource: self.not_resource.as_ref().map(strings),
            condition,
        }
    }

    /// The statement as IAM JSON, keys in IAM's conventional order.
    fn to_json_value(&self) -> Value {
        fn set<'a>(values: impl ExactSizeIterator<Item = &'a str>) -> Value {
            let mut values: Vec<Value> = values.map(|s| Value::String(s.to_owned())).collect();
            match values.len() {
                1 => values.pop().unwrap_or(Value::Null),
                _ => Value::Array(values),
            }
        }
        fn principals(p: &Principals) -> Value {
            match p {
                Principals::Any => Value::String("*".to_owned()),
                Principals::Map(map) => Value::Object(
                    map.iter()
                        .map(|(k, ids)| (k.clone(), set(ids.iter().map(String::as_str))))
                        .collect(),
                ),
            }
        }
        let mut obj = Map::new();
        if !self.sid.is_empty() {
            obj.insert("Sid".into(), Value::String(self.sid.clone()));
        }
        let effect = match self.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        obj.insert("Effect".into(), Value::String(effect.to_owned()));
        if let Some(p) = &self.principal {
            obj.insert("Principal".into(), principals(p));
        }
        if let Some(p) = &self.not_principal {
            obj.insert("NotPrincipal".into(), principals(p));
        }
        if let Some(a) = &self.action {
            obj.insert("Action".into(), set(a.iter().map(ActionName::as_str)));
        }
        if let Some(a) = &self.not_action {
            obj.insert("NotAction".into(), set(a.iter().map(ActionName::as_str)));
        }
        if let Some(r) = &self.resource {
            obj.insert("Resource".into(), set(r.iter().map(String::as_str)));
        }
        if let Some(r) = &self.not_resource {
            obj.insert("NotResource".into(), set(r.iter().map(String::as_str)));
        }
        if !self.condition.is_empty() {
            let cond = self
                .condition
                .iter()
                .map(|(op, keys)| {
                    let keys = keys
                        .iter()
                        .map(|(k, vals)| (k.to_string(), set(vals.iter().map(String::as_str))))
                        .collect();
                    (op.clone(), Value::Object(keys))
                })
                .collect();
            obj.insert("Condition".into(), Value::Object(cond));
        }
        Value::Object(obj)
    }
}

impl Policy {
    /// Canonicalizes an input document.
    pub fn from_input(input: &PolicyDocumentInput, ctx: &NormalizeContext) -> Policy {
        let mut statements: Vec<Statement> = input
            .statement
            .iter()
            .map(|s| Statement::from_input(s, ctx))
            .collect();
        statements.sort();
        statements.dedup();
        Policy {
            version: input.version.clone(),
            id: input.id.clone(),
            statements,
        }
    }

    /// Parses and canonicalizes a plain JSON document.
    pub fn from_json_str(s: &str, ctx: &NormalizeContext) -> Result<Policy, PolicyParseError> {
        let input: PolicyDocumentInput = serde_json::from_str(s)?;
        Ok(Policy::from_input(&input, ctx))
    }

    /// Parses a document as IAM returns it: URL-encoded (RFC 3986, so `+` is a literal plus,
    /// spaces are `%20`). A document that already starts with `{` (after trimming) is taken as
    /// plain JSON and not decoded.
    pub fn from_iam_encoded(s: &str, ctx: &NormalizeContext) -> Result<Policy, PolicyParseError> {
        let trimmed = s.trim();
        if trimmed.starts_with('{') {
            return Policy::from_json_str(trimmed, ctx);
        }
        check_percent_encoding(trimmed)?;
        let decoded = percent_decode_str(trimmed)
            .decode_utf8()
            .map_err(|_| PolicyParseError::InvalidUtf8)?;
        Policy::from_json_str(&decoded, ctx)
    }

    /// The conventional input form: statements always as a list; within statements,
    /// one-element sets as scalars and empty `Sid` / `Condition` omitted. Condition values come
    /// back as strings.
    pub fn to_input(&self) -> PolicyDocumentInput {
        PolicyDocumentInput {
            version: self.version.clone(),
            id: self.id.clone(),
            statement: OneOrMany::Many(self.statements.iter().map(Statement::to_input).collect()),
        }
    }

    /// The canonical document as a JSON value; same shape as serializing [`Policy::to_input`].
    pub fn to_json_value(&self) -> Value {
        let mut obj = Map::new();
        if let Some(v) = &self.version {
            obj.insert("Version".into(), Value::String(v.clone()));
        }
        if let Some(id) = &self.id {
            obj.insert("Id".into(), Value::String(id.clone()));
        }
        let statements = self
            .statements
            .iter()
            .map(Statement::to_json_value)
            .collect();
        obj.insert("Statement".into(), Value::Array(statements));
        Value::Object(obj)
    }

    /// Deterministic, 2-space-indented JSON in IAM key order; what plan diffs show.
    pub fn to_pretty_json(&self) -> String {
        format!("{:#}", self.to_json_value())
    }

    /// Deterministic JSON without whitespace; what is sent to IAM.
    pub fn to_compact_json(&self) -> String {
        self.to_json_value().to_string()
    }

    /// Size as IAM's quotas count it: characters of the compact JSON that are not whitespace.
    /// Whitespace inside string values is not counted either (IAM ignores all whitespace).
    pub fn non_whitespace_len(&self) -> usize {
        self.to_compact_json()
            .chars()
            .filter(|c| !c.is_whitespace())
            .count()
    }

    /// The canonical statements, sorted and deduplicated.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// `Version`, as given.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// `Id`, as given.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// `percent_decode_str` passes malformed escapes through silently; reject them instead.
fn check_percent_encoding(s: &str) -> Result<(), PolicyParseError> {
    let bytes = s.as_bytes();
    for (offset, _) in s.match_indices('%') {
        let ok = bytes
            .get(offset + 1..offset + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if !ok {
            return Err(PolicyParseError::InvalidPercentEncoding { offset });
        }
    }
    Ok(())
}

impl Serialize for Policy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Policy {
    /// Reads an IAM JSON document and canonicalizes it with the default (`aws`) partition.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let input = PolicyDocumentInput::deserialize(deserializer)?;
        Ok(Policy::from_input(&input, &NormalizeContext::default()))
    }
}

impl JsonSchema for Policy {
    fn schema_name() -> Cow<'static, str> {
        PolicyDocumentInput::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        PolicyDocumentInput::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        PolicyDocumentInput::json_schema(generator)
    }
}

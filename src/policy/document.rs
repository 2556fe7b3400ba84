//! The wire/input form of an IAM policy document: what users write in YAML manifests and what
//! IAM returns as JSON.
//!
//! These types mirror IAM's JSON grammar (PascalCase keys, scalar-or-list values) and carry no
//! semantics beyond shape checks. Comparing two documents is never done on these types: convert
//! them to the canonical [`Policy`](super::Policy) first.
//!
//! `OneOrMany`, `ConditionValue` and `PrincipalInput` have hand-written `Deserialize` impls
//! instead of `#[serde(untagged)]`, so that an error inside a statement (an unknown key, a wrong
//! type) reaches the user as itself rather than as "data did not match any variant".

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The principal types IAM accepts as keys of a `Principal` / `NotPrincipal` map.
pub const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

/// A value IAM lets you write either as a scalar or as a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value, written as a scalar.
    One(T),
    /// Any number of values, written as a list.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// Iterates over the values, whichever way they were written.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        match self {
            OneOrMany::One(v) => std::slice::from_ref(v).iter(),
            OneOrMany::Many(v) => v.iter(),
        }
    }

    /// Consumes `self` into a list of values.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(v) => vec![v],
            OneOrMany::Many(v) => v,
        }
    }

    /// Builds the conventional form: a scalar for exactly one value, a list otherwise.
    pub fn from_vec(mut values: Vec<T>) -> Self {
        if values.len() == 1
            && let Some(v) = values.pop()
        {
            return OneOrMany::One(v);
        }
        OneOrMany::Many(values)
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            OneOrMany::One(_) => 1,
            OneOrMany::Many(v) => v.len(),
        }
    }

    /// True when written as an empty list.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a, T> IntoIterator for &'a OneOrMany<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OneOrManyVisitor(PhantomData))
    }
}

/// Lists become `Many`; anything else is handed to `T` so its own error messages survive.
struct OneOrManyVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
    type Value = OneOrMany<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a single value or a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = seq.next_element()? {
            values.push(v);
        }
        Ok(OneOrMany::Many(values))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(OneOrMany::One)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        T::deserialize(de::value::BorrowedStrDeserializer::new(v)).map(OneOrMany::One)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(OneOrMany::One)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        T::deserialize(().into_deserializer()).map(OneOrMany::One)
    }
}

/// A whole policy document as written: `Version`, optional `Id`, one or more statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocumentInput {
    /// Policy language version; `2012-10-17` in practice. Absent is kept as absent.
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Optional document identifier.
    #[serde(rename = "Id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The statements, as one object or a list.
    #[serde(rename = "Statement")]
    pub statement: OneOrMany<StatementInput>,
}

/// An IAM `Condition` block: operator → condition key → value(s).
pub type ConditionBlock = BTreeMap<String, BTreeMap<String, OneOrMany<ConditionValue>>>;

/// One statement as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementInput {
    /// Optional statement id.
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    #[serde(rename = "Effect")]
    pub effect: Effect,
    /// Who the statement applies to (resource and trust policies).
    #[serde(rename = "Principal", default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<PrincipalInput>,
    /// Everyone except these principals.
    #[serde(
        rename = "NotPrincipal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub not_principal: Option<PrincipalInput>,
    /// Actions the statement covers.
    #[serde(rename = "Action", default, skip_serializing_if = "Option::is_none")]
    pub action: Option<OneOrMany<String>>,
    /// Every action except these.
    #[serde(rename = "NotAction", default, skip_serializing_if = "Option::is_none")]
    pub not_action: Option<OneOrMany<String>>,
    /// Resource ARNs the statement covers.
    #[serde(rename = "Resource", default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<OneOrMany<String>>,
    /// Every resource except these.
    #[serde(
        rename = "NotResource",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub not_resource: Option<OneOrMany<String>>,
    /// Conditions under which the statement applies.
    #[serde(rename = "Condition", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<ConditionBlock>,
    /// rolesmith's, not IAM's: the instant the statement stops applying. Written to IAM as a
    /// `DateLessThan` condition on `aws:CurrentTime`; after it the statement is left out.
    #[serde(rename = "expiresAt", default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<crate::expiry::Instant>,
}

/// Whether a statement allows or denies.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Effect {
    /// Grants the listed access.
    Allow,
    /// Refuses the listed access, overriding any allow.
    Deny,
}

/// A `Principal` value: the wildcard `"*"` or a map of principal type → identifier(s).
///
/// Map keys are limited to [`PRINCIPAL_TYPES`]; deserialization rejects anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PrincipalInput {
    /// `"*"`: everyone. Deserialization accepts only `"*"`.
    Wildcard(String),
    /// `{"AWS": ..., "Service": ..., "Federated": ..., "CanonicalUser": ...}`.
    Map(BTreeMap<String, OneOrMany<String>>),
}

impl<'de> Deserialize<'de> for PrincipalInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PrincipalVisitor)
    }
}

struct PrincipalVisitor;

impl<'de> Visitor<'de> for PrincipalVisitor {
    type Value = PrincipalInput;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"*\" or a map with keys AWS, Service, Federated, CanonicalUser")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v == "*" {
            Ok(PrincipalInput::Wildcard(v.to_owned()))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if !PRINCIPAL_TYPES.contains(&key.as_str()) {
                return Err(de::Error::unknown_field(&key, PRINCIPAL_TYPES));
            }
            let value: OneOrMany<String> = map.next_value()?;
            if out.insert(key.clone(), value).is_some() {
                return Err(de::Error::custom(format_args!(
                    "duplicate principal type `{key}`"
                )));
            }
        }
        Ok(PrincipalInput::Map(out))
    }
}

impl JsonSchema for PrincipalInput {
    fn schema_name() -> Cow<'static, str> {
        "PrincipalInput".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let ids = generator.subschema_for::<OneOrMany<String>>();
        json_schema!({
            "description": "\"*\" or a map of principal type to identifier(s).",
            "anyOf": [
                { "const": "*" },
                {
                    "type": "object",
                    "properties": {
                        "AWS": ids,
                        "Service": ids,
                        "Federated": ids,
                        "CanonicalUser": ids
                    },
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// One condition value. YAML users write `true` or `3600` unquoted; IAM may return either form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ConditionValue {
    /// A string value.
    String(String),
    /// An unquoted boolean; canonically the string `"true"` / `"false"`.
    Bool(bool),
    /// An unquoted number; canonically its decimal string form.
    Number(serde_json::Number),
}

impl ConditionValue {
    /// The string IAM compares: booleans and numbers in their JSON text form.
    pub fn to_canonical_string(&self) -> String {
        match self {
            ConditionValue::String(s) => s.clone(),
            ConditionValue::Bool(b) => b.to_string(),
            ConditionValue::Number(n) => n.to_string(),
        }
    }
}

impl<'de> Deserialize<'de> for ConditionValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ConditionValueVisitor)
    }
}

struct ConditionValueVisitor;

impl<'de> Visitor<'de> for ConditionValueVisitor {
    type Value = ConditionValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, boolean or number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(ConditionValue::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(ConditionValue::String(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(ConditionValue::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(ConditionValue::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(ConditionValue::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        serde_json::Number::from_f64(v)
            .map(ConditionValue::Number)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &"a finite number"))
    }
}

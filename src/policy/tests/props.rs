//! Property tests: canonicalization is idempotent, every meaningless rewrite of a document
//! (shuffles, scalar vs list, case of actions and condition keys, account id spellings,
//! unquoted scalars, duplicates) compares equal, and flipping an effect never does.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use proptest::prelude::*;
use proptest::sample::subsequence;

use crate::policy::{
    ConditionBlock, ConditionValue, Effect, NormalizeContext, OneOrMany, Policy,
    PolicyDocumentInput, PrincipalInput, StatementInput,
};

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "iam:PassRole",
    "ec2:Describe*",
    "sts:AssumeRole",
];
const RESOURCES: &[&str] = &["*", "arn:aws:s3:::Bucket", "arn:aws:s3:::bucket/*"];
const AWS_PRINCIPALS: &[&str] = &[
    "123456789012",
    "arn:aws:iam::210987654321:root",
    "arn:aws:iam::123456789012:role/Deploy",
];
const OPERATORS: &[&str] = &["StringEquals", "Bool", "NumericLessThan"];
const KEYS: &[&str] = &["aws:SourceVpc", "aws:SecureTransport", "s3:max-keys"];
const VALUES: &[&str] = &["vpc-1", "Vpc-1", "true", "false", "3600"];

fn list(values: Vec<&str>) -> OneOrMany<String> {
    OneOrMany::Many(values.into_iter().map(str::to_owned).collect())
}

fn arb_principal() -> impl Strategy<Value = Option<PrincipalInput>> {
    prop_oneof![
        Just(None),
        Just(Some(PrincipalInput::Wildcard("*".into()))),
        subsequence(AWS_PRINCIPALS, 1..=3).prop_map(|ids| {
            Some(PrincipalInput::Map(BTreeMap::from([(
                "AWS".into(),
                list(ids),
            )])))
        }),
    ]
}

fn arb_condition() -> impl Strategy<Value = Option<ConditionBlock>> {
    let values = subsequence(VALUES, 1..=2).prop_map(|v| {
        OneOrMany::Many(
            v.into_iter()
                .map(|s| ConditionValue::String(s.into()))
                .collect(),
        )
    });
    let keys = prop::collection::btree_map(
        prop::sample::select(KEYS).prop_map(str::to_owned),
        values,
        1..=2,
    );
    prop::option::of(prop::collection::btree_map(
        prop::sample::select(OPERATORS).prop_map(str::to_owned),
        keys,
        1..=2,
    ))
}

fn arb_statement() -> impl Strategy<Value = StatementInput> {
    (
        prop::option::of(prop::sample::select(&["A", "B"][..])),
        any::<bool>(),
        arb_principal(),
        any::<bool>(),
        subsequence(ACTIONS, 1..=4),
        prop::option::of(subsequence(RESOURCES, 1..=3)),
        arb_condition(),
    )
        .prop_map(
            |(sid, deny, principal, not, actions, resources, condition)| {
                let actions = Some(list(actions));
                StatementInput {
                    sid: sid.map(str::to_owned),
                    effect: if deny { Effect::Deny } else { Effect::Allow },
                    principal,
                    not_principal: None,
                    action: if not { None } else { actions.clone() },
                    not_action: if not { actions } else { None },
                    resource: resources.map(list),
                    not_resource: None,
                    condition,
                    expires_at: None,
                }
            },
        )
}

fn arb_document() -> impl Strategy<Value = PolicyDocumentInput> {
    (any::<bool>(), prop::collection::vec(arb_statement(), 1..=4)).prop_map(|(v, statements)| {
        PolicyDocumentInput {
            version: v.then(|| "2012-10-17".to_owned()),
            id: None,
            statement: OneOrMany::Many(statements),
        }
    })
}

/// A tiny deterministic generator for the rewrites, seeded by proptest.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*; the seed is forced non-zero.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
    fn recase(&mut self, s: &str) -> String {
        s.chars()
            .map(|c| match (self.coin(), c.is_ascii_lowercase()) {
                (false, _) => c,
                (true, true) => c.to_ascii_uppercase(),
                (true, false) => c.to_ascii_lowercase(),
            })
            .collect()
    }
    /// Shuffles, maybe duplicates, and maybe writes a one-element list as a scalar.
    fn reshape<T: Clone>(
        &mut self,
        values: &OneOrMany<T>,
        map: impl FnMut(&mut Self, &T) -> T,
    ) -> OneOrMany<T> {
        let mut map = map;
        let mut v: Vec<T> = values.iter().map(|x| map(self, x)).collect();
        self.shuffle(&mut v);
        if !v.is_empty() && self.next().is_multiple_of(4) {
            let dup = v[0].clone();
            v.push(dup);
        }
        if v.len() == 1 && self.coin() {
            OneOrMany::from_vec(v)
        } else {
            OneOrMany::Many(v)
        }
    }
}

fn rewrite_value(rng: &mut Rng, v: &ConditionValue) -> ConditionValue {
    let s = v.to_canonical_string();
    match (rng.coin(), s.as_str()) {
        (true, "true") => ConditionValue::Bool(true),
        (true, "false") => ConditionValue::Bool(false),
        (true, "3600") => ConditionValue::Number(3600.into()),
        _ => ConditionValue::String(s),
    }
}

fn rewrite_principal(rng: &mut Rng, id: &String) -> String {
    if !rng.coin() {
        return id.clone();
    }
    match id
        .strip_prefix("arn:aws:iam::")
        .and_then(|r| r.strip_suffix(":root"))
    {
        Some(bare) => bare.to_owned(),
        None if id.len() == 12 => format!("arn:aws:iam::{id}:root"),
        None => id.clone(),
    }
}

fn rewrite_statement(rng: &mut Rng, s: &StatementInput) -> StatementInput {
    let mut out = s.clone();
    out.sid = match &s.sid {
        None if rng.coin() => Some(String::new()),
        other => other.clone(),
    };
    out.action = s
        .action
        .as_ref()
        .map(|a| rng.reshape(a, |r, x| r.recase(x)));
    out.not_action = s
        .not_action
        .as_ref()
        .map(|a| rng.reshape(a, |r, x| r.recase(x)));
    out.resource = s
        .resource
        .as_ref()
        .map(|a| rng.reshape(a, |_, x| x.clone()));
    if let Some(PrincipalInput::Map(map)) = &s.principal {
        let map = map
            .iter()
            .map(|(k, ids)| (k.clone(), rng.reshape(ids, rewrite_principal)))
            .collect();
        out.principal = Some(PrincipalInput::Map(map));
    }
    out.condition = match &s.condition {
        None if rng.coin() => Some(BTreeMap::new()),
        None => None,
        Some(block) => Some(
            block
                .iter()
                .map(|(op, keys)| {
                    let keys = keys
                        .iter()
                        .map(|(k, v)| (rng.recase(k), rng.reshape(v, rewrite_value)))
                        .collect();
                    (op.clone(), keys)
                })
                .collect(),
        ),
    };
    out
}

/// Rewrites a document in every way the canonical form must ignore.
fn rewrite(doc: &PolicyDocumentInput, seed: u64) -> PolicyDocumentInput {
    let mut rng = Rng(seed | 1);
    let mut statements: Vec<StatementInput> = doc
        .statement
        .iter()
        .map(|s| rewrite_statement(&mut rng, s))
        .collect();
    if rng.coin() {
        let dup = statements[0].clone();
        statements.push(dup);
    }
    rng.shuffle(&mut statements);
    PolicyDocumentInput {
        version: doc.version.clone(),
        id: doc.id.clone(),
        statement: if statements.len() == 1 && rng.coin() {
            OneOrMany::from_vec(statements)
        } else {
            OneOrMany::Many(statements)
        },
    }
}

fn hash_of(p: &Policy) -> u64 {
    let mut h = DefaultHasher::new();
    p.hash(&mut h);
    h.finish()
}

proptest! {
    #[test]
    fn canonicalization_is_idempotent(doc in arb_document()) {
        let ctx = NormalizeContext::default();
        let p = Policy::from_input(&doc, &ctx);
        prop_assert_eq!(&Policy::from_input(&p.to_input(), &ctx), &p);
        let reparsed = Policy::from_json_str(&p.to_pretty_json(), &ctx).expect("own output parses");
        prop_assert_eq!(&reparsed, &p);
        prop_assert_eq!(reparsed.to_pretty_json(), p.to_pretty_json());
    }

    #[test]
    fn meaningless_rewrites_compare_equal(doc in arb_document(), seed in any::<u64>()) {
        let ctx = NormalizeContext::default();
        let original = Policy::from_input(&doc, &ctx);
        let rewritten = Policy::from_input(&rewrite(&doc, seed), &ctx);
        prop_assert_eq!(hash_of(&rewritten), hash_of(&original));
        prop_assert_eq!(rewritten, original);
    }

    #[test]
    fn flipping_an_effect_compares_unequal(doc in arb_document(), pick in any::<usize>()) {
        let ctx = NormalizeContext::default();
        // Distinct sids make every statement unique, so a flip cannot land on a twin.
        let mut statements = doc.statement.clone().into_vec();
        for (i, s) in statements.iter_mut().enumerate() {
            s.sid = Some(format!("S{i}"));
        }
        let base = PolicyDocumentInput { statement: OneOrMany::Many(statements.clone()), ..doc };
        let i = pick % statements.len();
        statements[i].effect = match statements[i].effect {
            Effect::Allow => Effect::Deny,
            Effect::Deny => Effect::Allow,
        };
        let flipped = PolicyDocumentInput { statement: OneOrMany::Many(statements), ..base.clone() };
        prop_assert_ne!(Policy::from_input(&flipped, &ctx), Policy::from_input(&base, &ctx));
    }
}

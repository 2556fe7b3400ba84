//! One test per equivalence the canonical form must fold away, and one per difference it must
//! keep.

use super::{policy, stmt};

/// Asserts that two statement bodies canonicalize to equal policies.
macro_rules! equivalent {
    ($name:ident, $a:expr, $b:expr) => {
        #[test]
        fn $name() {
            assert_eq!(stmt($a), stmt($b));
        }
    };
}

/// Asserts that two statement bodies canonicalize to different policies.
macro_rules! different {
    ($name:ident, $a:expr, $b:expr) => {
        #[test]
        fn $name() {
            assert_ne!(stmt($a), stmt($b));
        }
    };
}

#[test]
fn statement_order_is_irrelevant() {
    let a = policy(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}"#,
    );
    let b = policy(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Deny","Action":"s3:PutObject","Resource":"*"},
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    assert_eq!(a, b);
}

#[test]
fn identical_statements_dedupe() {
    let a = policy(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":["S3:GETOBJECT"],"Resource":["*"]}]}"#,
    );
    let b = stmt(r#""Effect":"Allow","Action":"s3:GetObject","Resource":"*""#);
    assert_eq!(a, b);
    assert_eq!(a.statements().len(), 1);
}

#[test]
fn single_statement_object_equals_list_of_one() {
    let a = policy(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#);
    let b = policy(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#);
    assert_eq!(a, b);
}

equivalent!(
    action_order_is_irrelevant,
    r#""Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*""#,
    r#""Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*""#
);
equivalent!(
    resource_order_is_irrelevant,
    r#""Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::a","arn:aws:s3:::b"]"#,
    r#""Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::a"]"#
);
equivalent!(
    principal_value_order_is_irrelevant,
    r#""Effect":"Allow","Principal":{"Service":["a.amazonaws.com","b.amazonaws.com"]},"Action":"sts:AssumeRole""#,
    r#""Effect":"Allow","Principal":{"Service":["b.amazonaws.com","a.amazonaws.com"]},"Action":"sts:AssumeRole""#
);
equivalent!(
    condition_value_order_is_irrelevant,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:PrincipalTag/team":["a","b"]}}"#,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:PrincipalTag/team":["b","a"]}}"#
);
equivalent!(
    duplicate_values_collapse,
    r#""Effect":"Allow","Action":["s3:GetObject","s3:GetObject"],"Resource":"*""#,
    r#""Effect":"Allow","Action":"s3:GetObject","Resource":"*""#
);
equivalent!(
    scalar_action_equals_one_element_list,
    r#""Effect":"Allow","Action":"s3:GetObject","Resource":"*""#,
    r#""Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]"#
);
equivalent!(
    scalar_principal_equals_one_element_list,
    r#""Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole""#,
    r#""Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":"sts:AssumeRole""#
);
equivalent!(
    scalar_condition_value_equals_one_element_list,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpc":["vpc-1"]}}"#
);
equivalent!(
    bare_account_id_equals_root_arn,
    r#""Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole""#,
    r#""Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":"sts:AssumeRole""#
);
equivalent!(
    action_names_are_case_insensitive,
    r#""Effect":"Allow","Action":"S3:GetObject","Resource":"*""#,
    r#""Effect":"Allow","Action":"s3:getobject","Resource":"*""#
);
equivalent!(
    not_action_names_are_case_insensitive,
    r#""Effect":"Deny","NotAction":["IAM:*","sts:AssumeRole"],"Resource":"*""#,
    r#""Effect":"Deny","NotAction":["iam:*","STS:ASSUMEROLE"],"Resource":"*""#
);
equivalent!(
    condition_keys_are_case_insensitive,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"IpAddress":{"AWS:SOURCEIP":"10.0.0.0/8"}}"#
);
equivalent!(
    bool_condition_value_equals_its_string,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":true}}"#,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#
);
equivalent!(
    number_condition_value_equals_its_string,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"NumericLessThan":{"s3:max-keys":3600}}"#,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"NumericLessThan":{"s3:max-keys":"3600"}}"#
);
equivalent!(
    absent_sid_equals_empty_sid,
    r#""Effect":"Allow","Action":"s3:*","Resource":"*""#,
    r#""Sid":"","Effect":"Allow","Action":"s3:*","Resource":"*""#
);
equivalent!(
    empty_condition_equals_absent,
    r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{}"#,
    r#""Effect":"Allow","Action":"s3:*","Resource":"*""#
);
equivalent!(
    empty_condition_operator_equals_absent,
    r#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{}}"#,
    r#""Effect":"Allow","Action":"s3:*","Resource":"*""#
);
equivalent!(
    wildcard_principal_spellings,
    r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject""#,
    r#""Principal":"*","Action":["s3:GetObject"],"Effect":"Allow""#
);

different!(
    allow_differs_from_deny,
    r#""Effect":"Allow","Action":"s3:*","Resource":"*""#,
    r#""Effect":"Deny","Action":"s3:*","Resource":"*""#
);
different!(
    different_condition_values_differ,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-2"}}"#
);
different!(
    different_operators_differ,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-1"}}"#
);
different!(
    operators_are_case_sensitive,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"stringequals":{"aws:SourceVpc":"vpc-1"}}"#
);
different!(
    action_differs_from_not_action,
    r#""Effect":"Allow","Action":"s3:*","Resource":"*""#,
    r#""Effect":"Allow","NotAction":"s3:*","Resource":"*""#
);
different!(
    resource_differs_from_not_resource,
    r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a""#,
    r#""Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::a""#
);
different!(
    resource_arns_are_case_sensitive,
    r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::Bucket""#,
    r#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket""#
);
different!(
    condition_values_are_case_sensitive,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"Ops"}}"#,
    r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"ops"}}"#
);
different!(
    principal_differs_from_not_principal,
    r#""Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*""#,
    r#""Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*""#
);
different!(
    wildcard_principal_differs_from_aws_wildcard,
    r#""Effect":"Allow","Principal":"*","Action":"s3:*""#,
    r#""Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*""#
);
different!(
    different_sids_differ,
    r#""Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*""#,
    r#""Sid":"B","Effect":"Allow","Action":"s3:*","Resource":"*""#
);

#[test]
fn version_absent_differs_from_present() {
    let a = policy(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#);
    let b = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    assert_ne!(a, b);
}

#[test]
fn account_id_expansion_uses_the_partition() {
    let ctx = super::NormalizeContext {
        partition: "aws-cn".into(),
    };
    let doc = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}}"#;
    let expanded = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::123456789012:root"},"Action":"sts:AssumeRole"}}"#;
    let a = super::Policy::from_json_str(doc, &ctx).expect("parses");
    let b = super::Policy::from_json_str(expanded, &ctx).expect("parses");
    assert_eq!(a, b);
    assert_ne!(a, policy(doc), "the default partition is `aws`");
}

#[test]
fn collapsed_action_spelling_is_deterministic() {
    let a = stmt(r#""Effect":"Allow","Action":["s3:getobject","S3:GetObject"],"Resource":"*""#);
    let b = stmt(r#""Effect":"Allow","Action":["S3:GetObject","s3:getobject"],"Resource":"*""#);
    assert_eq!(a.to_pretty_json(), b.to_pretty_json());
    let json = a.to_compact_json();
    assert!(json.contains(r#""Action":"S3:GetObject""#), "{json}");
}

#[test]
fn condition_keys_differing_in_case_merge_deterministically() {
    let a = stmt(
        r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpc":"v1","AWS:SOURCEVPC":"v2"}}"#,
    );
    let b = stmt(
        r#""Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":{"aws:sourcevpc":["v2","v1"]}}"#,
    );
    assert_eq!(a, b);
    let json = a.to_compact_json();
    assert!(json.contains(r#""AWS:SOURCEVPC":["v1","v2"]"#), "{json}");
}

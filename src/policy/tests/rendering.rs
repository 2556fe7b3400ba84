//! Parsing (plain and IAM URL-encoded), error reporting, canonical JSON output and size counting.

use super::{policy, stmt};
use crate::policy::{NormalizeContext, Policy, PolicyDocumentInput, PolicyParseError};

/// A trust policy exactly as IAM's `GetRole` returns it (RFC 3986 percent-encoded).
const IAM_ENCODED: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22\
Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C\
%22Action%22%3A%22sts%3AAssumeRole%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22aws%3A\
PrincipalTag%2Fteam%22%3A%22web%20ops%22%7D%7D%7D%5D%7D";

#[test]
fn from_iam_encoded_decodes_a_real_document() {
    let ctx = NormalizeContext::default();
    let decoded = Policy::from_iam_encoded(IAM_ENCODED, &ctx).expect("decodes");
    let plain = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
            "Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"],
            "Condition":{"StringEquals":{"aws:PrincipalTag/team":"web ops"}}}]}"#,
    );
    assert_eq!(decoded, plain);
}

#[test]
fn from_iam_encoded_accepts_plain_json() {
    // The `%` inside the value must not be decoded because the document is plain JSON.
    let json =
        r#"  {"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a%2Fb"}}"#;
    let p = Policy::from_iam_encoded(json, &NormalizeContext::default()).expect("parses");
    assert_eq!(p, policy(json.trim()));
    assert!(p.to_compact_json().contains("a%2Fb"));
}

#[test]
fn from_iam_encoded_keeps_plus_literal() {
    let encoded = "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*\
%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%22%7D%7D";
    let p = Policy::from_iam_encoded(encoded, &NormalizeContext::default()).expect("decodes");
    assert!(p.to_compact_json().contains("arn:aws:s3:::a+b"));
}

#[test]
fn malformed_percent_encoding_is_an_error() {
    let err = Policy::from_iam_encoded("%7B%zz", &NormalizeContext::default()).unwrap_err();
    assert_eq!(err, PolicyParseError::InvalidPercentEncoding { offset: 3 });
    let err = Policy::from_iam_encoded("%7B%2", &NormalizeContext::default()).unwrap_err();
    assert_eq!(err, PolicyParseError::InvalidPercentEncoding { offset: 3 });
}

#[test]
fn non_utf8_after_decoding_is_an_error() {
    let err = Policy::from_iam_encoded("%FF%FE", &NormalizeContext::default()).unwrap_err();
    assert_eq!(err, PolicyParseError::InvalidUtf8);
}

#[test]
fn invalid_json_reports_line_and_column() {
    let err = Policy::from_json_str("{\n  \"Statement\": [,\n", &NormalizeContext::default())
        .unwrap_err();
    let PolicyParseError::Json { line, column, .. } = err else {
        panic!("expected a JSON error, got {err:?}");
    };
    assert_eq!((line, column), (2, 17));
}

#[test]
fn unknown_statement_key_is_reported_by_name() {
    let err = Policy::from_json_str(
        r#"{"Statement":[{"Effect":"Allow","Actions":"s3:*"}]}"#,
        &NormalizeContext::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown field `Actions`"), "{err}");
}

#[test]
fn bad_principal_shapes_are_rejected() {
    let ctx = NormalizeContext::default();
    let bad_key = r#"{"Statement":{"Effect":"Allow","Principal":{"Aws":"*"},"Action":"s3:*"}}"#;
    let err = Policy::from_json_str(bad_key, &ctx).unwrap_err();
    assert!(err.to_string().contains("unknown field `Aws`"), "{err}");
    let bad_wildcard = r#"{"Statement":{"Effect":"Allow","Principal":"all","Action":"s3:*"}}"#;
    assert!(Policy::from_json_str(bad_wildcard, &ctx).is_err());
}

#[test]
fn pretty_json_is_canonical_golden() {
    let p = policy(
        r#"{"Statement":[
            {"Condition":{"StringLike":{"aws:userid":["b*","a*"]},"Bool":{"aws:SecureTransport":false}},
             "Resource":["arn:aws:s3:::b/*","arn:aws:s3:::b"],"Action":["s3:PutObject","S3:GetObject"],
             "Effect":"Allow","Sid":"Write"},
            {"Effect":"Deny","Principal":{"AWS":"123456789012"},"NotAction":"iam:*","Resource":"*"}
        ],"Version":"2012-10-17"}"#,
    );
    let expected = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"
      },
      "NotAction": "iam:*",
      "Resource": "*"
    },
    {
      "Sid": "Write",
      "Effect": "Allow",
      "Action": [
        "S3:GetObject",
        "s3:PutObject"
      ],
      "Resource": [
        "arn:aws:s3:::b",
        "arn:aws:s3:::b/*"
      ],
      "Condition": {
        "Bool": {
          "aws:SecureTransport": "false"
        },
        "StringLike": {
          "aws:userid": [
            "a*",
            "b*"
          ]
        }
      }
    }
  ]
}"#;
    assert_eq!(p.to_pretty_json(), expected);
}

#[test]
fn compact_json_has_no_whitespace_between_tokens() {
    let p = stmt(r#""Effect":"Allow","Action":"s3:GetObject","Resource":"*""#);
    assert_eq!(
        p.to_compact_json(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
    );
}

#[test]
fn non_whitespace_len_skips_all_whitespace() {
    let p = stmt(r#""Effect":"Allow","Action":"s3:*","Resource":"*""#);
    let compact = p.to_compact_json();
    assert_eq!(p.non_whitespace_len(), compact.len());
    // Spaces inside string values are not counted either: 3 spaces, 3 fewer characters.
    let spaced = stmt(r#""Sid":"","Effect":"Allow","Action":"s3:*","Resource":"a b c d""#);
    assert_eq!(
        spaced.non_whitespace_len(),
        spaced.to_compact_json().len() - 3
    );
    // Characters, not bytes.
    let unicode = stmt(r#""Effect":"Allow","Action":"s3:*","Resource":"é""#);
    assert_eq!(unicode.non_whitespace_len(), compact.len());
}

#[test]
fn serialize_matches_to_input_and_roundtrips() {
    let p = policy(
        r#"{"Version":"2012-10-17","Id":"x","Statement":[
            {"Sid":"S","Effect":"Allow","Principal":"*","NotPrincipal":{"Service":["b","a"]},
             "NotAction":"s3:*","NotResource":["r"],"Condition":{"Bool":{"k":true}}},
            {"Effect":"Deny","Action":[],"Resource":[]}]}"#,
    );
    let via_input = serde_json::to_value(p.to_input()).expect("serializes");
    assert_eq!(serde_json::to_value(&p).expect("serializes"), via_input);
    assert_eq!(p.to_json_value(), via_input);
    let back: Policy = serde_json::from_value(via_input).expect("deserializes");
    assert_eq!(back, p);
    assert_eq!(
        Policy::from_input(&p.to_input(), &NormalizeContext::default()),
        p
    );
}

#[test]
fn yaml_style_unquoted_scalars_parse() {
    // serde_json stands in for YAML here: unquoted booleans and numbers, scalar statement.
    let input: PolicyDocumentInput = serde_json::from_str(
        r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole",
            "Condition":{"Bool":{"aws:MultiFactorAuthPresent":true},
                         "NumericLessThan":{"aws:MultiFactorAuthAge":3600.5}}}}"#,
    )
    .expect("parses");
    let p = Policy::from_input(&input, &NormalizeContext::default());
    let json = p.to_compact_json();
    assert!(
        json.contains(r#""aws:MultiFactorAuthPresent":"true""#),
        "{json}"
    );
    assert!(
        json.contains(r#""aws:MultiFactorAuthAge":"3600.5""#),
        "{json}"
    );
}

#[test]
fn policy_schema_is_the_document_schema() {
    let a = schemars::schema_for!(Policy);
    let b = schemars::schema_for!(PolicyDocumentInput);
    assert_eq!(a, b);
}

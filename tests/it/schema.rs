//! The committed JSON Schema: fresh, accepting every example, rejecting invalid documents.

use serde_json::{Value, json};

use crate::support::root;

fn committed_schema_text() -> String {
    std::fs::read_to_string(root().join("schema/rolesmith.schema.json"))
        .expect("schema/rolesmith.schema.json exists")
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&committed_schema_text()).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

/// CI runs this test by name.
#[test]
fn schema_file_is_fresh() {
    crate::support::assert_fresh(
        "schema/rolesmith.schema.json",
        &rolesmith::schema::manifest_schema(),
        "run `cargo run -- schema > schema/rolesmith.schema.json` and commit the result",
    );
}

#[test]
fn every_example_document_matches_the_schema() {
    let validator = validator();
    let mut files: Vec<_> = std::fs::read_dir(root().join("examples/manifests"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "examples found: {files:?}");
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(!docs.is_empty(), "{} has no document", file.display());
        for (i, doc) in docs.iter().enumerate() {
            let found = errors(&validator, doc);
            assert!(
                found.is_empty(),
                "{} document {}: {found:#?}",
                file.display(),
                i + 1
            );
            checked += 1;
        }
    }
    assert!(checked >= 7);
}

#[test]
fn example_documents_parse_one_by_one_with_from_str() {
    // Each document of an example, read alone the way editors do: the role is the last.
    let text =
        std::fs::read_to_string(root().join("examples/manifests/cloudwatch-agent.yaml")).unwrap();
    let role = text.rsplit("\n---\n").next().unwrap();
    let doc: Value = serde_saphyr::from_str(role).unwrap();
    assert!(validator().is_valid(&doc));
    assert_eq!(
        doc["spec"]["ec2"]["selector"]["tags"]["cloudwatch-agent"],
        "enabled"
    );
}

fn minimal_role() -> Value {
    json!({
        "apiVersion": "rolesmith/v1",
        "kind": "Role",
        "metadata": {"name": "web"},
        "spec": {"trust": [{"service": "ec2.amazonaws.com"}]}
    })
}

#[test]
fn a_minimal_role_is_valid() {
    let v = validator();
    assert!(errors(&v, &minimal_role()).is_empty());
}

#[test]
fn invalid_documents_are_rejected() {
    let v = validator();
    let mut cases: Vec<(&str, Value)> = Vec::new();

    let mut unknown_spec_field = minimal_role();
    unknown_spec_field["spec"]["descripton"] = json!("typo");
    cases.push(("unknown field in spec", unknown_spec_field));

    let mut unknown_top_level = minimal_role();
    unknown_top_level["labels"] = json!({"a": "b"});
    cases.push(("unknown top-level field", unknown_top_level));

    let mut wrong_kind = minimal_role();
    wrong_kind["kind"] = json!("Group");
    cases.push(("wrong kind", wrong_kind));

    let mut wrong_api_version = minimal_role();
    wrong_api_version["apiVersion"] = json!("rolesmith/v2");
    cases.push(("wrong apiVersion", wrong_api_version));

    let mut wrong_type = minimal_role();
    wrong_type["spec"]["maxSessionDuration"] = json!("one hour");
    cases.push(("maxSessionDuration as a string", wrong_type));

    let mut managed_not_list = minimal_role();
    managed_not_list["spec"]["managedPolicies"] = json!("aws:ReadOnlyAccess");
    cases.push(("managedPolicies as a string", managed_not_list));

    let mut no_metadata = minimal_role();
    no_metadata.as_object_mut().unwrap().remove("metadata");
    cases.push(("missing metadata", no_metadata));

    cases.push((
        "service-linked role with a Role's spec",
        json!({
            "apiVersion": "rolesmith/v1",
            "kind": "ServiceLinkedRole",
            "metadata": {"name": "AWSServiceRoleForAutoScaling"},
            "spec": {"service": "autoscaling.amazonaws.com", "trust": []}
        }),
    ));

    for (what, doc) in cases {
        assert!(!v.is_valid(&doc), "{what} should be rejected: {doc}");
    }
}

#[test]
fn the_schema_has_an_id_naming_the_committed_file() {
    let schema: Value = serde_json::from_str(&committed_schema_text()).unwrap();
    let id = schema["$id"].as_str().expect("an $id");
    assert_eq!(id, rolesmith::schema::SCHEMA_ID);
    assert!(
        id.starts_with("https://") && id.ends_with("/schema/rolesmith.schema.json"),
        "{id}"
    );
}

/// `kind` selects the branch: a Role's typo is reported against the Role schema only, never as
/// a mismatch with the service-linked schema (and the other way round).
#[test]
fn kind_selects_the_branch_errors_are_reported_against() {
    let v = validator();
    let mut typo = minimal_role();
    typo["spec"]["descripton"] = json!("typo");
    let found = errors(&v, &typo);
    assert!(!found.is_empty());
    for e in &found {
        assert!(
            e.starts_with("/spec: ") && e.contains("descripton") && !e.contains("service"),
            "{found:#?}"
        );
    }

    let service_linked = json!({
        "apiVersion": "rolesmith/v1",
        "kind": "ServiceLinkedRole",
        "metadata": {"name": "AWSServiceRoleForAutoScaling"},
        "spec": {"service": "autoscaling.amazonaws.com", "trust": []}
    });
    let found = errors(&v, &service_linked);
    assert!(!found.is_empty());
    for e in &found {
        assert!(
            e.starts_with("/spec: ") && e.contains("'trust' was unexpected"),
            "{found:#?}"
        );
    }

    let mut unknown_kind = minimal_role();
    unknown_kind["kind"] = json!("Rol");
    let found = errors(&v, &unknown_kind);
    assert!(
        found.iter().all(|e| e.starts_with("/kind: ")) && !found.is_empty(),
        "{found:#?}"
    );
}

/// Strings for `managedPolicies` and `permissionsBoundary`, and whether rolesmith accepts them.
const POLICY_REFERENCES: &[(&str, bool)] = &[
    ("aws:ReadOnlyAccess", true),
    ("aws:service-role/AmazonEC2RoleforSSM", true),
    ("arn:aws:iam::aws:policy/ReadOnlyAccess", true),
    ("arn:aws:iam::123456789012:policy/team/web-boundary", true),
    ("arn:aws-us-gov:iam::123456789012:policy/boundary", true),
    (
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/boundary",
        true,
    ),
    ("ReadOnlyAccess", false),
    ("arn:aws:iam::12345:policy/x", false),
    ("arn:aws:iam::123456789012:role/web", false),
    ("arn:aws:s3:::bucket", false),
    ("aws:", false),
];

#[test]
fn managed_policies_and_the_boundary_must_be_policy_references() {
    let v = validator();
    for (reference, ok) in POLICY_REFERENCES {
        let mut managed = minimal_role();
        managed["spec"]["managedPolicies"] = json!([reference]);
        let mut boundary = minimal_role();
        boundary["spec"]["permissionsBoundary"] = json!(reference);
        for (doc, at) in [
            (managed, "/spec/managedPolicies/0: "),
            (boundary, "/spec/permissionsBoundary: "),
        ] {
            let found = errors(&v, &doc);
            assert_eq!(found.is_empty(), *ok, "{reference}: {found:#?}");
            assert!(found.iter().all(|e| e.starts_with(at)), "{found:#?}");
        }
    }
}

/// The schema's pattern and validation agree: a reference the schema accepts is, once `aws:`
/// is expanded and the placeholders resolved, an ARN `rolesmith validate` accepts.
#[test]
fn the_policy_pattern_agrees_with_validation() {
    use rolesmith::manifest::limits::managed_policy_arn;
    for (reference, ok) in POLICY_REFERENCES {
        let arn = match reference.strip_prefix("aws:") {
            Some(name) => format!("arn:aws:iam::aws:policy/{name}"),
            None => reference
                .replace("${AWS::Partition}", "aws")
                .replace("${AWS::AccountId}", "123456789012"),
        };
        assert_eq!(managed_policy_arn(&arn).is_ok(), *ok, "{reference}");
    }
}

#[test]
fn a_role_takes_exactly_one_of_trust_and_trust_policy() {
    let v = validator();
    let trust_policy = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    });
    let mut raw = minimal_role();
    raw["spec"] = json!({"trustPolicy": trust_policy});
    assert!(errors(&v, &raw).is_empty(), "{:#?}", errors(&v, &raw));

    let mut both = minimal_role();
    both["spec"]["trustPolicy"] = trust_policy;
    let mut neither = minimal_role();
    neither["spec"] = json!({"description": "no trust"});
    for (what, doc) in [("both", both), ("neither", neither)] {
        let found = errors(&v, &doc);
        assert!(
            !found.is_empty() && found.iter().all(|e| e.starts_with("/spec: ")),
            "{what}: {found:#?}"
        );
    }
}

//! The one table of AWS operations the adapter calls, and the least-privilege policy built from
//! it.
//!
//! Every call in `read.rs`, `instances.rs`, `write.rs` and `ec2.rs` has a row here; a unit test
//! checks that every [`Mutation`](crate::account::Mutation) names an operation in the table, so
//! the table (and the policy users are told to grant) cannot drift from the code.

use std::collections::BTreeSet;

use serde_json::{Value, json};

/// One AWS API operation the adapter may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation name as the API spells it, e.g. `CreateRole`.
    pub name: &'static str,
    /// The IAM action that authorizes it, e.g. `iam:CreateRole`; `""` when none is needed
    /// (`GetCallerIdentity`).
    pub action: &'static str,
    /// Further actions AWS checks for this call as the adapter makes it (tagging on create,
    /// `iam:PassRole` when EC2 is given a profile).
    pub implied: &'static [&'static str],
    /// Whether the call only reads (`plan` needs only these).
    pub read_only: bool,
    /// Made only in the account that runs rolesmith, to build the `[accounts]` inventory or to
    /// enter a member account (`organizations:*`, `sts:AssumeRole`): not part of the policy a
    /// managed account grants.
    pub hub: bool,
}

const fn read(name: &'static str, action: &'static str) -> Operation {
    Operation {
        name,
        action,
        implied: &[],
        read_only: true,
        hub: false,
    }
}

const fn hub(name: &'static str, action: &'static str) -> Operation {
    Operation {
        hub: true,
        ..read(name, action)
    }
}

const fn write(name: &'static str, action: &'static str) -> Operation {
    Operation {
        name,
        action,
        implied: &[],
        read_only: false,
        hub: false,
    }
}

/// Every operation the adapter calls.
pub const OPERATIONS: &[Operation] = &[
    // Reads.
    read("GetCallerIdentity", ""),
    // The inventory and entering member accounts, from the account rolesmith runs in.
    hub("AssumeRole", "sts:AssumeRole"),
    hub("ListRoots", "organizations:ListRoots"),
    hub(
        "ListOrganizationalUnitsForParent",
        "organizations:ListOrganizationalUnitsForParent",
    ),
    hub(
        "ListAccountsForParent",
        "organizations:ListAccountsForParent",
    ),
    hub("ListTagsForResource", "organizations:ListTagsForResource"),
    read("ListRoles", "iam:ListRoles"),
    read(
        "GetAccountAuthorizationDetails",
        "iam:GetAccountAuthorizationDetails",
    ),
    read("GetRole", "iam:GetRole"),
    read("GetInstanceProfile", "iam:GetInstanceProfile"),
    read("ListInstanceProfiles", "iam:ListInstanceProfiles"),
    read(
        "DescribeIamInstanceProfileAssociations",
        "ec2:DescribeIamInstanceProfileAssociations",
    ),
    read("DescribeInstances", "ec2:DescribeInstances"),
    read(
        "ListOpenIDConnectProviders",
        "iam:ListOpenIDConnectProviders",
    ),
    read("GetOpenIDConnectProvider", "iam:GetOpenIDConnectProvider"),
    read("ListSAMLProviders", "iam:ListSAMLProviders"),
    read("GetSAMLProvider", "iam:GetSAMLProvider"),
    // Role writes.
    Operation {
        implied: &["iam:TagRole"],
        ..write("CreateRole", "iam:CreateRole")
    },
    write("CreateServiceLinkedRole", "iam:CreateServiceLinkedRole"),
    write("UpdateRole", "iam:UpdateRole"),
    write("UpdateAssumeRolePolicy", "iam:UpdateAssumeRolePolicy"),
    write(
        "PutRolePermissionsBoundary",
        "iam:PutRolePermissionsBoundary",
    ),
    write(
        "DeleteRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary",
    ),
    write("TagRole", "iam:TagRole"),
    write("UntagRole", "iam:UntagRole"),
    write("AttachRolePolicy", "iam:AttachRolePolicy"),
    write("DetachRolePolicy", "iam:DetachRolePolicy"),
    write("PutRolePolicy", "iam:PutRolePolicy"),
    write("DeleteRolePolicy", "iam:DeleteRolePolicy"),
    write("DeleteRole", "iam:DeleteRole"),
    // Instance profile writes.
    Operation {
        implied: &["iam:TagInstanceProfile"],
        ..write("CreateInstanceProfile", "iam:CreateInstanceProfile")
    },
    write("TagInstanceProfile", "iam:TagInstanceProfile"),
    write("UntagInstanceProfile", "iam:UntagInstanceProfile"),
    write("AddRoleToInstanceProfile", "iam:AddRoleToInstanceProfile"),
    write(
        "RemoveRoleFromInstanceProfile",
        "iam:RemoveRoleFromInstanceProfile",
    ),
    write("DeleteInstanceProfile", "iam:DeleteInstanceProfile"),
    // EC2 association writes.
    Operation {
        implied: &["iam:PassRole"],
        ..write(
            "AssociateIamInstanceProfile",
            "ec2:AssociateIamInstanceProfile",
        )
    },
    Operation {
        implied: &["iam:PassRole"],
        ..write(
            "ReplaceIamInstanceProfileAssociation",
            "ec2:ReplaceIamInstanceProfileAssociation",
        )
    },
    write(
        "DisassociateIamInstanceProfile",
        "ec2:DisassociateIamInstanceProfile",
    ),
    // Identity provider writes.
    Operation {
        implied: &["iam:TagOpenIDConnectProvider"],
        ..write(
            "CreateOpenIDConnectProvider",
            "iam:CreateOpenIDConnectProvider",
        )
    },
    write(
        "AddClientIDToOpenIDConnectProvider",
        "iam:AddClientIDToOpenIDConnectProvider",
    ),
    write(
        "RemoveClientIDFromOpenIDConnectProvider",
        "iam:RemoveClientIDFromOpenIDConnectProvider",
    ),
    write(
        "UpdateOpenIDConnectProviderThumbprint",
        "iam:UpdateOpenIDConnectProviderThumbprint",
    ),
    write("TagOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"),
    write(
        "UntagOpenIDConnectProvider",
        "iam:UntagOpenIDConnectProvider",
    ),
    write(
        "DeleteOpenIDConnectProvider",
        "iam:DeleteOpenIDConnectProvider",
    ),
    Operation {
        implied: &["iam:TagSAMLProvider"],
        ..write("CreateSAMLProvider", "iam:CreateSAMLProvider")
    },
    write("UpdateSAMLProvider", "iam:UpdateSAMLProvider"),
    write("TagSAMLProvider", "iam:TagSAMLProvider"),
    write("UntagSAMLProvider", "iam:UntagSAMLProvider"),
    write("DeleteSAMLProvider", "iam:DeleteSAMLProvider"),
    // Customer managed policies: tags are read per policy (the bulk listing leaves them out),
    // the entities using one only when it is to be deleted or replaced.
    read("ListPolicyTags", "iam:ListPolicyTags"),
    read("ListEntitiesForPolicy", "iam:ListEntitiesForPolicy"),
    read("GetPolicy", "iam:GetPolicy"),
    read("GetPolicyVersion", "iam:GetPolicyVersion"),
    Operation {
        implied: &["iam:TagPolicy"],
        ..write("CreatePolicy", "iam:CreatePolicy")
    },
    write("CreatePolicyVersion", "iam:CreatePolicyVersion"),
    write("DeletePolicyVersion", "iam:DeletePolicyVersion"),
    write("TagPolicy", "iam:TagPolicy"),
    write("UntagPolicy", "iam:UntagPolicy"),
    write("DeletePolicy", "iam:DeletePolicy"),
];

/// The row for an operation name.
pub fn find(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.name == name)
}

/// The least-privilege identity policy for rolesmith: the read-only actions for `plan`, every
/// action for `apply`. Resources are `*`; narrow them to the managed path where that fits.
pub fn permissions_policy(for_apply: bool) -> Value {
    let actions = |read_only: bool| -> Vec<&'static str> {
        OPERATIONS
            .iter()
            .filter(|op| op.read_only == read_only && !op.hub)
            .flat_map(|op| std::iter::once(op.action).chain(op.implied.iter().copied()))
            .filter(|a| !a.is_empty())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let mut statements = vec![json!({
        "Sid": "RolesmithRead",
        "Effect": "Allow",
        "Action": actions(true),
        "Resource": "*",
    })];
    if for_apply {
        statements.push(json!({
            "Sid": "RolesmithApply",
            "Effect": "Allow",
            "Action": actions(false),
            "Resource": "*",
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::account::Mutation;
    use crate::account::aws::stats::is_read_operation;
    use crate::policy::{NormalizeContext, Policy};
    use crate::state::{InstanceProfileState, OidcProviderState, RoleState, SamlProviderState};

    /// One value of every variant; `variant` below fails to compile when a variant is added,
    /// and the test fails until it is added here.
    fn every_mutation() -> Vec<Mutation> {
        let policy = Policy::from_json_str(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            &NormalizeContext::default(),
        )
        .expect("valid policy");
        let role = || "r".to_owned();
        let profile = || "p".to_owned();
        let policy_doc = policy.clone();
        let m_arn = || "arn:aws:iam::123456789012:policy/m".to_owned();
        let mut mutations = vec![
            Mutation::CreateRole {
                role: Box::new(RoleState {
                    name: role(),
                    path: "/".into(),
                    description: None,
                    max_session_duration: 3600,
                    trust_policy: policy.clone(),
                    permissions_boundary: None,
                    managed_policies: BTreeSet::new(),
                    inline_policies: BTreeMap::new(),
                    tags: BTreeMap::new(),
                    service_linked: None,
                }),
            },
            Mutation::CreateServiceLinkedRole {
                role_name: role(),
                service: "autoscaling.amazonaws.com".into(),
                description: None,
                custom_suffix: None,
            },
            Mutation::UpdateRole {
                role_name: role(),
                description: None,
                max_session_duration: 3600,
            },
            Mutation::UpdateAssumeRolePolicy {
                role_name: role(),
                policy: policy.clone(),
            },
            Mutation::PutRolePermissionsBoundary {
                role_name: role(),
                boundary: "arn:aws:iam::aws:policy/PowerUserAccess".into(),
            },
            Mutation::DeleteRolePermissionsBoundary { role_name: role() },
            Mutation::TagRole {
                role_name: role(),
                tags: BTreeMap::new(),
            },
            Mutation::UntagRole {
                role_name: role(),
                keys: BTreeSet::new(),
            },
            Mutation::AttachRolePolicy {
                role_name: role(),
                policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            },
            Mutation::DetachRolePolicy {
                role_name: role(),
                policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            },
            Mutation::PutRolePolicy {
                role_name: role(),
                policy_name: "inline".into(),
                policy,
            },
            Mutation::DeleteRolePolicy {
                role_name: role(),
                policy_name: "inline".into(),
            },
            Mutation::DeleteRole { role_name: role() },
            Mutation::CreateInstanceProfile {
                profile: InstanceProfileState {
                    name: profile(),
                    path: "/".into(),
                    roles: BTreeSet::new(),
                    tags: BTreeMap::new(),
                },
            },
            Mutation::TagInstanceProfile {
                profile_name: profile(),
                tags: BTreeMap::new(),
            },
            Mutation::UntagInstanceProfile {
                profile_name: profile(),
                keys: BTreeSet::new(),
            },
            Mutation::AddRoleToInstanceProfile {
                profile_name: profile(),
                role_name: role(),
            },
            Mutation::RemoveRoleFromInstanceProfile {
                profile_name: profile(),
                role_name: role(),
            },
            Mutation::DeleteInstanceProfile {
                profile_name: profile(),
            },
            Mutation::AssociateInstanceProfile {
                instance_id: "i-1".into(),
                profile_name: profile(),
            },
            Mutation::ReplaceInstanceProfileAssociation {
                instance_id: "i-1".into(),
                association_id: "iip-assoc-1".into(),
                profile_name: profile(),
            },
            Mutation::DisassociateInstanceProfile {
                instance_id: "i-1".into(),
                association_id: "iip-assoc-1".into(),
            },
        ];
        let url = || "token.actions.githubusercontent.com".to_owned();
        let saml = || "idp".to_owned();
        mutations.extend([
            Mutation::CreateOpenIdConnectProvider {
                provider: OidcProviderState {
                    url: url(),
                    client_ids: BTreeSet::new(),
                    thumbprints: BTreeSet::new(),
                    tags: BTreeMap::new(),
                },
            },
            Mutation::AddClientIdToOpenIdConnectProvider {
                url: url(),
                client_id: "a".into(),
            },
            Mutation::RemoveClientIdFromOpenIdConnectProvider {
                url: url(),
                client_id: "a".into(),
            },
            Mutation::UpdateOpenIdConnectProviderThumbprint {
                url: url(),
                thumbprints: BTreeSet::new(),
            },
            Mutation::TagOpenIdConnectProvider {
                url: url(),
                tags: BTreeMap::new(),
            },
            Mutation::UntagOpenIdConnectProvider {
                url: url(),
                keys: BTreeSet::new(),
            },
            Mutation::DeleteOpenIdConnectProvider { url: url() },
            Mutation::CreateSamlProvider {
                provider: SamlProviderState::with_document(saml(), "<x/>".into(), BTreeMap::new()),
            },
            Mutation::UpdateSamlProvider {
                name: saml(),
                metadata_document: "<x/>".into(),
            },
            Mutation::TagSamlProvider {
                name: saml(),
                tags: BTreeMap::new(),
            },
            Mutation::UntagSamlProvider {
                name: saml(),
                keys: BTreeSet::new(),
            },
            Mutation::DeleteSamlProvider { name: saml() },
        ]);
        mutations.extend([
            Mutation::CreatePolicy {
                policy: Box::new(crate::state::ManagedPolicyState {
                    name: "m".into(),
                    path: "/".into(),
                    description: None,
                    document: policy_doc.clone(),
                    default_version: String::new(),
                    versions: Vec::new(),
                    tags: BTreeMap::new(),
                    attached_elsewhere: Vec::new(),
                }),
            },
            Mutation::CreatePolicyVersion {
                policy_name: "m".into(),
                policy_arn: m_arn(),
                document: policy_doc,
            },
            Mutation::DeletePolicyVersion {
                policy_name: "m".into(),
                policy_arn: m_arn(),
                version_id: "v1".into(),
            },
            Mutation::TagPolicy {
                policy_name: "m".into(),
                policy_arn: m_arn(),
                tags: BTreeMap::new(),
            },
            Mutation::UntagPolicy {
                policy_name: "m".into(),
                policy_arn: m_arn(),
                keys: BTreeSet::new(),
            },
            Mutation::DeletePolicy {
                policy_name: "m".into(),
                policy_arn: m_arn(),
            },
        ]);
        mutations
    }

    /// A distinct number per variant, with no wildcard arm.
    fn variant(m: &Mutation) -> usize {
        match m {
            Mutation::CreateRole { .. } => 0,
            Mutation::CreateServiceLinkedRole { .. } => 1,
            Mutation::UpdateRole { .. } => 2,
            Mutation::UpdateAssumeRolePolicy { .. } => 3,
            Mutation::PutRolePermissionsBoundary { .. } => 4,
            Mutation::DeleteRolePermissionsBoundary { .. } => 5,
            Mutation::TagRole { .. } => 6,
            Mutation::UntagRole { .. } => 7,
            Mutation::AttachRolePolicy { .. } => 8,
            Mutation::DetachRolePolicy { .. } => 9,
            Mutation::PutRolePolicy { .. } => 10,
            Mutation::DeleteRolePolicy { .. } => 11,
            Mutation::DeleteRole { .. } => 12,
            Mutation::CreateInstanceProfile { .. } => 13,
            Mutation::TagInstanceProfile { .. } => 14,
            Mutation::AddRoleToInstanceProfile { .. } => 15,
            Mutation::RemoveRoleFromInstanceProfile { .. } => 16,
            Mutation::DeleteInstanceProfile { .. } => 17,
            Mutation::AssociateInstanceProfile { .. } => 18,
            Mutation::ReplaceInstanceProfileAssociation { .. } => 19,
            Mutation::DisassociateInstanceProfile { .. } => 20,
            Mutation::UntagInstanceProfile { .. } => 21,
            Mutation::CreateOpenIdConnectProvider { .. } => 22,
            Mutation::AddClientIdToOpenIdConnectProvider { .. } => 23,
            Mutation::RemoveClientIdFromOpenIdConnectProvider { .. } => 24,
            Mutation::UpdateOpenIdConnectProviderThumbprint { .. } => 25,
            Mutation::TagOpenIdConnectProvider { .. } => 26,
            Mutation::UntagOpenIdConnectProvider { .. } => 27,
            Mutation::DeleteOpenIdConnectProvider { .. } => 28,
            Mutation::CreateSamlProvider { .. } => 29,
            Mutation::UpdateSamlProvider { .. } => 30,
            Mutation::TagSamlProvider { .. } => 31,
            Mutation::UntagSamlProvider { .. } => 32,
            Mutation::DeleteSamlProvider { .. } => 33,
            Mutation::CreatePolicy { .. } => 34,
            Mutation::CreatePolicyVersion { .. } => 35,
            Mutation::DeletePolicyVersion { .. } => 36,
            Mutation::TagPolicy { .. } => 37,
            Mutation::UntagPolicy { .. } => 38,
            Mutation::DeletePolicy { .. } => 39,
        }
    }

    #[test]
    fn every_mutation_is_in_the_table_as_a_write() {
        let mutations = every_mutation();
        let seen: BTreeSet<usize> = mutations.iter().map(variant).collect();
        assert_eq!(
            seen,
            (0..mutations.len()).collect(),
            "one value per variant"
        );
        assert_eq!(seen.len(), 40, "every variant instantiated");
        for m in &mutations {
            let op = find(m.operation())
                .unwrap_or_else(|| panic!("{} is missing from OPERATIONS", m.operation()));
            assert!(!op.read_only, "{} is a write", op.name);
        }
    }

    #[test]
    fn table_is_consistent() {
        let names: BTreeSet<_> = OPERATIONS.iter().map(|op| op.name).collect();
        assert_eq!(names.len(), OPERATIONS.len(), "operation names are unique");
        for op in OPERATIONS {
            assert_eq!(op.read_only, is_read_operation(op.name), "{}", op.name);
            if op.name == "GetCallerIdentity" {
                assert_eq!(op.action, "");
            } else {
                let (service, action) = op.action.split_once(':').expect("service:Action");
                let services: &[&str] = if op.hub {
                    &["sts", "organizations"]
                } else {
                    &["iam", "ec2"]
                };
                assert!(services.contains(&service), "{}", op.action);
                assert_eq!(action, op.name, "action is named after the operation");
            }
        }
    }

    #[test]
    fn plan_policy_is_read_only_and_apply_policy_is_everything() {
        let plan = permissions_policy(false);
        let statements = plan["Statement"].as_array().expect("statements");
        assert_eq!(statements.len(), 1);
        let read: Vec<&str> = statements[0]["Action"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(read.contains(&"iam:GetAccountAuthorizationDetails"));
        assert!(
            read.iter()
                .all(|a| is_read_operation(a.split_once(':').map_or(*a, |(_, name)| name)))
        );
        assert!(!read.contains(&""));

        let apply = permissions_policy(true);
        let write = &apply["Statement"][1]["Action"];
        for action in [
            "iam:CreateRole",
            "iam:PassRole",
            "ec2:AssociateIamInstanceProfile",
        ] {
            assert!(
                write
                    .as_array()
                    .expect("actions")
                    .iter()
                    .any(|a| a == action),
                "{action}"
            );
        }
        // The document is itself a valid policy.
        Policy::from_json_str(&apply.to_string(), &NormalizeContext::default())
            .expect("valid policy document");
    }
}

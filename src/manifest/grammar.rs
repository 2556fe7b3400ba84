//! Policy grammar checks on documents as written, so each finding can point at its statement.
//!
//! These are the rules IAM itself enforces when a document is stored (required elements,
//! which elements a trust policy may hold); deeper risk checks belong to the policy linter.

use crate::codes;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::manifest::load::LoadedDocument;
use crate::manifest::source::Seg;
use crate::policy::{OneOrMany, PolicyDocumentInput, PrincipalInput};

/// Which kind of document is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// A trust (assume-role) policy.
    Trust,
    /// A permission (identity) policy.
    Permission,
}

const PRINCIPAL_TYPES: [&str; 4] = ["AWS", "Service", "Federated", "CanonicalUser"];

/// Checks one document at `base` (the YAML path of the document) and pushes findings.
pub fn check_policy(
    doc: &LoadedDocument,
    base: &[Seg],
    policy: &PolicyDocumentInput,
    kind: PolicyKind,
    out: &mut Vec<Diagnostic>,
) {
    let at = |extra: &[Seg]| {
        let mut p = base.to_vec();
        p.extend_from_slice(extra);
        p
    };
    if let Some(v) = &policy.version
        && v != "2012-10-17"
        && v != "2008-10-17"
    {
        out.push(
            Diagnostic::new(
                codes::INVALID_POLICY_VERSION,
                format!("policy Version `{v}` does not exist"),
            )
            .at(doc.locate(&at(&[Seg::from("Version")])), "unknown version")
            .with_help("use `Version: \"2012-10-17\"` (quoted, so YAML keeps it a string)"),
        );
    }
    let statements: Vec<(Vec<Seg>, &crate::policy::StatementInput)> = match &policy.statement {
        OneOrMany::One(s) => vec![(at(&[Seg::from("Statement")]), s)],
        OneOrMany::Many(list) => list
            .iter()
            .enumerate()
            .map(|(i, s)| (at(&[Seg::from("Statement"), Seg::Index(i)]), s))
            .collect(),
    };
    if statements.is_empty() {
        out.push(
            Diagnostic::new(codes::EMPTY_POLICY, "the policy has no statements")
                .at(doc.locate(&at(&[Seg::from("Statement")])), "empty")
                .with_help("add at least one statement"),
        );
    }
    for (path, st) in statements {
        let here = |field: &str| {
            let mut p = path.clone();
            p.push(Seg::from(field));
            p
        };
        if let Some(sid) = &st.sid
            && !sid.chars().all(|c| c.is_ascii_alphanumeric())
        {
            out.push(
                Diagnostic::new(
                    codes::INVALID_SID,
                    format!("Sid `{sid}` may hold only letters and digits"),
                )
                .at(doc.locate(&here("Sid")), "invalid Sid")
                .with_help("IAM accepts Sid values of A-Z, a-z and 0-9 only"),
            );
        }
        match (&st.action, &st.not_action) {
            (None, None) => out.push(
                Diagnostic::new(
                    codes::MISSING_ACTION,
                    "the statement has neither Action nor NotAction",
                )
                .at(doc.locate(&path), "statement")
                .with_help("add `Action:` with the allowed or denied actions"),
            ),
            (Some(_), Some(_)) => out.push(
                Diagnostic::new(
                    codes::ACTION_AND_NOT_ACTION,
                    "the statement has both Action and NotAction",
                )
                .at(doc.locate_key(&here("NotAction")), "remove one")
                .with_help("a statement takes exactly one of Action and NotAction"),
            ),
            _ => {}
        }
        for (field, actions) in [("Action", &st.action), ("NotAction", &st.not_action)] {
            for (i, action) in actions.iter().flat_map(|a| a.iter()).enumerate() {
                if action != "*" && !is_action_shape(action) {
                    let mut p = here(field);
                    if matches!(actions, Some(OneOrMany::Many(_))) {
                        p.push(Seg::Index(i));
                    }
                    out.push(
                        Diagnostic::new(
                            codes::INVALID_ACTION,
                            format!("`{action}` is not an action"),
                        )
                        .at(doc.locate(&p), "expected service:Action")
                        .with_help("actions look like `s3:GetObject` or `ec2:Describe*`"),
                    );
                }
            }
        }
        match kind {
            PolicyKind::Trust => {
                if st.not_principal.is_some() {
                    out.push(
                        Diagnostic::new(
                            codes::NOT_PRINCIPAL_IN_TRUST,
                            "a trust policy cannot use NotPrincipal",
                        )
                        .at(
                            doc.locate_key(&here("NotPrincipal")),
                            "not allowed in a trust policy",
                        )
                        .with_help(
                            "name the principals that may assume the role under `Principal`",
                        ),
                    );
                } else if st.principal.is_none() {
                    out.push(
                        Diagnostic::new(
                            codes::MISSING_PRINCIPAL,
                            "a trust policy statement needs a Principal",
                        )
                        .at(doc.locate(&path), "statement")
                        .with_help("add `Principal:` with who may assume the role"),
                    );
                } else if let Some(PrincipalInput::Map(map)) = &st.principal
                    && map.values().all(OneOrMany::is_empty)
                {
                    out.push(
                        Diagnostic::new(
                            codes::EMPTY_PRINCIPAL,
                            "the trust statement's Principal names nobody",
                        )
                        .at(doc.locate(&here("Principal")), "no principal")
                        .with_help(
                            "name who may assume the role, e.g. \
                             `Principal: {Service: ec2.amazonaws.com}`",
                        ),
                    );
                }
                for field in ["Resource", "NotResource"] {
                    let present = if field == "Resource" {
                        st.resource.is_some()
                    } else {
                        st.not_resource.is_some()
                    };
                    if present {
                        out.push(
                            Diagnostic::new(
                                codes::RESOURCE_IN_TRUST,
                                format!("a trust policy cannot use {field}"),
                            )
                            .at(
                                doc.locate_key(&here(field)),
                                "not allowed in a trust policy",
                            )
                            .with_help(
                                "the role itself is the resource of a trust policy; remove this",
                            ),
                        );
                    }
                }
            }
            PolicyKind::Permission => {
                for (field, present) in [
                    ("Principal", st.principal.is_some()),
                    ("NotPrincipal", st.not_principal.is_some()),
                ] {
                    if present {
                        out.push(
                            Diagnostic::new(
                                codes::PRINCIPAL_IN_PERMISSION_POLICY,
                                format!("a permission policy cannot use {field}"),
                            )
                            .at(
                                doc.locate_key(&here(field)),
                                "only trust policies name principals",
                            )
                            .with_help(
                                "move who may assume the role to `trust`; remove this element",
                            ),
                        );
                    }
                }
                match (&st.resource, &st.not_resource) {
                    (None, None) => out.push(
                        Diagnostic::new(
                            codes::MISSING_RESOURCE,
                            "the statement has neither Resource nor NotResource",
                        )
                        .at(doc.locate(&path), "statement")
                        .with_help(
                            "add `Resource:` with the ARNs the statement applies to (or \"*\")",
                        ),
                    ),
                    (Some(_), Some(_)) => out.push(
                        Diagnostic::new(
                            codes::RESOURCE_AND_NOT_RESOURCE,
                            "the statement has both Resource and NotResource",
                        )
                        .at(doc.locate_key(&here("NotResource")), "remove one")
                        .with_help("a statement takes exactly one of Resource and NotResource"),
                    ),
                    _ => {}
                }
            }
        }
        for (field, principal) in [
            ("Principal", &st.principal),
            ("NotPrincipal", &st.not_principal),
        ] {
            match principal {
                Some(PrincipalInput::Wildcard(s)) if s != "*" => out.push(
                    Diagnostic::new(
                        codes::INVALID_PRINCIPAL,
                        format!("principal `{s}` is neither \"*\" nor a map"),
                    )
                    .at(doc.locate(&here(field)), "invalid principal")
                    .with_help(
                        "write `Principal: {AWS: ARN}`, `{Service: NAME}` or `{Federated: ARN}`",
                    ),
                ),
                Some(PrincipalInput::Map(map)) => {
                    for key in map.keys() {
                        if !PRINCIPAL_TYPES.contains(&key.as_str()) {
                            let mut p = here(field);
                            p.push(Seg::Key(key.clone()));
                            let help = match did_you_mean(key, PRINCIPAL_TYPES) {
                                Some(s) => format!("did you mean `{s}`?"),
                                None => {
                                    format!("principal types are {}", PRINCIPAL_TYPES.join(", "))
                                }
                            };
                            out.push(
                                Diagnostic::new(
                                    codes::UNKNOWN_PRINCIPAL_TYPE,
                                    format!("`{key}` is not a principal type"),
                                )
                                .at(doc.locate_key(&p), "unknown principal type")
                                .with_help(help),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn is_action_shape(action: &str) -> bool {
    match action.split_once(':') {
        Some((service, name)) => {
            !service.is_empty()
                && !name.is_empty()
                && service
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?')
        }
        None => false,
    }
}

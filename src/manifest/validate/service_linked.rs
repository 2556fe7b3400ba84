//! A `kind: ServiceLinkedRole` document → a [`DesiredRole`] with the service's fixed trust.
//!
//! Apart from `role` because AWS, not the manifest, decides most of such a role (its path,
//! trust and permissions): only the name, service, description and suffix are checked.

use std::collections::{BTreeMap, BTreeSet};

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::manifest::limits;
use crate::manifest::load::LoadedDocument;
use crate::manifest::model::ServiceLinkedRoleManifest;
use crate::state::{DEFAULT_MAX_SESSION_DURATION, DesiredRole, RoleState, ServiceLinked};
use crate::yaml_path;

use super::{Target, check, check_description, origin};

/// Validates a `kind: ServiceLinkedRole` document; the role is returned even with errors.
pub(super) fn service_linked_role(
    doc: &LoadedDocument,
    m: &ServiceLinkedRoleManifest,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) -> Option<DesiredRole> {
    let spec = &m.spec;
    let name = &m.metadata.name;
    check(
        out,
        limits::role_name(name),
        codes::INVALID_ROLE_NAME,
        || doc.locate(&yaml_path!["metadata", "name"]),
        "role names are 1–64 characters of letters, digits and +=,.@_-",
    );
    if !name.starts_with("AWSServiceRoleFor") {
        out.push(
            Diagnostic::new(codes::INVALID_SERVICE_LINKED_NAME, format!("`{name}` is not a service-linked role name"))
                .at(doc.locate(&yaml_path!["metadata", "name"]), "expected AWSServiceRoleFor…")
                .with_help("the service chooses the name, e.g. AWSServiceRoleForAutoScaling; check the service's documentation"),
        );
    }
    let service_ok =
        spec.service.ends_with(".amazonaws.com") && spec.service.len() > ".amazonaws.com".len();
    if !service_ok {
        out.push(
            Diagnostic::new(
                codes::INVALID_SERVICE,
                format!("`{}` is not an AWS service principal", spec.service),
            )
            .at(
                doc.locate(&yaml_path!["spec", "service"]),
                "expected NAME.amazonaws.com",
            )
            .with_help("service principals look like autoscaling.amazonaws.com"),
        );
    }
    check_description(doc, spec.description.as_deref(), out);
    if let Some(s) = &spec.custom_suffix {
        check(
            out,
            limits::entity_name(s, 64, "custom suffix"),
            codes::INVALID_CUSTOM_SUFFIX,
            || doc.locate(&yaml_path!["spec", "customSuffix"]),
            "suffixes are 1–64 characters of letters, digits and +=,.@_-",
        );
    }
    let trust_policy = crate::policy::service_role_trust(&spec.service, &ctx.partition);
    Some(DesiredRole {
        role: RoleState {
            name: name.clone(),
            path: format!("/aws-service-role/{}/", spec.service),
            description: spec.description.clone().filter(|d| !d.is_empty()),
            max_session_duration: DEFAULT_MAX_SESSION_DURATION,
            trust_policy,
            permissions_boundary: None,
            managed_policies: BTreeSet::new(),
            inline_policies: BTreeMap::new(),
            tags: BTreeMap::new(),
            service_linked: Some(ServiceLinked {
                service: spec.service.clone(),
                custom_suffix: spec.custom_suffix.clone(),
            }),
        },
        adopt: false,
        origin: origin(doc),
        instance_profile: None,
        bindings: None,
    })
}

//! Codes of a run against an account: the CLI's guards on the manifests of a run, and the
//! conflicts a plan reports (something in the account that rolesmith leaves alone).

use super::codes;

codes! { Run, RUN;
    BINDING_REGION_MISMATCH = "binding-region-mismatch", Error,
        "a role binds instances in another region than this run's",
        "rolesmith reads and binds EC2 instances in one region per run, so a role whose `ec2.region` \
         differs would be bound against the wrong instances. Fix: run with `--region REGION` for \
         the roles of that region (for example one CI job per region).";
    OUTSIDE_PATH_PREFIX = "outside-path-prefix", Error,
        "a role's path lies outside `--path-prefix`",
        "With a path prefix rolesmith reads and manages only roles under it, so a manifest \
         outside it could never be planned. Fix: move the role under the prefix, or run without \
         `--path-prefix`.";
}

codes! { Plan, PLAN_CONFLICTS;
    ROLE_NAME_CASE_CLASH = "role-name-case-clash", Error,
        "the account has the role under a name that differs only in case",
        "IAM role names are unique case-insensitively, so the manifest's role cannot be created \
         next to it. Fix: rename the manifest's role to the account's spelling.";
    ROLE_NOT_SERVICE_LINKED = "role-not-service-linked", Error,
        "a `ServiceLinkedRole` manifest names a role that is not linked to that service",
        "The account has a role of this name, but it is not the service's linked role (or is \
         linked to another service). Fix: check the service name, or remove the manifest.";
    UNOWNED_ROLE = "unowned-role", Error,
        "the role exists but does not carry rolesmith's ownership tag",
        "rolesmith changes only what it owns, so the role is left untouched. Fix: to take it \
         over, add `adopt: true` to its manifest (the plan then adds the tag); otherwise rename \
         the manifest's role.";
    ROLE_IS_SERVICE_LINKED = "role-is-service-linked", Error,
        "a `Role` manifest names a service-linked role",
        "Only the linked service may change a service-linked role. Fix: declare it with `kind: \
         ServiceLinkedRole`, or rename the manifest's role.";
    FOREIGN_INSTANCE_PROFILE = "foreign-instance-profile", Error,
        "the instance profile exists but does not carry rolesmith's ownership tag",
        "The profile was created outside rolesmith, so it is left untouched. Fix: add `adopt: \
         true` to the role's manifest to take it over, or name another profile.";
    INSTANCE_PROFILE_IN_USE = "instance-profile-in-use", Error,
        "the instance profile already holds another role",
        "An instance profile holds one role, and the other one is not rolesmith's to remove. \
         Fix: name another profile for this role, or remove the other role from it.";
    INSTANCE_NOT_FOUND = "instance-not-found", Error,
        "a bound instance does not exist in this account and region",
        "The instance id in `ec2.instances` was not found, so there is nothing to bind. Fix: \
         check the id and the region, or remove it from `ec2.instances`.";
    INSTANCE_HAS_OTHER_PROFILE = "instance-has-other-profile", Error,
        "a bound instance carries another instance profile",
        "The instance's profile was changed outside rolesmith (or never was rolesmith's), and \
         replacing it could take permissions away from what runs there. Fix: set \
         `ec2.takeover: true` to replace it, or take the instance out of the bindings.";
    POLICY_NAME_CASE_CLASH = "policy-name-case-clash", Error,
        "the account has the managed policy under a name that differs only in case",
        "IAM policy names are unique case-insensitively, so the manifest's policy cannot be \
         created next to it. Fix: rename the manifest's policy to the account's spelling.";
    UNOWNED_POLICY = "unowned-policy", Error,
        "the managed policy exists but does not carry rolesmith's ownership tag",
        "rolesmith changes only what it owns, so the policy is left untouched. Fix: to take it \
         over, add `adopt: true` to its manifest (the plan then adds the tag); otherwise rename \
         the manifest's policy.";
    POLICY_IN_USE = "policy-in-use", Error,
        "a managed policy to delete or replace is attached to something rolesmith does not manage",
        "Deleting (or replacing) a managed policy means detaching it everywhere first, and \
         rolesmith detaches only from roles it manages. The message names the users, groups or \
         roles in the way; nothing is done to the policy. Fix: detach it from them by hand (or \
         declare those roles), or keep the policy declared.";
    POLICY_STILL_REFERENCED = "policy-still-referenced", Error,
        "an owned managed policy no manifest declares is still attached by ARN to a declared role",
        "With `--prune` rolesmith deletes the owned policies no manifest declares, which would \
         detach this one from roles the manifests keep (or take their permissions boundary away). \
         The policy and those roles are left as they are. Fix: declare the policy \
         (`kind: ManagedPolicy`, and name it `policy:NAME` in the roles), or remove its ARN from \
         the roles' `managedPolicies` / `permissionsBoundary`.";
    NEEDS_BLOCKED_POLICY = "needs-blocked-policy", Error,
        "a role needs a managed policy that this plan cannot create or change",
        "The role attaches (or takes as boundary) a declared managed policy whose own change is \
         a conflict, so the policy's new ARN would not exist: the role is left as it is rather \
         than pointed at nothing. Fix: resolve the policy's conflict (shown on the policy); the \
         role follows in the same plan.";
}

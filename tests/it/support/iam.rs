//! What the account holds and what a run wrote: the `--stats` table parsed, the write calls in
//! it, and a dump of every role as IAM reports it (equal dumps: nothing was written).

use std::collections::BTreeMap;

use super::WRITE_OPERATIONS;
use super::block_on;
use super::ec2::ok;
use super::moto::Moto;

/// The `--stats` table on stderr, as operation → count.
pub fn stats_table(stderr: &str) -> BTreeMap<String, u64> {
    let at = stderr
        .find("API calls by operation:")
        .unwrap_or_else(|| panic!("no stats table on stderr:\n{stderr}"));
    stderr[at..]
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let (op, n) = (parts.next()?, parts.next()?.parse().ok()?);
            // Operation rows only: not the header, the total or the pace line.
            (op.starts_with(|c: char| c.is_ascii_uppercase())).then(|| (op.to_owned(), n))
        })
        .collect()
}

/// The write operations a `--stats` table counts, with their counts.
pub fn writes(stats: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    stats
        .iter()
        .filter(|(op, n)| **n > 0 && WRITE_OPERATIONS.contains(&op.as_str()))
        .map(|(op, n)| (op.clone(), *n))
        .collect()
}

/// Every role's full state as IAM reports it (GetRole, inline documents, attachments): equal
/// dumps mean nothing was written.
pub fn dump(moto: &Moto) -> BTreeMap<String, String> {
    let iam = moto.iam();
    block_on(async {
        let mut out = BTreeMap::new();
        let roles = ok(iam.list_roles().send().await, "ListRoles");
        for role in roles.roles() {
            let name = role.role_name();
            let got = ok(iam.get_role().role_name(name).send().await, "GetRole");
            let attached = ok(
                iam.list_attached_role_policies()
                    .role_name(name)
                    .send()
                    .await,
                "ListAttachedRolePolicies",
            );
            let mut inline = Vec::new();
            let names = ok(
                iam.list_role_policies().role_name(name).send().await,
                "ListRolePolicies",
            );
            for p in names.policy_names() {
                let doc = ok(
                    iam.get_role_policy()
                        .role_name(name)
                        .policy_name(p)
                        .send()
                        .await,
                    "GetRolePolicy",
                );
                inline.push(doc.policy_document().to_owned());
            }
            out.insert(
                name.to_owned(),
                format!(
                    "{:?}\n{:?}\n{inline:?}",
                    got.role(),
                    attached.attached_policies()
                ),
            );
        }
        out
    })
}

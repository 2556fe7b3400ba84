//! Reading the EC2 side of bindings: which instances carry which instance profile, and which
//! instances the manifests name or select.
//!
//! Only what the [`ReadScope`] asks for is read, and nothing at all when it asks for nothing:
//!
//! * one paginated `DescribeIamInstanceProfileAssociations` pass for the region (states
//!   `associating` and `associated`, 1000 a page) gives every association;
//! * each tag selector is one paginated `DescribeInstances` with the tags and the bindable
//!   states (`pending`, `running`, `stopping`, `stopped`) as server-side filters;
//! * instances named by id are described with an `instance-id` *filter* (200 ids a call), not
//!   the `InstanceIds` parameter: EC2 fails the whole call with `InvalidInstanceID.NotFound` when
//!   one id does not exist, while a filter simply leaves it out. A missing id is then absent from
//!   the state and the diff reports it as a conflict. No state filter here, so a named instance
//!   that was terminated is seen as such (and the plan says it is ignored).
//!
//! Reading N associated instances and M selected ones costs ⌈N/1000⌉ + Σ ⌈Mᵢ/1000⌉ EC2 calls.
//! An instance known only from its association (carrying a profile, but neither named nor
//! selected) is not described: its state is recorded as `unknown` and its tags as empty, which
//! is all the diff needs to disassociate it when it carries one of rolesmith's profiles.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::{Filter, IamInstanceProfileAssociation, Instance};

use super::AwsAccount;
use super::ec2::profile_name_of_arn;
use super::error::to_account_error;
use crate::account::{AccountError, ReadScope};
use crate::state::{Association, InstanceState};

/// EC2's largest page for both listings.
const PAGE_SIZE: i32 = 1000;
/// Values one `DescribeInstances` filter may hold.
const IDS_PER_FILTER: usize = 200;
use crate::state::BINDABLE_STATES;
pub use crate::state::UNDESCRIBED_STATE;

impl AwsAccount {
    /// The instances `scope` asks for, by id, each with its association; empty (and no call)
    /// when the scope needs nothing from EC2.
    pub(super) async fn read_instances(
        &self,
        scope: &ReadScope,
    ) -> Result<BTreeMap<String, InstanceState>, AccountError> {
        if !scope.needs_ec2() {
            return Ok(BTreeMap::new());
        }
        let associations = self.associations().await?;
        let mut described: BTreeMap<String, InstanceState> = BTreeMap::new();
        for selector in &scope.selectors {
            let filters = selector_filters(selector);
            let what = format!("instances tagged {}", tags_inline(selector));
            self.describe_instances(&what, filters, &mut described)
                .await?;
        }
        let ids: Vec<&String> = scope.instance_ids.iter().collect();
        for chunk in ids.chunks(IDS_PER_FILTER) {
            let filter = Filter::builder()
                .name("instance-id")
                .set_values(Some(chunk.iter().map(|id| (*id).clone()).collect()))
                .build();
            let what = match chunk {
                [one] => format!("instance {one}"),
                _ => format!("{} instances by id", chunk.len()),
            };
            self.describe_instances(&what, vec![filter], &mut described)
                .await?;
        }
        Ok(merge(described, associations))
    }

    /// Every current association in the region, by instance id: one paginated pass.
    async fn associations(&self) -> Result<BTreeMap<String, Association>, AccountError> {
        let mut pages = self
            .ec2
            .describe_iam_instance_profile_associations()
            .filters(
                Filter::builder()
                    .name("state")
                    .values("associating")
                    .values("associated")
                    .build(),
            )
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        let mut out = BTreeMap::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                to_account_error(
                    "instance profile associations",
                    "DescribeIamInstanceProfileAssociations",
                    &e,
                )
            })?;
            for a in page.iam_instance_profile_associations() {
                if let Some((instance, association)) = association_of(a) {
                    out.insert(instance, association);
                }
            }
        }
        tracing::debug!("read {} instance profile associations", out.len());
        Ok(out)
    }

    /// `DescribeInstances` with `filters`, every page, into `into`.
    async fn describe_instances(
        &self,
        what: &str,
        filters: Vec<Filter>,
        into: &mut BTreeMap<String, InstanceState>,
    ) -> Result<(), AccountError> {
        let mut pages = self
            .ec2
            .describe_instances()
            .set_filters(Some(filters))
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| to_account_error(what, "DescribeInstances", &e))?;
            for instance in page.reservations().iter().flat_map(|r| r.instances()) {
                if let Some(state) = instance_state(instance) {
                    into.insert(state.id.clone(), state);
                }
            }
        }
        Ok(())
    }
}

/// A tag selector as `DescribeInstances` filters: every tag, and the bindable states.
fn selector_filters(selector: &BTreeMap<String, String>) -> Vec<Filter> {
    let mut filters: Vec<Filter> = selector
        .iter()
        .map(|(k, v)| Filter::builder().name(format!("tag:{k}")).values(v).build())
        .collect();
    filters.push(
        Filter::builder()
            .name("instance-state-name")
            .set_values(Some(BINDABLE_STATES.map(str::to_owned).to_vec()))
            .build(),
    );
    filters
}

/// `(instance id, association)` from EC2's association record; `None` when a field is missing.
fn association_of(a: &IamInstanceProfileAssociation) -> Option<(String, Association)> {
    let instance = a.instance_id()?;
    let id = a.association_id()?;
    let profile = profile_name_of_arn(a.iam_instance_profile()?.arn()?)?;
    Some((
        instance.to_owned(),
        Association {
            id: id.to_owned(),
            profile: profile.to_owned(),
        },
    ))
}

/// The model's view of a described instance (its association is merged in later).
fn instance_state(instance: &Instance) -> Option<InstanceState> {
    let id = instance.instance_id()?.to_owned();
    let state = instance
        .state()
        .and_then(|s| s.name())
        .map_or(UNDESCRIBED_STATE, |n| n.as_str())
        .to_owned();
    let tags = instance
        .tags()
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect();
    Some(InstanceState {
        id,
        state,
        tags,
        association: None,
    })
}

/// Described instances with their associations, plus the associated instances that were not
/// described (state [`UNDESCRIBED_STATE`], no tags).
fn merge(
    mut described: BTreeMap<String, InstanceState>,
    associations: BTreeMap<String, Association>,
) -> BTreeMap<String, InstanceState> {
    for (instance, association) in associations {
        described
            .entry(instance.clone())
            .or_insert_with(|| InstanceState {
                id: instance,
                state: UNDESCRIBED_STATE.to_owned(),
                tags: BTreeMap::new(),
                association: None,
            })
            .association = Some(association);
    }
    described
}

fn tags_inline(tags: &BTreeMap<String, String>) -> String {
    let pairs: BTreeSet<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.into_iter().collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use aws_sdk_ec2::types::{IamInstanceProfile, InstanceStateName, Tag};

    use super::*;

    fn described(id: &str, state: InstanceStateName) -> Instance {
        Instance::builder()
            .instance_id(id)
            .state(
                aws_sdk_ec2::types::InstanceState::builder()
                    .name(state)
                    .build(),
            )
            .tags(
                Tag::builder()
                    .key("cloudwatch-agent")
                    .value("enabled")
                    .build(),
            )
            .build()
    }

    fn association(instance: &str, id: &str, arn: &str) -> IamInstanceProfileAssociation {
        IamInstanceProfileAssociation::builder()
            .instance_id(instance)
            .association_id(id)
            .iam_instance_profile(IamInstanceProfile::builder().arn(arn).id("AIPA1").build())
            .build()
    }

    #[test]
    fn associations_name_the_profile_from_its_arn() {
        let a = association(
            "i-0123456789abcdef0",
            "iip-assoc-1",
            "arn:aws:iam::123456789012:instance-profile/team/cloudwatch-agent",
        );
        assert_eq!(
            association_of(&a),
            Some((
                "i-0123456789abcdef0".to_owned(),
                Association {
                    id: "iip-assoc-1".into(),
                    profile: "cloudwatch-agent".into()
                }
            ))
        );
        let no_arn = IamInstanceProfileAssociation::builder()
            .instance_id("i-1")
            .association_id("iip-assoc-2")
            .build();
        assert_eq!(association_of(&no_arn), None);
    }

    #[test]
    fn described_instances_keep_state_and_tags() {
        let s = instance_state(&described("i-1", InstanceStateName::Stopped)).expect("has an id");
        assert_eq!(s.state, "stopped");
        assert!(s.is_bindable());
        assert_eq!(
            s.tags.get("cloudwatch-agent").map(String::as_str),
            Some("enabled")
        );
        let gone = instance_state(&described("i-2", InstanceStateName::Terminated)).unwrap();
        assert!(!gone.is_bindable());
    }

    #[test]
    fn merge_joins_associations_and_keeps_undescribed_carriers() {
        let mut described_map = BTreeMap::new();
        let i1 = instance_state(&described("i-1", InstanceStateName::Running)).unwrap();
        described_map.insert(i1.id.clone(), i1);
        let associations = BTreeMap::from([
            (
                "i-1".to_owned(),
                Association {
                    id: "iip-assoc-1".into(),
                    profile: "web".into(),
                },
            ),
            (
                "i-9".to_owned(),
                Association {
                    id: "iip-assoc-9".into(),
                    profile: "web".into(),
                },
            ),
        ]);
        let merged = merge(described_map, associations);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged["i-1"].state, "running");
        assert_eq!(
            merged["i-1"].association.as_ref().unwrap().id,
            "iip-assoc-1"
        );
        assert_eq!(merged["i-9"].state, UNDESCRIBED_STATE);
        assert!(merged["i-9"].tags.is_empty());
        // Seen only through its association, which EC2 keeps only for live instances.
        assert!(merged["i-9"].is_bindable());
    }

    /// Captures each request's form body, then stops the call before it is signed or sent.
    #[derive(Debug, Default, Clone)]
    struct Capture(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    impl aws_smithy_runtime_api::client::interceptors::Intercept for Capture {
        fn name(&self) -> &'static str {
            "Capture"
        }

        fn read_before_signing(
            &self,
            context: &aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef<'_>,
            _runtime_components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
            _cfg: &mut aws_smithy_types::config_bag::ConfigBag,
        ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
            let body = context.request().body().bytes().unwrap_or_default();
            let text = percent_encoding::percent_decode(body)
                .decode_utf8_lossy()
                .into_owned();
            self.0.lock().expect("capture lock").push(text);
            Err("captured; not sent".into())
        }
    }

    /// The account with an EC2 client whose requests are captured instead of sent.
    async fn capturing() -> (AwsAccount, Capture) {
        let mut account = AwsAccount::connect(super::super::AwsOptions {
            region: Some("eu-west-1".into()),
            endpoint_url: Some("http://127.0.0.1:9".into()),
            max_attempts: 1,
            ..Default::default()
        })
        .await
        .expect("configuration loads");
        let capture = Capture::default();
        let conf = account
            .ec2
            .config()
            .to_builder()
            .credentials_provider(aws_sdk_ec2::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .interceptor(capture.clone())
            .build();
        account.ec2 = aws_sdk_ec2::Client::from_conf(conf);
        (account, capture)
    }

    #[tokio::test]
    async fn listings_ask_for_the_largest_page_and_filter_server_side() {
        let (account, capture) = capturing().await;
        assert!(account.associations().await.is_err());
        let scope = ReadScope {
            selectors: vec![BTreeMap::from([(
                "cloudwatch-agent".to_owned(),
                "enabled".to_owned(),
            )])],
            ..ReadScope::default()
        };
        let mut into = BTreeMap::new();
        let filters = vec![Filter::builder().name("instance-id").values("i-1").build()];
        assert!(
            account
                .describe_instances("x", filters, &mut into)
                .await
                .is_err()
        );
        assert!(account.read_instances(&ReadScope::default()).await.is_ok());
        assert!(account.read_instances(&scope).await.is_err());
        let sent = capture.0.lock().unwrap().clone();
        assert_eq!(sent.len(), 3, "the empty scope sends nothing: {sent:?}");
        let has = |i: usize, p: &str| sent[i].split('&').any(|kv| kv == p);
        assert!(
            has(0, "Action=DescribeIamInstanceProfileAssociations"),
            "{sent:?}"
        );
        assert!(
            has(0, "MaxResults=1000") && has(0, "Filter.1.Name=state"),
            "{sent:?}"
        );
        assert!(has(0, "Filter.1.Value.1=associating") && has(0, "Filter.1.Value.2=associated"));
        assert!(
            has(1, "Action=DescribeInstances") && has(1, "MaxResults=1000"),
            "{sent:?}"
        );
        // By id: a filter, never the InstanceId parameter that fails on a missing id.
        assert!(has(1, "Filter.1.Name=instance-id") && has(1, "Filter.1.Value.1=i-1"));
        assert!(!sent[1].contains("InstanceId.1"), "{sent:?}");
        // A scoped read starts with the associations pass.
        assert!(
            has(2, "Action=DescribeIamInstanceProfileAssociations"),
            "{sent:?}"
        );
    }

    #[tokio::test]
    async fn selectors_filter_on_tags_and_bindable_states() {
        let (account, capture) = capturing().await;
        let selector = BTreeMap::from([
            ("app".to_owned(), "web".to_owned()),
            ("env".to_owned(), "prod".to_owned()),
        ]);
        let filters: Vec<Filter> = selector_filters(&selector);
        let mut into = BTreeMap::new();
        assert!(
            account
                .describe_instances("x", filters, &mut into)
                .await
                .is_err()
        );
        let sent = capture.0.lock().unwrap().clone();
        let has = |p: &str| sent[0].split('&').any(|kv| kv == p);
        for p in [
            "Filter.1.Name=tag:app",
            "Filter.1.Value.1=web",
            "Filter.2.Name=tag:env",
            "Filter.2.Value.1=prod",
            "Filter.3.Name=instance-state-name",
            "Filter.3.Value.1=pending",
            "Filter.3.Value.4=stopped",
            "MaxResults=1000",
        ] {
            assert!(has(p), "{p} missing from {sent:?}");
        }
    }

    #[test]
    fn selector_text_is_sorted() {
        let tags = BTreeMap::from([
            ("b".to_owned(), "2".to_owned()),
            ("a".to_owned(), "1".to_owned()),
        ]);
        assert_eq!(tags_inline(&tags), "a=1,b=2");
    }
}

//! EC2 conveniences for tests against moto: instances launched with tags, and the instance
//! profile associations read back through the SDK.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{Filter, InstanceType, ResourceType, Tag, TagSpecification};
use aws_smithy_types::error::display::DisplayErrorContext;

use super::block_on;
use super::moto::Moto;

/// An AMI in moto's bundled list.
pub const AMI: &str = "ami-12c6146b";

/// Unwraps an SDK result, panicking with `what` and the error's whole chain.
pub fn ok<T, E: std::error::Error>(result: Result<T, E>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {}", DisplayErrorContext(&e)))
}

/// An EC2 client for `moto`.
pub fn ec2(moto: &Moto) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&moto.sdk_config())
}

/// An EC2 tag.
pub fn ec2_tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

/// Runs `count` instances in one reservation with `tags`; returns their ids.
pub fn launch(moto: &Moto, count: i32, tags: &[(&str, &str)]) -> Vec<String> {
    let client = ec2(moto);
    let mut request = client
        .run_instances()
        .image_id(AMI)
        .instance_type(InstanceType::T2Micro)
        .min_count(count)
        .max_count(count);
    if !tags.is_empty() {
        let mut spec = TagSpecification::builder().resource_type(ResourceType::Instance);
        for (k, v) in tags {
            spec = spec.tags(ec2_tag(k, v));
        }
        request = request.tag_specifications(spec.build());
    }
    let out = ok(block_on(request.send()), "RunInstances");
    let mut ids: Vec<String> = out
        .instances()
        .iter()
        .filter_map(|i| i.instance_id().map(str::to_owned))
        .collect();
    ids.sort();
    assert_eq!(ids.len(), usize::try_from(count).unwrap());
    ids
}

/// Instance id → name of the instance profile it carries, for every current association.
pub fn associations(moto: &Moto) -> BTreeMap<String, String> {
    let client = ec2(moto);
    let out = ok(
        block_on(
            client
                .describe_iam_instance_profile_associations()
                .filters(
                    Filter::builder()
                        .name("state")
                        .values("associating")
                        .values("associated")
                        .build(),
                )
                .max_results(1000)
                .send(),
        ),
        "DescribeIamInstanceProfileAssociations",
    );
    out.iam_instance_profile_associations()
        .iter()
        .map(|a| {
            let arn = a
                .iam_instance_profile()
                .and_then(|p| p.arn())
                .expect("association has a profile ARN");
            (
                a.instance_id()
                    .expect("association has an instance")
                    .to_owned(),
                arn.rsplit('/').next().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

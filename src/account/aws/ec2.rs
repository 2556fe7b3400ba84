//! Instance profile associations on EC2 instances, with the snapshot account's idempotency.
//!
//! EC2 learns about IAM instance profiles with a delay, so associating a profile created a moment
//! ago is refused ("Invalid IAM Instance Profile"); that refusal is retried until the account's
//! propagation timeout. An association that already holds the wanted profile is success; the
//! current association is read with `DescribeIamInstanceProfileAssociations` only when EC2
//! refuses.

use aws_sdk_ec2::types::{Filter, IamInstanceProfileSpecification};
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

use super::AwsAccount;
use super::error::{code, message, other, to_account_error};
use crate::account::AccountError;

impl AwsAccount {
    /// `AssociateIamInstanceProfile`; an existing association with the same profile is success.
    pub(super) async fn associate(
        &self,
        entity: &str,
        instance_id: &str,
        profile_name: &str,
    ) -> Result<(), AccountError> {
        let op = "AssociateIamInstanceProfile";
        let waiting = format!("{entity} (instance profile {profile_name} not yet visible to EC2)");
        let result = self
            .until_propagated(&waiting, invalid_instance_profile, || {
                self.ec2
                    .associate_iam_instance_profile()
                    .instance_id(instance_id)
                    .iam_instance_profile(profile_spec(profile_name))
                    .send()
            })
            .await;
        let Err(e) = result else {
            return Ok(());
        };
        match code(&e) {
            Some("IncorrectState") => match self.current_profile(entity, instance_id).await? {
                Some(current) if current == profile_name => Ok(()),
                Some(current) => Err(AccountError::EntityAlreadyExists {
                    entity: format!(
                        "instance {instance_id} association with instance profile {current}"
                    ),
                }),
                None => Err(to_account_error(entity, op, &e)),
            },
            Some(c) if c.starts_with("InvalidInstanceID") => Err(AccountError::NoSuchEntity {
                entity: entity.to_owned(),
            }),
            _ if invalid_instance_profile(&e) => {
                self.profile_error(entity, op, profile_name, &e).await
            }
            _ => Err(to_account_error(entity, op, &e)),
        }
    }

    /// `ReplaceIamInstanceProfileAssociation`; an association already replaced by the same
    /// profile (a re-run) is success.
    pub(super) async fn replace_association(
        &self,
        entity: &str,
        instance_id: &str,
        association_id: &str,
        profile_name: &str,
    ) -> Result<(), AccountError> {
        let op = "ReplaceIamInstanceProfileAssociation";
        let waiting = format!("{entity} (instance profile {profile_name} not yet visible to EC2)");
        let result = self
            .until_propagated(&waiting, invalid_instance_profile, || {
                self.ec2
                    .replace_iam_instance_profile_association()
                    .association_id(association_id)
                    .iam_instance_profile(profile_spec(profile_name))
                    .send()
            })
            .await;
        let Err(e) = result else {
            return Ok(());
        };
        match code(&e) {
            Some("InvalidAssociationID.NotFound") => {
                match self.current_profile(entity, instance_id).await? {
                    Some(current) if current == profile_name => Ok(()),
                    _ => Err(AccountError::NoSuchEntity {
                        entity: format!("association {association_id}"),
                    }),
                }
            }
            _ if invalid_instance_profile(&e) => {
                self.profile_error(entity, op, profile_name, &e).await
            }
            _ => Err(to_account_error(entity, op, &e)),
        }
    }

    /// After the propagation wait ran out on an unknown profile: `NoSuchEntity` when IAM does
    /// not know it either, the EC2 error otherwise.
    async fn profile_error<E>(
        &self,
        entity: &str,
        op: &'static str,
        profile_name: &str,
        err: &SdkError<E>,
    ) -> Result<(), AccountError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let profile_entity = format!("instance profile {profile_name}");
        match self
            .get_instance_profile(&profile_entity, profile_name)
            .await?
        {
            None => Err(AccountError::NoSuchEntity {
                entity: profile_entity,
            }),
            Some(_) => Err(other(
                entity,
                op,
                format!(
                    "EC2 still does not know {profile_entity} after {} s: {}",
                    self.propagation_timeout.as_secs(),
                    message(err)
                ),
            )),
        }
    }

    /// The name of the instance profile currently associated with an instance, from
    /// `DescribeIamInstanceProfileAssociations`.
    async fn current_profile(
        &self,
        entity: &str,
        instance_id: &str,
    ) -> Result<Option<String>, AccountError> {
        let out = self
            .ec2
            .describe_iam_instance_profile_associations()
            .filters(
                Filter::builder()
                    .name("instance-id")
                    .values(instance_id)
                    .build(),
            )
            .filters(
                Filter::builder()
                    .name("state")
                    .values("associating")
                    .values("associated")
                    .build(),
            )
            .send()
            .await
            .map_err(|e| to_account_error(entity, "DescribeIamInstanceProfileAssociations", &e))?;
        Ok(out
            .iam_instance_profile_associations()
            .iter()
            .filter_map(|a| a.iam_instance_profile()?.arn())
            .find_map(profile_name_of_arn)
            .map(str::to_owned))
    }
}

/// EC2's refusal of an instance profile it cannot see yet.
fn invalid_instance_profile<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    code(err) == Some("InvalidParameterValue")
        && message(err).contains("Invalid IAM Instance Profile")
}

fn profile_spec(name: &str) -> IamInstanceProfileSpecification {
    IamInstanceProfileSpecification::builder()
        .name(name)
        .build()
}

/// `arn:…:instance-profile/PATH/NAME` → `NAME`.
pub(super) fn profile_name_of_arn(arn: &str) -> Option<&str> {
    let (_, resource) = arn.split_once(":instance-profile/")?;
    resource.rsplit('/').next().filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_from_arns() {
        assert_eq!(
            profile_name_of_arn("arn:aws:iam::123456789012:instance-profile/web"),
            Some("web")
        );
        assert_eq!(
            profile_name_of_arn("arn:aws:iam::123456789012:instance-profile/team/app/web"),
            Some("web")
        );
        assert_eq!(
            profile_name_of_arn("arn:aws:iam::123456789012:role/web"),
            None
        );
    }
}

//! A JSON file as an account.
//!
//! The file holds an [`AccountState`]. Reading parses it; writing applies each [`Mutation`] to an
//! in-memory copy with IAM's rules (what may be created twice, what blocks a delete, the quotas
//! IAM enforces) and [`AccountWriter::checkpoint`] replaces the file atomically (temp file +
//! rename), so a crash never leaves half a file.

mod policy;
mod provider;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::account::{AccountError, AccountReader, AccountWriter, Identity, Mutation, ReadScope};
use crate::policy::Policy;
use crate::state::{AccountState, Association, RoleState, ServiceLinked};

/// The largest number of managed policies IAM lets a role carry, whatever the account quota.
const MANAGED_POLICY_HARD_LIMIT: usize = 20;
/// IAM's aggregate size limit for a role's inline policies (non-whitespace characters).
const INLINE_AGGREGATE_LIMIT: usize = 10_240;

/// An account stored in a JSON snapshot file.
///
/// The file is parsed once when opened; the first read takes that state (no copy), later reads
/// parse the file afresh until the first write, so a plan holds one copy of the account, not
/// two; the first write loads the state the writer then mutates.
#[derive(Debug)]
pub struct SnapshotAccount {
    path: PathBuf,
    default_account_id: String,
    state: Mutex<Option<AccountState>>,
    /// The state parsed by `open`, for the first read.
    opened: Mutex<Option<Box<AccountState>>>,
    /// The account's id and partition, known from `open`.
    identity: Option<Box<Identity>>,
}

impl SnapshotAccount {
    /// Opens a snapshot file. A missing file is an empty account with the given id.
    pub fn open(path: impl Into<PathBuf>, default_account_id: &str) -> Result<Self, AccountError> {
        let mut account = Self {
            path: path.into(),
            default_account_id: default_account_id.to_owned(),
            state: Mutex::new(None),
            opened: Mutex::new(None),
            identity: None,
        };
        // Fail early on a broken file rather than at the first read; a missing file is an
        // empty account, said once here and kept in memory (every later read sees the same).
        if account.path.exists() {
            let state = account.load()?;
            account.identity = Some(Box::new(Identity {
                account_id: state.account_id.clone(),
                partition: state.partition.clone(),
            }));
            *account.opened.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(state));
        } else {
            tracing::warn!(
                "snapshot {} does not exist; starting from an empty account {}",
                account.path.display(),
                account.default_account_id
            );
            *account.lock() = Some(AccountState::empty(default_account_id, "aws"));
        }
        Ok(account)
    }

    /// Wraps an in-memory state; `checkpoint` writes it to `path`.
    pub fn from_state(path: impl Into<PathBuf>, state: AccountState) -> Self {
        Self {
            path: path.into(),
            default_account_id: state.account_id.clone(),
            state: Mutex::new(Some(state)),
            opened: Mutex::new(None),
            identity: None,
        }
    }

    /// A copy of the current state (the file's, until something was written).
    pub fn state(&self) -> Result<AccountState, AccountError> {
        if let Some(state) = &*self.lock() {
            return Ok(state.clone());
        }
        match self.take_opened() {
            Some(state) => Ok(state),
            None => self.load(),
        }
    }

    /// The state `open` parsed, if no read has taken it yet.
    fn take_opened(&self) -> Option<AccountState> {
        self.opened
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .map(|state| *state)
    }

    /// Parses the file; a missing file is an empty account.
    fn load(&self) -> Result<AccountState, AccountError> {
        match fs_err::read_to_string(&self.path) {
            Ok(text) => parse(&self.path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(AccountState::empty(&self.default_account_id, "aws"))
            }
            Err(e) => Err(snapshot_error(&self.path, e)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<AccountState>> {
        // A poisoned lock only means another step panicked; the state itself stays consistent
        // because every mutation is applied in one go.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Parses snapshot JSON, naming the file and position on error.
pub fn parse(path: &Path, text: &str) -> Result<AccountState, AccountError> {
    serde_json::from_str(text).map_err(|e| AccountError::Snapshot {
        path: path.display().to_string(),
        message: format!("line {} column {}: {e}", e.line(), e.column()),
    })
}

/// Writes a state to `path` atomically: a temp file in the same directory, then a rename.
pub fn write_atomically(path: &Path, state: &AccountState) -> Result<(), AccountError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut json = serde_json::to_string_pretty(state).map_err(|e| snapshot_error(path, e))?;
    json.push('\n');
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| snapshot_error(path, e))?;
    tmp.write_all(json.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| snapshot_error(path, e))?;
    tmp.persist(path)
        .map_err(|e| snapshot_error(path, e.error))?;
    Ok(())
}

fn snapshot_error(path: &Path, e: impl std::fmt::Display) -> AccountError {
    AccountError::Snapshot {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl AccountReader for SnapshotAccount {
    async fn identity(&self) -> Result<Identity, AccountError> {
        if let Some(identity) = &self.identity {
            return Ok(identity.as_ref().clone());
        }
        let state = self.state()?;
        Ok(Identity {
            account_id: state.account_id,
            partition: state.partition,
        })
    }

    /// A snapshot holds everything; the scope changes nothing.
    async fn read_scoped(&self, _scope: &ReadScope) -> Result<AccountState, AccountError> {
        self.state()
    }
}

impl AccountWriter for SnapshotAccount {
    async fn write(&self, mutation: &Mutation) -> Result<(), AccountError> {
        let mut guard = self.lock();
        let state = match guard.take() {
            Some(state) => state,
            None => match self.take_opened() {
                Some(state) => state,
                None => self.load()?,
            },
        };
        apply_mutation(guard.insert(state), mutation)
    }

    async fn checkpoint(&self) -> Result<(), AccountError> {
        // Nothing written yet means nothing to save.
        match &*self.lock() {
            Some(state) => write_atomically(&self.path, state),
            None => Ok(()),
        }
    }
}

fn no_such(entity: impl Into<String>) -> AccountError {
    AccountError::NoSuchEntity {
        entity: entity.into(),
    }
}

fn role_mut<'a>(
    state: &'a mut AccountState,
    name: &str,
) -> Result<&'a mut RoleState, AccountError> {
    state
        .roles
        .get_mut(name)
        .ok_or_else(|| no_such(format!("role {name}")))
}

/// Applies one mutation with IAM's semantics. Public so tests and tools can drive a state
/// without a file.
pub fn apply_mutation(state: &mut AccountState, mutation: &Mutation) -> Result<(), AccountError> {
    if let Some(result) = policy::apply(state, mutation) {
        return result;
    }
    match mutation {
        Mutation::CreateRole { role } => {
            if let Some(existing) = state.find_role(&role.name) {
                let same = existing.name == role.name
                    && existing.path == role.path
                    && existing.trust_policy == role.trust_policy;
                return if same {
                    Ok(())
                } else {
                    Err(AccountError::EntityAlreadyExists {
                        entity: format!("role {}", role.name),
                    })
                };
            }
            let mut created = (**role).clone();
            created.managed_policies.clear();
            created.inline_policies.clear();
            state.roles.insert(created.name.clone(), created);
        }
        Mutation::CreateServiceLinkedRole {
            role_name,
            service,
            description,
            custom_suffix,
        } => {
            if state.find_role(role_name).is_some() {
                return Ok(());
            }
            let trust_policy = crate::policy::service_role_trust(service, &state.partition);
            state.roles.insert(
                role_name.clone(),
                RoleState {
                    name: role_name.clone(),
                    path: format!("/aws-service-role/{service}/"),
                    description: description.clone(),
                    max_session_duration: crate::state::DEFAULT_MAX_SESSION_DURATION,
                    trust_policy,
                    permissions_boundary: None,
                    managed_policies: Default::default(),
                    inline_policies: Default::default(),
                    tags: Default::default(),
                    service_linked: Some(ServiceLinked {
                        service: service.clone(),
                        custom_suffix: custom_suffix.clone(),
                    }),
                },
            );
        }
        Mutation::UpdateRole {
            role_name,
            description,
            max_session_duration,
        } => {
            let role = role_mut(state, role_name)?;
            role.description = description.clone();
            role.max_session_duration = *max_session_duration;
        }
        Mutation::UpdateAssumeRolePolicy { role_name, policy } => {
            role_mut(state, role_name)?.trust_policy = policy.clone();
        }
        Mutation::PutRolePermissionsBoundary {
            role_name,
            boundary,
        } => role_mut(state, role_name)?.permissions_boundary = Some(boundary.clone()),
        Mutation::DeleteRolePermissionsBoundary { role_name } => {
            role_mut(state, role_name)?.permissions_boundary = None;
        }
        Mutation::TagRole { role_name, tags } => {
            let role = role_mut(state, role_name)?;
            role.tags.extend(tags.clone());
            if role.tags.len() > 50 {
                return Err(AccountError::LimitExceeded {
                    entity: format!("role {role_name}"),
                    message: "a role can carry at most 50 tags".into(),
                });
            }
        }
        Mutation::UntagRole { role_name, keys } => {
            role_mut(state, role_name)?
                .tags
                .retain(|k, _| !keys.contains(k));
        }
        Mutation::AttachRolePolicy {
            role_name,
            policy_arn,
        } => {
            let role = role_mut(state, role_name)?;
            role.managed_policies.insert(policy_arn.clone());
            if role.managed_policies.len() > MANAGED_POLICY_HARD_LIMIT {
                role.managed_policies.remove(policy_arn);
                return Err(AccountError::LimitExceeded {
                    entity: format!("role {role_name}"),
                    message: format!(
                        "cannot attach {policy_arn}: at most {MANAGED_POLICY_HARD_LIMIT} managed policies per role"
                    ),
                });
            }
        }
        Mutation::DetachRolePolicy {
            role_name,
            policy_arn,
        } => {
            if let Some(role) = state.roles.get_mut(role_name) {
                role.managed_policies.remove(policy_arn);
            }
        }
        Mutation::PutRolePolicy {
            role_name,
            policy_name,
            policy,
        } => {
            let role = role_mut(state, role_name)?;
            let previous = role
                .inline_policies
                .insert(policy_name.clone(), policy.clone());
            let total: usize = role
                .inline_policies
                .values()
                .map(Policy::non_whitespace_len)
                .sum();
            if total > INLINE_AGGREGATE_LIMIT {
                match previous {
                    Some(p) => role.inline_policies.insert(policy_name.clone(), p),
                    None => role.inline_policies.remove(policy_name),
                };
                return Err(AccountError::LimitExceeded {
                    entity: format!("role {role_name} inline policy {policy_name}"),
                    message: format!(
                        "inline policies would total {total} characters; IAM allows {INLINE_AGGREGATE_LIMIT}"
                    ),
                });
            }
        }
        Mutation::DeleteRolePolicy {
            role_name,
            policy_name,
        } => {
            if let Some(role) = state.roles.get_mut(role_name) {
                role.inline_policies.remove(policy_name);
            }
        }
        Mutation::DeleteRole { role_name } => {
            let Some(role) = state.roles.get(role_name) else {
                return Ok(());
            };
            let mut attached = Vec::new();
            if !role.managed_policies.is_empty() {
                attached.push(format!("{} managed policies", role.managed_policies.len()));
            }
            if !role.inline_policies.is_empty() {
                attached.push(format!("{} inline policies", role.inline_policies.len()));
            }
            let profiles: Vec<_> = state
                .profiles_of_role(role_name)
                .map(|p| p.name.clone())
                .collect();
            if !profiles.is_empty() {
                attached.push(format!("instance profiles {}", profiles.join(", ")));
            }
            if !attached.is_empty() {
                return Err(AccountError::DeleteConflict {
                    entity: format!("role {role_name}"),
                    attached: attached.join(", "),
                });
            }
            state.roles.remove(role_name);
        }
        Mutation::CreateInstanceProfile { profile } => {
            if let Some(existing) = state.instance_profiles.get(&profile.name) {
                return if existing.path == profile.path {
                    Ok(())
                } else {
                    Err(AccountError::EntityAlreadyExists {
                        entity: format!("instance profile {}", profile.name),
                    })
                };
            }
            let mut created = profile.clone();
            created.roles.clear();
            state
                .instance_profiles
                .insert(created.name.clone(), created);
        }
        Mutation::TagInstanceProfile { profile_name, tags } => {
            state
                .instance_profiles
                .get_mut(profile_name)
                .ok_or_else(|| no_such(format!("instance profile {profile_name}")))?
                .tags
                .extend(tags.clone());
        }
        Mutation::UntagInstanceProfile { profile_name, keys } => {
            let profile = state
                .instance_profiles
                .get_mut(profile_name)
                .ok_or_else(|| no_such(format!("instance profile {profile_name}")))?;
            profile.tags.retain(|k, _| !keys.contains(k));
        }
        Mutation::AddRoleToInstanceProfile {
            profile_name,
            role_name,
        } => {
            if !state.roles.contains_key(role_name) {
                return Err(no_such(format!("role {role_name}")));
            }
            let profile = state
                .instance_profiles
                .get_mut(profile_name)
                .ok_or_else(|| no_such(format!("instance profile {profile_name}")))?;
            if profile.roles.contains(role_name) {
                return Ok(());
            }
            if !profile.roles.is_empty() {
                return Err(AccountError::LimitExceeded {
                    entity: format!("instance profile {profile_name}"),
                    message: "an instance profile can hold only one role".into(),
                });
            }
            profile.roles.insert(role_name.clone());
        }
        Mutation::RemoveRoleFromInstanceProfile {
            profile_name,
            role_name,
        } => {
            if let Some(profile) = state.instance_profiles.get_mut(profile_name) {
                profile.roles.remove(role_name);
            }
        }
        Mutation::DeleteInstanceProfile { profile_name } => {
            if let Some(profile) = state.instance_profiles.get(profile_name) {
                if !profile.roles.is_empty() {
                    return Err(AccountError::DeleteConflict {
                        entity: format!("instance profile {profile_name}"),
                        attached: format!(
                            "role {}",
                            profile.roles.iter().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
                state.instance_profiles.remove(profile_name);
            }
        }
        Mutation::AssociateInstanceProfile {
            instance_id,
            profile_name,
        } => {
            if !state.instance_profiles.contains_key(profile_name) {
                return Err(no_such(format!("instance profile {profile_name}")));
            }
            let instance = state
                .instances
                .get_mut(instance_id)
                .ok_or_else(|| no_such(format!("instance {instance_id}")))?;
            match &instance.association {
                Some(a) if &a.profile == profile_name => {}
                Some(a) => {
                    return Err(AccountError::EntityAlreadyExists {
                        entity: format!(
                            "instance {instance_id} association with instance profile {}",
                            a.profile
                        ),
                    });
                }
                None => {
                    instance.association = Some(Association {
                        id: association_id(instance_id, profile_name),
                        profile: profile_name.clone(),
                    });
                }
            }
        }
        Mutation::ReplaceInstanceProfileAssociation {
            instance_id,
            association_id: old,
            profile_name,
        } => {
            let instance = state
                .instances
                .get_mut(instance_id)
                .ok_or_else(|| no_such(format!("instance {instance_id}")))?;
            match &instance.association {
                Some(a) if &a.id == old => {
                    instance.association = Some(Association {
                        id: association_id(instance_id, profile_name),
                        profile: profile_name.clone(),
                    });
                }
                // Already replaced (a re-run of the same step): the desired end state holds.
                Some(a) if &a.profile == profile_name => {}
                _ => return Err(no_such(format!("association {old}"))),
            }
        }
        Mutation::DisassociateInstanceProfile {
            instance_id,
            association_id: old,
        } => {
            if let Some(instance) = state.instances.get_mut(instance_id)
                && instance.association.as_ref().is_some_and(|a| &a.id == old)
            {
                instance.association = None;
            }
        }
        Mutation::CreateOpenIdConnectProvider { .. }
        | Mutation::AddClientIdToOpenIdConnectProvider { .. }
        | Mutation::RemoveClientIdFromOpenIdConnectProvider { .. }
        | Mutation::UpdateOpenIdConnectProviderThumbprint { .. }
        | Mutation::TagOpenIdConnectProvider { .. }
        | Mutation::UntagOpenIdConnectProvider { .. }
        | Mutation::DeleteOpenIdConnectProvider { .. }
        | Mutation::CreateSamlProvider { .. }
        | Mutation::UpdateSamlProvider { .. }
        | Mutation::TagSamlProvider { .. }
        | Mutation::UntagSamlProvider { .. }
        | Mutation::DeleteSamlProvider { .. } => provider::apply(state, mutation)?,
        // Applied by `policy::apply` above.
        Mutation::CreatePolicy { .. }
        | Mutation::CreatePolicyVersion { .. }
        | Mutation::DeletePolicyVersion { .. }
        | Mutation::TagPolicy { .. }
        | Mutation::UntagPolicy { .. }
        | Mutation::DeletePolicy { .. } => {}
    }
    Ok(())
}

/// A deterministic association id, so snapshot files stay diffable in git.
fn association_id(instance_id: &str, profile: &str) -> String {
    // FNV-1a over both names.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in instance_id.bytes().chain([0]).chain(profile.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("iip-assoc-{hash:017x}")
}

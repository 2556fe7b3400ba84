//! AWS failures as a user sees them (issue 13): refused credentials, missing permissions and a
//! profile that does not exist each read as one error with AWS's code, the call, and a `hint:`
//! that says what to do — never an SDK debug dump.
//!
//! moto checks signatures and IAM policies once its authentication is on
//! (`INITIAL_NO_AUTH_ACTION_COUNT`: that many requests pass unchecked, then every request is
//! authenticated), so the errors here are AWS's own answers through the real SDK.

use crate::support::moto::Moto;
use crate::support::{Run, finish, rolesmith};

/// Requests moto lets through before it authenticates: CreateUser and CreateAccessKey.
const UNCHECKED: &str = "2";

/// A moto server with authentication on, and the access key of a user with no policy at all.
fn server_with_a_powerless_user() -> (Moto, String, String) {
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", UNCHECKED)]);
    let iam = moto.iam();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let key = rt.block_on(async {
        iam.create_user().user_name("reader").send().await.unwrap();
        iam.create_access_key()
            .user_name("reader")
            .send()
            .await
            .unwrap()
            .access_key
            .unwrap()
    });
    (
        moto,
        key.access_key_id().to_owned(),
        key.secret_access_key().to_owned(),
    )
}

fn plan_with(moto: &Moto, key_id: &str, secret: &str, extra: &[&str]) -> Run {
    let mut cmd = rolesmith(moto);
    cmd.env("AWS_ACCESS_KEY_ID", key_id)
        .env("AWS_SECRET_ACCESS_KEY", secret);
    let mut args = vec!["plan", "examples/manifests"];
    args.extend_from_slice(extra);
    finish(cmd, &args, "")
}

fn assert_no_dump(run: &Run) {
    for dump in [
        "DispatchFailure(",
        "ServiceError(",
        "unhandled error",
        "Unhandled(",
    ] {
        assert!(!run.stderr.contains(dump), "{dump}: {}", run.stderr);
    }
}

#[test]
fn refused_credentials_and_missing_permissions_say_what_to_do() {
    let (moto, key_id, secret) = server_with_a_powerless_user();

    // An access key moto never issued: AWS answers InvalidClientTokenId.
    let refused = plan_with(&moto, "AKIAIOSFODNN7EXAMPLE", "not-a-secret", &[]);
    assert_eq!(refused.code, Some(1), "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("error: GetCallerIdentity on caller failed: InvalidClientTokenId"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains(
            "hint: the credentials were refused: check --profile / AWS_PROFILE, or log in again (`aws sso login`)"
        ),
        "{}",
        refused.stderr
    );
    assert_no_dump(&refused);

    // A real key of a user without permissions: the first read is denied.
    let denied = plan_with(&moto, &key_id, &secret, &[]);
    assert_eq!(denied.code, Some(1), "{}", denied.stderr);
    assert!(denied.stderr.contains("AccessDenied"), "{}", denied.stderr);
    assert!(
        denied.stderr.contains(
            "hint: the credentials lack a permission: `rolesmith permissions --for plan` (or `--for apply`) prints the policy rolesmith needs"
        ),
        "{}",
        denied.stderr
    );
    assert_no_dump(&denied);
    for secret in [secret.as_str(), "not-a-secret"] {
        assert!(
            !refused.stderr.contains(secret) && !denied.stderr.contains(secret),
            "a secret reached the output"
        );
    }
}

#[test]
fn a_profile_that_does_not_exist_is_named_before_any_call() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[profile prd]\nregion = us-east-1\n[profile dev]\n",
    )
    .unwrap();
    let mut cmd = rolesmith(&moto);
    cmd.env("AWS_CONFIG_FILE", &config);
    let run = finish(
        cmd,
        &["plan", "examples/manifests", "--profile", "prod", "--stats"],
        "",
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: profile `prod` not found in ")
            && first.contains(&config.display().to_string()),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("hint: did you mean `prd`? create it with `aws configure --profile prod`"),
        "{}",
        run.stderr
    );
    assert_no_dump(&run);

    // The same through AWS_PROFILE.
    let mut cmd = rolesmith(&moto);
    cmd.env("AWS_CONFIG_FILE", &config)
        .env("AWS_PROFILE", "staging");
    let run = finish(cmd, &["plan", "examples/manifests"], "");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: profile `staging` not found in ")
            && run.stderr.contains("hint: defined there: dev, prd;"),
        "{}",
        run.stderr
    );
}

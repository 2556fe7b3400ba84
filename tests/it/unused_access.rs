//! Access nobody uses (issue 16): `drift --unused-for` reads IAM's `RoleLastUsed` from the bulk
//! read a plan makes anyway. moto records a role's last use when a session of it makes a call.

use aws_smithy_types::error::display::DisplayErrorContext;

use crate::support::iam::stats_table;
use crate::support::moto::{ACCOUNT_ID, Moto};
use crate::support::{arg, block_on, run_live};

const MANIFESTS: &str = r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: used-role
spec:
  trust:
    - account: "${AWS::AccountId}"
---
apiVersion: rolesmith/v1
kind: Role
metadata:
  name: idle-role
spec:
  trust:
    - account: "${AWS::AccountId}"
"#;

fn ok<T, E: std::error::Error>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {}", DisplayErrorContext(&e)))
}

fn names(json: &serde_json::Value) -> Vec<(String, bool)> {
    json["unused"]["roles"]
        .as_array()
        .unwrap_or_else(|| panic!("no unused roles in {json:#}"))
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_owned(),
                r["managed"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn unused_for_lists_exactly_the_roles_not_assumed_at_no_extra_call() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("roles.yaml"), MANIFESTS).expect("manifests");
    let m = arg(dir.path());
    run_live(&moto, &["apply", &m, "--auto-approve"]).success();
    let iam = moto.iam();
    block_on(async {
        ok(
            iam.create_role()
                .role_name("legacy")
                .assume_role_policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                )
                .send()
                .await,
            "CreateRole legacy",
        );
    });
    // Created, then later one role is assumed and its session makes a call.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let used_at = block_on(async {
        let sts = aws_sdk_sts::Client::new(&moto.sdk_config());
        let session = ok(
            sts.assume_role()
                .role_arn(format!("arn:aws:iam::{ACCOUNT_ID}:role/used-role"))
                .role_session_name("test")
                .send()
                .await,
            "AssumeRole",
        );
        let c = session.credentials().expect("credentials");
        let creds = aws_sdk_iam::config::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            None,
            "assumed",
        );
        let config = aws_sdk_iam::config::Builder::from(&moto.sdk_config())
            .credentials_provider(creds)
            .build();
        let as_role = aws_sdk_iam::Client::from_conf(config);
        ok(as_role.list_roles().send().await, "ListRoles as used-role");
        let details = ok(
            iam.get_account_authorization_details()
                .filter(aws_sdk_iam::types::EntityType::Role)
                .send()
                .await,
            "GetAccountAuthorizationDetails",
        );
        let used = details
            .role_detail_list()
            .iter()
            .find(|r| r.role_name() == Some("used-role"))
            .and_then(|r| r.role_last_used())
            .and_then(|u| u.last_used_date())
            .expect("moto records the role's last use");
        used.secs()
    });
    // Two seconds after the use, in seconds: used-role was used within 2s; the others were
    // created over 2s before and never used.
    let now = rolesmith::expiry::Instant::from_unix(used_at + 2).iam();
    let drift = |extra: &[&str]| {
        let mut args = vec![
            "--now",
            now.as_str(),
            "drift",
            m.as_str(),
            "--unused-for",
            "2s",
        ];
        args.extend_from_slice(extra);
        args.extend(["--format", "json"]);
        run_live(&moto, &args)
    };
    let managed = drift(&[]);
    assert_eq!(
        managed.code,
        Some(2),
        "unused roles are drift: {}",
        managed.stderr
    );
    assert_eq!(names(&managed.json()), [("idle-role".to_owned(), true)]);
    let all = drift(&["--unmanaged"]);
    assert_eq!(
        names(&all.json()),
        [("idle-role".to_owned(), true), ("legacy".to_owned(), false)]
    );
    let text = run_live(&moto, &["--now", &now, "drift", &m, "--unused-for", "2s"]);
    assert!(
        text.stdout.contains("1 role(s) unused for 2s")
            && text
                .stdout
                .contains("? /idle-role  managed, never used, created"),
        "{}",
        text.stdout
    );

    // import leaves the unused roles out; `[import] ignore` leaves a role out of import and
    // of drift --unmanaged.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let out = elsewhere.path().join("imported");
    let imported = run_live(
        &moto,
        &[
            "--now",
            &now,
            "import",
            "--out",
            &arg(&out),
            "--skip-unused",
            "2s",
        ],
    );
    assert_eq!(imported.code, Some(0), "{}", imported.stderr);
    let files: Vec<String> = std::fs::read_dir(&out)
        .expect("imported")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    assert_eq!(files, ["used-role.yaml"], "{}", imported.stderr);
    let config = elsewhere.path().join("rolesmith.toml");
    std::fs::write(
        &config,
        "[import]\nignore = [{name = \"^legacy$\"}, {tag = \"created-by=cdk\"}]\n",
    )
    .expect("config");
    let ignoring = run_live(
        &moto,
        &[
            "--config",
            &arg(&config),
            "--now",
            &now,
            "drift",
            &m,
            "--unmanaged",
            "--unused-for",
            "2s",
            "--format",
            "json",
        ],
    );
    let json = ignoring.json();
    assert_eq!(names(&json), [("idle-role".to_owned(), true)]);
    assert!(
        !json["unmanaged"].to_string().contains("legacy"),
        "{json:#}"
    );
    let out = elsewhere.path().join("imported-all");
    let imported = run_live(
        &moto,
        &["--config", &arg(&config), "import", "--out", &arg(&out)],
    );
    assert!(
        imported
            .stderr
            .contains("skipped legacy: matches `[import] ignore`")
            && !out.join("legacy.yaml").exists(),
        "{}",
        imported.stderr
    );

    // The same calls as a plan: RoleLastUsed rides on GetAccountAuthorizationDetails.
    let plan = run_live(&moto, &["plan", &m, "--stats"]);
    let unused = run_live(
        &moto,
        &["--now", &now, "drift", &m, "--unused-for", "2s", "--stats"],
    );
    assert!(
        stats_table(&plan.stderr).contains_key("GetAccountAuthorizationDetails"),
        "{}",
        plan.stderr
    );
    assert_eq!(
        stats_table(&unused.stderr),
        stats_table(&plan.stderr),
        "{}\n{}",
        plan.stderr,
        unused.stderr
    );
}

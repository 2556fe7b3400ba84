//! The README's walk-through is what rolesmith prints: each `$ rolesmith …` console block of the
//! CloudWatch walk-through is run against moto, in order, and its output compared with the
//! README's, line by line. A line that is only `…` stands for any lines (the README shortens
//! role details); a line ending in `…` matches any line that starts with what comes before it;
//! the README's instance id stands for the one moto gives.

use aws_sdk_ec2::types::IamInstanceProfileSpecification;

use crate::support::ec2::{associations, ec2, launch, ok};
use crate::support::moto::Moto;
use crate::support::{block_on, root, run_live};

/// The instance id the README's capture shows.
const README_INSTANCE: &str = "i-57494da3293e11e8c";

/// The README's console blocks as (command after `$ `, expected output lines), in order.
fn console_blocks() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut blocks = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("```console") {
            inside = true;
        } else if line.starts_with("```") {
            inside = false;
        } else if inside {
            if let Some(command) = line.strip_prefix("$ ") {
                blocks.push((command.to_owned(), Vec::new()));
            } else if let Some((_, out)) = blocks.last_mut() {
                out.push(line.to_owned());
            }
        }
    }
    blocks
}

/// Whether `actual` is what `expected` shows (see the module doc for `…`).
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.iter().all(|l| l.trim().is_empty()),
        Some((e, rest)) if e.trim() == "…" => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((e, rest)) => match actual.split_first() {
            Some((a, more)) => {
                let ok = match e.strip_suffix('…') {
                    Some(prefix) => a.starts_with(prefix),
                    None => a.trim_end() == e.trim_end(),
                };
                ok && matches(rest, more)
            }
            None => false,
        },
    }
}

/// Runs the README block whose command is `command` (the next one from `at`), checks its output
/// and returns the index after it.
fn check(
    moto: &Moto,
    blocks: &[(String, Vec<String>)],
    at: usize,
    command: &str,
    id: &str,
) -> usize {
    let i = (at..blocks.len())
        .find(|&i| blocks[i].0 == command)
        .unwrap_or_else(|| panic!("README has no `$ {command}` block after block {at}"));
    let expected: Vec<String> = blocks[i]
        .1
        .iter()
        .map(|l| l.replace(README_INSTANCE, id))
        .collect();
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let r = run_live(moto, &args);
    let combined = format!("{}{}", r.stdout, r.stderr);
    let actual: Vec<&str> = combined.lines().collect();
    assert!(
        matches(&expected, &actual),
        "README's `$ {command}` does not match what rolesmith prints\n--- README ---\n{}\n--- actual ---\n{combined}",
        expected.join("\n")
    );
    i + 1
}

#[test]
fn readme_walk_through_shows_what_rolesmith_prints() {
    let moto = Moto::start();
    let blocks = console_blocks();
    let id = launch(&moto, 1, &[("cloudwatch-agent", "enabled")]).remove(0);
    let plan = "rolesmith plan examples/manifests/cloudwatch-agent.yaml";
    let mut at = check(&moto, &blocks, 0, plan, &id);
    at = check(
        &moto,
        &blocks,
        at,
        "rolesmith apply examples/manifests/cloudwatch-agent.yaml --auto-approve -v",
        &id,
    );
    at = check(&moto, &blocks, at, &format!("{plan} --stats"), &id);
    // By hand: the instance gets another profile.
    let carried = associations(&moto);
    assert!(carried.contains_key(&id), "{carried:?}");
    block_on(async {
        let iam = moto.iam();
        ok(
            iam.create_instance_profile()
                .instance_profile_name("hand-made")
                .send()
                .await,
            "CreateInstanceProfile",
        );
        let described = ok(
            ec2(&moto)
                .describe_iam_instance_profile_associations()
                .send()
                .await,
            "DescribeIamInstanceProfileAssociations",
        );
        let association_id = described.iam_instance_profile_associations()[0]
            .association_id()
            .expect("association id")
            .to_owned();
        ok(
            ec2(&moto)
                .replace_iam_instance_profile_association()
                .association_id(association_id)
                .iam_instance_profile(
                    IamInstanceProfileSpecification::builder()
                        .name("hand-made")
                        .build(),
                )
                .send()
                .await,
            "ReplaceIamInstanceProfileAssociation",
        );
    });
    check(&moto, &blocks, at, plan, &id);
}

#[test]
fn ellipsis_lines_match_any_lines_and_prefixes() {
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&e(&["a", "…", "d"]), &["a", "b", "c", "d"]));
    assert!(matches(
        &e(&["Plan id: sha256:…"]),
        &["Plan id: sha256:0123"]
    ));
    assert!(!matches(&e(&["a", "d"]), &["a", "b", "d"]));
    assert!(!matches(&e(&["a"]), &["a", "extra"]));
}

/// The README's manifest example is safe to copy: it validates with `--strict` (no boundary or
/// policy that does not exist, no finding at all) and is the example role itself — applied over
/// `examples/manifests/cloudwatch-agent.yaml`, it plans no change.
#[test]
fn readme_manifest_example_is_the_example_role_and_validates_strictly() {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let section = text
        .split("## The manifest\n")
        .nth(1)
        .expect("README has a manifest section");
    let yaml = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the manifest section has a yaml block");
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("readme.yaml");
    std::fs::write(&manifest, yaml).unwrap();
    let manifest = manifest.to_str().unwrap();

    let validate = crate::support::run_offline(&["validate", "--strict", manifest]);
    assert_eq!(validate.code, Some(0), "{}", validate.stderr);
    assert_eq!(validate.stderr, "", "findings: {}", validate.stderr);

    let account = dir.path().join("account.json");
    let account = account.to_str().unwrap();
    let apply = crate::support::run_offline(&[
        "apply",
        "examples/manifests/cloudwatch-agent.yaml",
        "--snapshot",
        account,
        "--auto-approve",
    ]);
    assert_eq!(apply.code, Some(0), "{}", apply.stderr);
    let plan = crate::support::run_offline(&["plan", manifest, "--snapshot", account]);
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    assert!(
        plan.stdout
            .contains("No changes. The account matches the manifests."),
        "{}",
        plan.stdout
    );
}

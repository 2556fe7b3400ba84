//! Progress bars (issue 8): reads and applies that take longer than a second draw a bar on
//! stderr when it is a terminal; never when stderr is a pipe or file, nor with
//! `--no-progress`.
//!
//! A real terminal comes from util-linux `script`, which runs the command on a new
//! pseudo-terminal and copies what it writes. Every request goes through `support::proxy` with
//! every answer delayed, so reading the account and applying take well over a second.

use std::time::Duration;

use crate::support;
use crate::support::moto::Moto;
use crate::support::proxy::{Chaos, ChaosKind, Proxy};
use crate::support::{arg, run};

/// Three small roles, so the apply has six steps (CreateRole and PutRolePolicy each).
fn write_manifests(dir: &std::path::Path, prefix: &str) {
    let mut docs = Vec::new();
    for i in 0..3 {
        docs.push(format!(
            "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: {prefix}-{i}\nspec:\n  \
             trust:\n    - service: ec2.amazonaws.com\n  inlinePolicies:\n    read:\n      \
             Version: \"2012-10-17\"\n      Statement:\n        - Effect: Allow\n          \
             Action: s3:GetObject\n          Resource: arn:aws:s3:::bucket-{i}/*\n"
        ));
    }
    std::fs::write(dir.join("roles.yaml"), docs.join("---\n")).expect("write manifests");
}

/// A proxy in front of `moto` that answers every request 600 ms late (reading the account
/// then takes about 2 s, applying six steps one at a time about 4 s).
fn slow_proxy(moto: &Moto) -> Proxy {
    let proxy = Proxy::start(&moto.endpoint);
    proxy.chaos(Some(Chaos {
        seed: 8,
        rate: 1.0,
        kinds: vec![ChaosKind::Slow],
        slow: Duration::from_millis(600),
    }));
    proxy
}

/// Runs `rolesmith ARGS` on a pseudo-terminal (stdout and stderr both on it) and returns
/// everything it drew there, escape sequences included.
fn on_terminal(moto: &Moto, args: &[&str]) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let command_line = std::iter::once(env!("CARGO_BIN_EXE_rolesmith"))
        .chain(args.iter().copied())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = support::command_for("script", moto);
    cmd.args([
        "--quiet",
        "--return",
        "--command",
        &command_line,
        "/dev/null",
    ])
    .env("TERM", "xterm-256color");
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run util-linux `script` to get a terminal ({e}); install util-linux")
    });
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "`rolesmith {}` on a terminal failed ({}):\n{text}",
        args.join(" "),
        out.status
    );
    text
}

#[test]
fn slow_reads_and_applies_draw_bars_on_a_terminal_only() {
    let moto = Moto::start();
    let proxy = slow_proxy(&moto);
    let dir = tempfile::tempdir().expect("temp dir");
    let manifests = arg(dir.path());
    let apply = |parallel: &'static [&'static str]| {
        let mut args = vec![
            "apply",
            manifests.as_str(),
            "--auto-approve",
            "--parallelism",
            "1",
            "--endpoint-url",
            proxy.endpoint.as_str(),
        ];
        args.extend_from_slice(parallel);
        args
    };

    // On a terminal: a spinner while reading, a bar while applying, both cleared at the end.
    write_manifests(dir.path(), "tty");
    let drawn = on_terminal(&moto, &apply(&[]));
    assert!(
        drawn.contains("reading the account"),
        "no read spinner on the terminal:\n{drawn}"
    );
    assert!(
        drawn.contains("applying [") && drawn.contains("/6 steps"),
        "no apply bar on the terminal:\n{drawn}"
    );
    assert!(
        drawn.contains("API calls"),
        "the bars show no call count:\n{drawn}"
    );
    assert!(drawn.contains("Apply complete: 6 step(s)"), "{drawn}");

    // With -v, each log line is printed above the bar, never into it.
    write_manifests(dir.path(), "logged");
    let drawn = on_terminal(&moto, &apply(&["-v"]));
    let pieces: Vec<&str> = drawn.split(['\r', '\n']).collect();
    let logged = pieces
        .iter()
        .filter(|p| p.contains("] CreateRole role logged-"))
        .count();
    assert_eq!(logged, 3, "expected one log line per CreateRole:\n{drawn}");
    assert!(
        drawn.contains("applying ["),
        "no apply bar with -v:\n{drawn}"
    );
    for piece in &pieces {
        assert!(
            !(piece.contains("applying [") && piece.contains("INFO")),
            "a log line ran into the bar: {piece:?}"
        );
    }

    // Piped: no bar, even though the run is as slow.
    write_manifests(dir.path(), "piped");
    let r = run(&moto, &apply(&[])).success();
    for text in [&r.stdout, &r.stderr] {
        assert!(
            !text.contains("reading the account") && !text.contains("applying ["),
            "a bar was drawn without a terminal:\n{text}"
        );
    }
    assert!(
        r.stdout.contains("Apply complete: 6 step(s)"),
        "{}",
        r.stdout
    );

    // A terminal, but --no-progress.
    write_manifests(dir.path(), "quiet");
    let drawn = on_terminal(&moto, &apply(&["--no-progress"]));
    assert!(
        !drawn.contains("reading the account") && !drawn.contains("applying ["),
        "a bar was drawn despite --no-progress:\n{drawn}"
    );
    assert!(drawn.contains("Apply complete: 6 step(s)"), "{drawn}");
}

#[test]
fn quick_runs_draw_nothing_even_on_a_terminal() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("temp dir");
    write_manifests(dir.path(), "fast");
    // moto builds its IAM backend (with AWS's managed policies) on the first request, which can
    // take over a second on a busy machine: warm it up first.
    run(
        &moto,
        &["plan", &arg(dir.path()), "--endpoint-url", &moto.endpoint],
    )
    .success();
    // Straight to moto: reading three roles and six steps take well under a second each.
    let drawn = on_terminal(
        &moto,
        &[
            "apply",
            &arg(dir.path()),
            "--auto-approve",
            "--endpoint-url",
            &moto.endpoint,
        ],
    );
    assert!(
        !drawn.contains("reading the account") && !drawn.contains("applying ["),
        "a bar was drawn for a run under a second:\n{drawn}"
    );
    assert!(drawn.contains("Apply complete: 6 step(s)"), "{drawn}");
}

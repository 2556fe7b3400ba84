#!/usr/bin/env python3
"""Rewrites the inline policy of examples/bootstrap/rolesmith-{plan,apply}.yaml from
`rolesmith permissions --for plan|apply`, and the member role's policy in
examples/bootstrap/organization/member-role.stackset.yaml, keeping every other line.

Run after adding an IAM call to src/account/aws/operations.rs; the test
`bootstrap_roles_carry_the_permissions_policy` fails until the files match.

    cargo build && scripts/update-bootstrap.py
"""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "debug" / "rolesmith"


def statements_yaml(policy: dict, indent: str) -> list[str]:
    out = []
    for st in policy["Statement"]:
        out.append(f"{indent}- Sid: {st['Sid']}")
        out.append(f"{indent}  Effect: {st['Effect']}")
        out.append(f"{indent}  Action:")
        out.extend(f"{indent}  - {a}" for a in st["Action"])
        out.append(f"{indent}  Resource: '*'")
    return out


def rewrite(path: pathlib.Path, mode: str) -> None:
    policy = json.loads(
        subprocess.run([str(BIN), "permissions", "--for", mode], check=True,
                       capture_output=True, text=True).stdout)
    lines = path.read_text().split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip() == "Statement:") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("  tags:"))
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    lines[start:end] = statements_yaml(policy, indent)
    path.write_text("\n".join(lines))


def rewrite_stackset(path: pathlib.Path) -> None:
    """The member role's policy in the StackSet template: `permissions --for apply`."""
    policy = json.loads(
        subprocess.run([str(BIN), "permissions", "--for", "apply"], check=True,
                       capture_output=True, text=True).stdout)
    lines = path.read_text().split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip() == "Statement:"
                 and lines[i - 1].strip() == 'Version: "2012-10-17"'
                 and lines[i - 2].strip() == "PolicyDocument:") + 1
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    lines[start:] = statements_yaml(policy, indent) + [""]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    if not BIN.exists():
        sys.exit(f"{BIN} not found: run `cargo build` first")
    rewrite(ROOT / "examples/bootstrap/rolesmith-plan.yaml", "plan")
    rewrite(ROOT / "examples/bootstrap/rolesmith-apply.yaml", "apply")
    rewrite_stackset(ROOT / "examples/bootstrap/organization/member-role.stackset.yaml")

"""The three formats: JSON shape, Markdown structure for PR comments, text for terminals, and
secrets masked in all of them."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from infra.plan.mocks import MOCK_TOKEN
from infra.plan.render import render
from infra.plan.report import build_report, render_text, run_plan
from infra.plan.secrets import MASK, SECRET_SIG, SIG_KEY, mask, scrub
from infra.stackfile import PROJECT_ROOT, stack_names

FORMATS = ("text", "markdown", "json")


@pytest.fixture(scope="module")
def prod_plan():
    return run_plan("prod")


@pytest.fixture(scope="module")
def prod(prod_plan):
    secrets: set[str] = set()
    return build_report(prod_plan, secrets=secrets), secrets


def test_mocks_do_put_a_token_in_the_inputs(prod_plan):
    # Otherwise the masking tests below would pass vacuously.
    raw = json.dumps([r.inputs for r in prod_plan.recorder.registrations], default=str)
    assert MOCK_TOKEN in raw


@pytest.mark.parametrize("stack", stack_names())
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_value_in_any_format(stack, fmt):
    secrets: set[str] = set()
    report = build_report(run_plan(stack), secrets=secrets)
    out = render(report, fmt, secrets)
    assert MOCK_TOKEN not in out
    assert not any(secret in out for secret in secrets)


def test_auth_token_shows_as_masked(prod):
    report, secrets = prod
    assert any(s.startswith(MOCK_TOKEN) for s in secrets)
    groups = [r for r in report["resources"]
              if r["type"] == "aws:elasticache/replicationGroup:ReplicationGroup"
              and "authToken" in r["inputs"]]
    assert groups and all(r["inputs"]["authToken"] == MASK for r in groups)
    assert f"authToken: {MASK}" in render(report, "text", secrets)


def test_scrub_catches_a_secret_that_slipped_into_plain_text(prod):
    report, secrets = prod
    leaked = json.loads(json.dumps(report))
    token = next(s for s in secrets if s.startswith(MOCK_TOKEN))
    leaked["warnings"] = [f"connect with {token}"]
    for fmt in FORMATS:
        out = render(leaked, fmt, secrets)
        assert token not in out and f"connect with {MASK}" in out


def test_mask_hides_sdk_secrets_and_credential_names():
    found: set[str] = set()
    value = {"a": {SIG_KEY: SECRET_SIG, "value": "hunter2-secret"},
             "nested": [{"password": "plain-but-named"}], "ok": "visible"}
    assert mask(value, found, frozenset({"password"})) == {
        "a": MASK, "nested": [{"password": MASK}], "ok": "visible"}
    assert found == {"hunter2-secret", "plain-but-named"}
    assert scrub("x hunter2-secret y", found) == f"x {MASK} y"


def test_the_secret_markers_are_the_sdks_own():
    """The markers the plan and the tests look for are the ones the SDK serializes a secret
    with, so a real secret is recognized wherever it is recorded."""
    from pulumi.runtime import rpc

    assert (rpc._special_sig_key, rpc._special_secret_sig) == (SIG_KEY, SECRET_SIG)


def test_json_shape(prod):
    report, secrets = prod
    data = json.loads(render(report, "json", secrets))
    assert {"stack", "cloud", "caches", "total_monthly_usd", "resources", "findings"} <= set(data)
    assert (data["stack"], data["cloud"]) == ("prod", "aws")
    for cache in data["caches"]:
        assert {"name", "engine", "region", "node_type", "nodes", "monthly_usd"} <= set(cache)
    assert data["total_monthly_usd"] == round(sum(c["monthly_usd"] for c in data["caches"]), 2)
    for res in data["resources"]:
        assert {"type", "name", "parent", "provider_region", "protect", "inputs"} <= set(res)
    by_name = {r["name"]: r for r in data["resources"]}
    assert by_name["sessions-eu-west-1-group"]["provider_region"] == "eu-west-1"
    assert by_name["sessions-group"]["protect"] is True
    assert by_name["sessions-group"]["parent"] == by_name["sessions"]["urn"] or \
        by_name["sessions-group"]["parent"].endswith("::sessions")
    assert all({"severity", "cache", "message"} <= set(f) for f in data["findings"])


def test_markdown_structure(prod):
    report, secrets = prod
    md = render(report, "markdown", secrets)
    assert md.startswith("### Offline plan: `prod`")
    assert "#### Estimated monthly cost" in md and "#### Security and durability findings" in md
    assert "| Cache | Engine | Role | Region | Node type | Nodes | USD/month |" in md
    assert "| **Total** |" in md and f"**${report['total_monthly_usd']:,.2f}**" in md
    assert md.count("<details>") == md.count("</details>") >= 1
    assert f"<summary>Resources ({report['summary']['resources']})</summary>" in md
    assert_tables_well_formed(md)
    assert "> [!CAUTION]" not in md  # no diff, no data-loss banner


def assert_tables_well_formed(md: str) -> None:
    """Every row of a Markdown table has as many cells as its header; details are closed."""
    blocks = re.findall(r"((?:^\|.*\|$\n?)+)", md, flags=re.M)
    assert blocks
    for block in blocks:
        rows = block.strip().splitlines()
        widths = {len(re.split(r"(?<!\\)\|", r)) for r in rows}
        assert len(widths) == 1, block
        assert re.match(r"^\|(\s*-+:?\s*\|)+$", rows[1].replace("---:", "---")), rows[1]
    assert md.count("<details>") == md.count("</details>")


def test_markdown_with_a_diff_leads_with_the_data_loss_banner():
    from infra.plan.diff import diff
    from tests.builders import aws_config

    old = build_report(run_plan("t", config=aws_config({"sessions": {}})))
    secrets: set[str] = set()
    new = build_report(run_plan("t", config=aws_config({"cache": {}})), secrets=secrets)
    new["diff"] = diff(old, new)
    md = render(new, "markdown", secrets)
    assert md.index("> [!CAUTION]") < md.index("#### Estimated monthly cost")
    assert "**DELETE** `sessions-group`" in md
    assert "#### Changes against the base branch" in md
    assert_tables_well_formed(md)
    assert MOCK_TOKEN not in md


def test_text_keeps_the_readme_header_and_tree():
    out = render_text(run_plan("dev"))
    assert out.startswith("Stack dev: cloud aws, profile development, region(s) us-east-1")
    assert "+ sessions-group (ReplicationGroup)" in out
    assert "Estimated cost" in out and "Findings:" in out


def test_the_tree_says_what_each_alarm_reads_and_which_way_it_fires(prod_plan):
    lines = render_text(prod_plan).splitlines()
    at = lines.index("      + sessions-alarms-prod-sessions-001-hit-rate (MetricAlarm)")
    # A metric-math alarm has no metricName: its name says what it computes.
    assert lines[at + 1:at + 5] == [
        "          name: managed-cache/prod-sessions/prod-sessions-001/CacheHitRate",
        "          comparisonOperator: LessThanThreshold",
        "          threshold: 80",
        "          actionsEnabled: True"]


def test_cli_json_in_a_fresh_process():
    done = subprocess.run([sys.executable, "-m", "infra.plan", "prod", "--format", "json"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["stack"] == "prod" and MOCK_TOKEN not in done.stdout
    assert "Exception ignored" not in done.stderr


def test_a_refusal_only_the_run_sees_is_one_line_and_the_config_exit_code(monkeypatch, capsys):
    # More zones than the account has shows only when the zone lookup answers (the mocks answer
    # two for us-west-1): `python -m infra.plan` says it as the CLI would, without a traceback.
    from infra.plan import report as plan_module
    from infra.stackfile import flat_stack_config

    config = {**flat_stack_config("prod"), "aws:region": "us-west-1"}
    monkeypatch.setattr(plan_module, "run_plan", lambda stack, preview=False: run_plan(
        stack, preview=preview, config=config))
    assert plan_module.main(["prod"]) == plan_module.EXIT_CONFIG_ERROR
    assert capsys.readouterr().err.splitlines() == [
        "error: network.availability_zones: 3 zones, but this account has 2 in the "
        "region (us-west-1a, us-west-1c); set network.availability_zones to 2 or fewer."]

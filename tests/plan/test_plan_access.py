"""The offline plan shows users, secrets, imports and restores, and never a secret's value:
connection secrets' JSON, user passwords and AUTH tokens are masked in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.plan.diff import diff
from infra.plan.mocks import MOCK_AUTH, MOCK_TOKEN
from infra.plan.render import render
from infra.plan.report import build_report, load_report, run_plan
from infra.plan.secrets import MASK
from tests.builders import aws_config, gcp_config

USERS = {"app": {"access": "on ~app:* +@all -@dangerous"},
         "reporting": {"access": "on ~* +@read", "iam": True}}
RBAC = {"sessions": {"secret": True, "aws": {"users": USERS}}}


def report_of(config, secrets: set[str] | None = None) -> dict:
    return build_report(run_plan("test", config=config), secrets=secrets)


@pytest.mark.parametrize("config", [
    aws_config(RBAC),
    aws_config({"s": {"node_type": "cache.r7g.large",
                      "global": {"secondary_region": "eu-west-1"}}}, profile="production"),
    gcp_config({"r": {"engine": "redis", "gcp": {"auth": True, "tls": True}}},
               profile="production"),
], ids=["rbac-users", "global-token", "gcp-redis"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_secret_json_and_credentials_are_masked_in_every_format(config, fmt):
    found: set[str] = set()
    report = report_of(config, found)
    out = render(report, fmt, found)
    assert MOCK_TOKEN not in out and MOCK_AUTH not in out
    assert any(value.startswith((MOCK_TOKEN, MOCK_AUTH)) or '"auth_token"' in value
               or '"password"' in value for value in found), "nothing was masked"
    versions = [r for r in report["resources"] if r["type"].endswith("secretVersion:SecretVersion")]
    assert versions
    for version in versions:
        value = version["inputs"].get("secretString", version["inputs"].get("secretData"))
        assert value == MASK, version["name"]


def test_the_tree_shows_users_and_secret_names():
    out = render(report_of(aws_config(RBAC)), "text")
    assert "userName: app" in out
    assert "accessString: on ~app:* +@all -@dangerous" in out
    assert "userName: test-sessions-reporting" in out
    assert "userIds: [\"test-sessions-default\", \"test-sessions-app\", " \
           "\"test-sessions-reporting\"]" in out
    assert "name: managed-cache/test/sessions/app" in out
    assert "userGroupIds: [\"test-sessions-users\"]" in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_resource_names_keep_the_word_password_while_the_passwords_stay_hidden(fmt):
    # A user's authenticationMode is secret as a whole, and its `type` is "password": that kind
    # must not be scrubbed from the text as if it were a credential.
    found: set[str] = set()
    report = report_of(aws_config(RBAC), found)
    out = render(report, fmt, found)
    assert "sessions-users-app-password" in out and "-[secret]" not in out
    [password] = [r for r in report["resources"] if r["name"] == "sessions-users-app-password"]
    [user] = [r for r in report["resources"] if r["name"] == "sessions-users-app"]
    assert user["inputs"]["authenticationMode"] == MASK
    assert not any(value in out for value in found)


def test_an_import_is_flagged_in_the_tree_and_the_findings():
    report = report_of(aws_config({"sessions": {"aws": {"import_id": "test-sessions"}}}))
    out = render(report, "text")
    assert "+ sessions-group (ReplicationGroup) [protected] [import test-sessions]" in out
    [finding] = [f for f in report["findings"] if f["id"] == "import"]
    assert finding["cache"] == "sessions" and finding["severity"] == "info"
    assert "aws.import_id / gcp.import_id is set: remove it after the first `pulumi up`" \
        in finding["message"]
    # The offline plan has no live state: what differs is the real preview's to show, and the
    # importing `up` applies it (docs/adopting.md), credentials aside.
    assert "`pulumi preview` shows what differs" in finding["message"]
    assert "AUTH token or users, which wait until the import key is removed" \
        in finding["message"]


def test_a_restore_is_flagged_as_happening_only_at_creation():
    report = report_of(aws_config({"sessions": {"restore_from": "prod-sessions-final"}}))
    [finding] = [f for f in report["findings"] if f["id"] == "restore-at-creation"]
    assert finding["message"].startswith("sessions-group: created from prod-sessions-final. "
                                         "The restore happens only when the cache is created")
    [group] = [r for r in report["resources"] if r["name"] == "sessions-group"]
    assert finding["message"].endswith("a replacement creates the cache from it again, unless "
                                       f"that `pulumi up` runs with `--replace '{group['urn']}'`.")
    out = render(report_of(gcp_config({"s": {"restore_from": "gs://dumps/s.rdb"}})), "markdown")
    assert "created from gs://dumps/s.rdb" in out


def old_report(tmp_path: Path, config) -> dict:
    path = tmp_path / "OLD.json"
    path.write_text(json.dumps(report_of(config)))
    return load_report(str(path))


def test_moving_from_the_token_to_users_is_in_place_and_says_what_clients_see(tmp_path):
    old = old_report(tmp_path, aws_config({"sessions": {}}))
    result = diff(old, report_of(aws_config({"sessions": {"aws": {"users": USERS}}})))
    [group] = [c for c in result["changed"] if c["name"] == "sessions-group"]
    assert not group["replace"] and result["data_loss"] == []
    assert {"authToken", "userGroupIds", "authTokenUpdateStrategy"} <= set(group["keys"])
    [note] = group["notes"]
    assert note.startswith("userGroupIds: in place: the AUTH token is deleted and the user "
                           "group attached in one ModifyReplicationGroup (strategy DELETE).")
    assert "is refused" in note


def test_a_group_created_with_strategy_set_says_what_its_one_rotate_does(tmp_path):
    """Groups created before this version keep SET in their state: the next update sends the
    strategy once, with the current token."""
    old = old_report(tmp_path, aws_config({"sessions": {}}))
    for resource in old["resources"]:
        if resource["type"] == "aws:elasticache/replicationGroup:ReplicationGroup":
            resource["inputs"]["authTokenUpdateStrategy"] = "SET"
    [group] = [c for c in diff(old, report_of(aws_config({"sessions": {}})))["changed"]
               if c["name"] == "sessions-group"]
    assert group["keys"] == ["authTokenUpdateStrategy"] and not group["replace"]
    [note] = group["notes"]
    assert note.startswith("authTokenUpdateStrategy: SET -> ROTATE")
    assert "AUTH stays required" in note and "docs/first-deploy.md" in note


def test_moving_from_users_back_to_the_token_is_not_applied_with_the_remedy_by_hand(tmp_path):
    """The provider removes the user group and adds the token (ROTATE) in two
    ModifyReplicationGroup calls: in between the group has no access control at all, and
    after them the token is optional, so the required token the config asks for is not
    applied."""
    old = old_report(tmp_path, aws_config({"sessions": {"aws": {"users": USERS}}}))
    result = diff(old, report_of(aws_config({"sessions": {}})))
    [item] = result["rejected"]
    assert (item["name"], item["key"], item["outcome"]) == (
        "sessions-group", "userGroupIds", "not applied")
    assert "without any access control" in item["reason"]
    assert "clients without AUTH still connect" in item["reason"]
    assert "--user-group-ids-to-remove" in item["reason"] and "in one call" in item["reason"]
    assert "--auth-token-update-strategy SET" in item["reason"]
    assert result["data_loss"] == []


def test_switching_a_user_to_iam_in_place_is_rejected(tmp_path):
    # An IAM user's name is its id: the name changes, the id stays, and the replacement the
    # provider plans would create a second user with the same id.
    old = old_report(tmp_path, aws_config({"sessions": {"aws": {"users": {
        "app": {"access": "on ~app:* +@all -@dangerous"}}}}}))
    result = diff(old, report_of(aws_config({"sessions": {"aws": {"users": {
        "app": {"access": "on ~app:* +@all -@dangerous", "iam": True}}}}})))
    [item] = result["rejected"]
    assert (item["name"], item["key"], item["outcome"]) == ("sessions-users-app", "userName",
                                                            "rejected")
    assert "add the user under a new name" in item["reason"]


def test_editing_restore_from_after_creation_changes_nothing(tmp_path):
    old = old_report(tmp_path, aws_config({"sessions": {"restore_from": "snap-a"}}))
    result = diff(old, report_of(aws_config({"sessions": {"restore_from": "snap-b"}})))
    assert result["data_loss"] == []
    assert [c for c in result["changed"] if c["name"] == "sessions-group"] == []
    result = diff(old, report_of(aws_config({"sessions": {}})))
    assert result["data_loss"] == []


def test_a_production_secret_without_a_customer_key_is_a_low_finding():
    report = report_of(aws_config({"s": {"node_type": "cache.r7g.large"},
                                   "m": {"engine": "memcached"}}, profile="production"))
    flagged = {(f["cache"], f["resource"], f["severity"]) for f in report["findings"]
               if f["id"] == "secret-aws-managed-key"}
    # The Valkey cache's secret shares the cache's key; Memcached has no key of its own.
    assert flagged == {("m", "m-connection-secret", "low")}


SERVERLESS_SNAPSHOT = ("arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:"
                       "bursty-nightly")
SERVERLESS = {"engine": "valkey", "serverless": {"max_data_gb": 10, "max_ecpu_per_second": 5000}}
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/00000000-1111-2222-3333-444444444444"


@pytest.mark.parametrize(("before", "after", "resource", "source"), [
    (aws_config({"s": {"restore_from": "snap-a"}}),
     aws_config({"s": {"restore_from": "snap-a", "aws": {"port": 6380}}}), "s-group", "snap-a"),
    # A later restore_from is ignored: the source in the state is the one used again.
    (aws_config({"s": {"restore_from": "snap-a"}}),
     aws_config({"s": {"restore_from": "snap-b", "aws": {"port": 6380}}}), "s-group", "snap-a"),
    (aws_config({"b": {**SERVERLESS, "restore_from": SERVERLESS_SNAPSHOT}}),
     aws_config({"b": {**SERVERLESS, "aws": {"kms_key_arn": KEY_ARN}}}), "b-cache",
     SERVERLESS_SNAPSHOT),
    (gcp_config({"v": {"engine": "valkey", "restore_from": "gs://dumps/v.rdb"}}),
     gcp_config({"v": {"engine": "valkey", "shards": 2}}), "v-instance", "gs://dumps/v.rdb"),
])
def test_a_replaced_restored_cache_says_it_is_created_from_its_source_again(
        tmp_path, before, after, resource, source):
    # Pulumi registers a replacement with the old value of each ignored input (the restore
    # source), unless the resource is a --replace target.
    result = diff(old_report(tmp_path, before), report_of(after))
    [entry] = [c for c in result["changed"] if c["name"] == resource]
    assert entry["replace"], entry
    [note] = [n for n in entry["notes"] if "again" in n]
    assert f"the new cache is created from {source} again, not empty" in note
    assert note.endswith(f"run `pulumi up --replace '{entry['urn']}'`")


def test_a_replaced_cache_that_was_not_restored_has_no_such_note(tmp_path):
    result = diff(old_report(tmp_path, aws_config({"s": {}})),
                  report_of(aws_config({"s": {"aws": {"port": 6380}}})))
    [entry] = [c for c in result["changed"] if c["name"] == "s-group"]
    assert entry["replace"] and not [n for n in entry["notes"] if "again" in n]

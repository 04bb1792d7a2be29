"""The Markdown plan's Mermaid topology diagram: every shipped stack's diagram names every cache
and region, draws replication across regions, DNS names and alarm topics; text keeps its tree."""

from __future__ import annotations

import re

import pytest

from infra.plan import render
from infra.plan.report import build_report, run_plan
from infra.stackfile import stack_names
from tests.builders import aws_config

NODE_ID = re.compile(r"^[A-Za-z0-9_]+$")


def _diagram(markdown: str) -> list[str]:
    block = re.search(r"#### Topology\n\n```mermaid\n(.*?)\n```", markdown, re.S)
    assert block, "no Mermaid block in the Markdown plan"
    return block.group(1).splitlines()


def _well_formed(lines: list[str]) -> None:
    assert lines[0] == "flowchart LR"
    # Every subgraph is closed, and node ids use only letters, digits and underscores.
    assert sum(line.strip().startswith("subgraph ") for line in lines) == \
        sum(line.strip() == "end" for line in lines)
    for line in lines[1:]:
        word = line.strip().split("[", 1)[0].split("(", 1)[0].split(" ", 1)[0]
        if word not in ("subgraph", "end", "direction"):
            assert NODE_ID.match(word), line
    # Labels carry no raw quote or bracket that would end them early.
    for label in re.findall(r'"([^"]*)"', "\n".join(lines)):
        assert not set(label) & set("[]()"), label


@pytest.mark.parametrize("stack", stack_names())
def test_every_shipped_stack_draws_every_cache_and_region(stack):
    report = build_report(run_plan(stack))
    lines = _diagram(render.render(report, "markdown"))
    _well_formed(lines)
    text = "\n".join(lines)
    for region in report["regions"]:
        assert f'subgraph region_{region.replace("-", "_")}["{region}"]' in text
    for cache in report["caches"]:
        assert f'("{cache["name"]}: {cache["engine"]}' in text


def test_compact_markdown_keeps_the_diagram_and_text_keeps_its_tree():
    report = build_report(run_plan("dev"))
    assert "```mermaid" in render.render(report, "markdown", compact=True)
    text = render.render(report, "text")
    assert "mermaid" not in text and "+ sessions (managed-cache:aws:" in text


def test_prod_draws_the_global_datastore_and_both_regions_topics():
    text = "\n".join(_diagram(render.render(build_report(run_plan("prod")), "markdown")))
    assert "cache_sessions_us_east_1 == Global Datastore ==> cache_sessions_eu_west_1" in text
    assert '"sessions: valkey 8.1, global secondary<br/>cache.r7g.large<br/>1 shard × ' \
           'primary + 1 replica"' in text
    assert '"sessions: valkey 8.1<br/>cache.r7g.large<br/>1 shard × primary + 2 replicas"' \
        in text
    assert '"fragments: memcached 1.6.22<br/>cache.m7g.large<br/>3 nodes"' in text
    assert 'subgraph net_eu_west_1["VPC 10.51.0.0/16 · private subnets"]' in text
    for region in ("us_east_1", "eu_west_1"):
        assert (f'alarms_{region}[["SNS managed-cache-prod-alarms<br/>'
                'managed-cache-prod-events"]]') in text
        assert f"cache_sessions_{region} -. alarms .-> alarms_{region}" in text


def test_gcp_prod_draws_the_valkey_secondary_and_the_alert_channels():
    text = "\n".join(_diagram(render.render(build_report(run_plan("gcp-prod")), "markdown")))
    assert "cache_sessions_us_central1 == cross-region replication ==> " \
           "cache_sessions_us_east4" in text
    assert "alerts[[" in text and "cache_sessions_us_east4 -. alerts .-> alerts" in text


def test_dns_names_point_at_their_cache():
    config = aws_config({"sessions": {}}, network={"dns": {"zone": "cache.internal"}})
    text = "\n".join(_diagram(render.render(build_report(run_plan("t", config=config)),
                                            "markdown")))
    assert 'dns_sessions(["sessions-reader.cache.internal<br/>sessions.cache.internal"])' in text
    assert "dns_sessions -. DNS .-> cache_sessions_us_east_1" in text


def test_serverless_and_auto_scaled_caches_say_so():
    config = aws_config({
        "bursty": {"serverless": {"max_data_gb": 10, "max_ecpu_per_second": 5000}},
        "feed": {"shards": 2, "replicas": 1, "node_type": "cache.r7g.large",
                 "autoscaling": {"shards": {"min": 2, "max": 6}}},
    })
    lines = _diagram(render.render(build_report(run_plan("t", config=config)), "markdown"))
    _well_formed(lines)
    text = "\n".join(lines)
    assert '"bursty: valkey 8.1<br/>serverless · ≤ 10 GB, ≤ 5,000 ECPU/s"' in text
    assert "2 shards × primary + 1 replica<br/>auto scaling: shards 2-6" in text

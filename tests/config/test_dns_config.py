"""network.dns validation on both clouds: every refused config names the key, the bad value and
what is allowed, and nothing is registered; valid configs resolve to the zone, the TTL and the
existing zones by region."""

from __future__ import annotations

import pytest

from infra.config import load_stack_config
from infra.config.dns import DNS_DEFAULT_TTL, cache_dns_names
from tests.builders import SUBNET, aws_config, gcp_config, valkey

ZONE = {"zone": "cache.internal"}
ZONE_ID = "Z0123456789ABCDEFGHIJ"
GLOBAL = {"node_type": "cache.r7g.large"}            # Global Datastore capable


def aws_dns(dns, caches=None, **network):
    return aws_config(caches, network={**network, "dns": dns})


def global_cache(network=None):
    block = {"secondary_region": "eu-west-1"}
    if network is not None:
        block["network"] = {"vpc_cidr": "10.41.0.0/16", **network}
    return {"s": {**GLOBAL, "global": block}}


def gcp_dns(dns, caches=None, **network):
    return gcp_config(caches, network={**network, "dns": dns})


EXISTING_GCP_NETWORK = {"vpc_id": "shared", "subnet_ids": [SUBNET.format("us-central1")]}
LONG_ZONE = ".".join(["a" * 59] * 4) + ".io"                    # 242 characters: valid
TOO_LONG_ZONE = ".".join(["a" * 62] * 4) + ".io"                # 254 characters
GCP_LONG_NAME = "s" + "x" * 57                                  # instance id test-<58> is 63

REFUSED = [
    # --- shared rules (config.py) -----------------------------------------------------------
    ("zone-missing", aws_dns({}),
     "network.dns.zone: is required; name the private zone, e.g. 'cache.internal'."),
    ("zone-uppercase-underscore", aws_dns({"zone": "Cache_Internal"}),
     "network.dns.zone: 'Cache_Internal' is not a DNS name; use labels of lowercase letters, "
     "digits and hyphens (not first or last) joined by dots, e.g. 'cache.internal'."),
    ("zone-label-ends-with-hyphen", aws_dns({"zone": "cache-.internal"}),
     "network.dns.zone: 'cache-.internal' is not a DNS name; use labels of lowercase letters, "
     "digits and hyphens (not first or last) joined by dots, e.g. 'cache.internal'."),
    ("zone-empty-label", gcp_dns({"zone": "cache..internal"}),
     "network.dns.zone: 'cache..internal' is not a DNS name; use labels of lowercase letters, "
     "digits and hyphens (not first or last) joined by dots, e.g. 'cache.internal'."),
    ("zone-single-label", aws_dns({"zone": "internal"}),
     "network.dns.zone: 'internal' is a single label; use at least two, e.g. 'cache.internal': "
     "a zone for a whole top-level domain would answer every name under it in the network."),
    ("zone-label-too-long", aws_dns({"zone": "a" * 64 + ".internal"}),
     f"network.dns.zone: '{'a' * 64}.internal' has a label of 64 characters; DNS allows 63."),
    ("zone-too-long", gcp_dns({"zone": TOO_LONG_ZONE}),
     f"network.dns.zone: '{TOO_LONG_ZONE}' is 254 characters; DNS allows 253."),
    ("ttl-too-long", aws_dns({**ZONE, "ttl": 3600}),
     "network.dns.ttl: 3600 is not allowed; use 5 to 300 seconds (names that follow a failover "
     "need a short TTL)."),
    ("ttl-zero", gcp_dns({**ZONE, "ttl": 0}),
     "network.dns.ttl: 0 is not allowed; use 5 to 300 seconds (names that follow a failover "
     "need a short TTL)."),
    ("misspelled-dns-key", aws_dns({**ZONE, "tll": 60}),
     "network.dns.tll: is not a known key. Did you mean 'ttl'? Allowed keys here: ttl, zone, "
     "zone_id."),
    ("record-name-too-long", aws_dns({"zone": LONG_ZONE}, {"sessions": {}}),
     f"caches.sessions: the DNS name 'sessions-reader.{LONG_ZONE}' is 258 characters; DNS "
     "allows 253. Shorten the cache name or network.dns.zone."),
    ("record-label-too-long", gcp_dns(ZONE, {GCP_LONG_NAME: {"engine": "valkey"}}),
     f"caches.{GCP_LONG_NAME}: the DNS name '{GCP_LONG_NAME}-reader.cache.internal' has a "
     "first label of 65 characters; DNS allows 63. Shorten the cache name."),
    ("record-name-of-another-cache", aws_dns(ZONE, {"s": {}, "s-reader": {}}),
     "caches.s-reader: its endpoint name 's-reader.cache.internal' is already the reader name of "
     "cache 's'; rename one of the two caches."),
    ("writer-name-of-another-cache",
     gcp_dns(ZONE, {"a-writer": {"engine": "memcached"},
                    "a": {"engine": "valkey", "global": {"secondary_region": "us-east4"}}}),
     "caches.a: its writer name 'a-writer.cache.internal' is already the endpoint name of cache "
     "'a-writer'; rename one of the two caches."),
    # --- AWS (config.py) -------------------------------------------------------------------
    ("aws-zone-id", aws_dns({**ZONE, "zone_id": "cache-internal"}),
     "network.dns.zone_id: 'cache-internal' is not a Route 53 hosted zone id "
     "(Z0123456789ABCDEFGHIJ)."),
    ("secondary-dns-without-stack-dns",
     aws_config(global_cache({"dns": {"zone_id": ZONE_ID}})),
     "caches.s.global.network.dns: DNS is off for this stack; set network.dns (the zone every "
     "region uses) or remove the key."),
    ("secondary-zone-name-differs",
     aws_dns(ZONE, global_cache({"dns": {"zone": "other.internal"}})),
     "caches.s.global.network.dns.zone: 'other.internal' differs from network.dns.zone "
     "'cache.internal'; every region's zone has the same name, so that one name works in every "
     "region. Remove the key."),
    ("secondary-ttl", aws_dns(ZONE, global_cache({"dns": {"ttl": 60}})),
     "caches.s.global.network.dns.ttl: applies to every region; set it under network.dns.ttl "
     "and remove the key."),
    ("secondary-zone-id", aws_dns(ZONE, global_cache({"dns": {"zone_id": "/hostedzone/Z1"}})),
     "caches.s.global.network.dns.zone_id: '/hostedzone/Z1' is not a Route 53 hosted zone id "
     "(Z0123456789ABCDEFGHIJ)."),
    ("one-zone-for-two-regions",
     aws_dns({**ZONE, "zone_id": ZONE_ID}, global_cache({"dns": {"zone_id": ZONE_ID}})),
     f"caches.s.global.network.dns.zone_id: '{ZONE_ID}' is already the zone of us-east-1; each "
     "region needs its own zone, because a region's names answer with that region's "
     "endpoints."),
    # --- GCP (infra/config/gcp.py) ---------------------------------------------------------------
    ("gcp-zone-id", gcp_dns({**ZONE, "zone_id": ZONE_ID}, **EXISTING_GCP_NETWORK),
     f"network.dns.zone_id: '{ZONE_ID}' is not a Cloud DNS managed zone name; use the zone's "
     "name (1 to 63 lowercase letters, digits and hyphens, starting with a letter), e.g. "
     "'cache-internal'."),
    ("gcp-existing-zone-on-a-new-network", gcp_dns({**ZONE, "zone_id": "shared-zone"}),
     "network.dns.zone_id: an existing zone cannot see a VPC network this stack creates (Cloud "
     "DNS lists the networks in the zone's own settings); set network.vpc_id to the network "
     "the zone serves, or remove zone_id to let the stack create the zone."),
    ("gcp-managed-zone-name-too-long",
     {**gcp_dns(ZONE), "managed-cache:name_prefix": "p" * 60},
     f"network.dns: the managed zone name '{'p' * 60}-cache' would be 66 characters; Cloud DNS "
     "allows 63. Shorten name_prefix or set zone_id to an existing zone."),
]


@pytest.mark.parametrize("config,expected", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_with_its_message_and_nothing_registered(attempt, config, expected):
    message, recorder = attempt(config)
    assert f"  - {expected}" in message.splitlines(), message
    assert recorder.registrations == []


def test_every_dns_problem_is_reported_at_once(attempt):
    message, recorder = attempt(aws_dns({"zone": "internal", "ttl": 1, "zone_id": "z"}))
    assert message.startswith("The config of stack 'test' has 3 problems; nothing was created:")
    assert [line.split(":")[0] for line in message.splitlines()[1:]] == [
        "  - network.dns.zone", "  - network.dns.ttl", "  - network.dns.zone_id"]
    assert recorder.registrations == []


# ---------------------------------------------------------------------------------------------
# What valid configs resolve to
# ---------------------------------------------------------------------------------------------
def test_no_dns_block_means_no_names():
    assert load_stack_config(aws_config(), "test").dns is None
    assert load_stack_config(gcp_config(), "test").dns is None


def test_defaults_a_short_ttl_and_zones_the_stack_creates():
    dns = load_stack_config(aws_dns({"zone": "cache.internal."}), "test").dns
    assert dns is not None
    assert (dns.zone, dns.ttl, dns.zone_ids) == ("cache.internal", DNS_DEFAULT_TTL, {})
    assert DNS_DEFAULT_TTL == 30


def test_existing_zones_are_per_region_on_aws():
    spec = load_stack_config(aws_dns({**ZONE, "zone_id": ZONE_ID, "ttl": 10},
                                     global_cache({"dns": {"zone_id": "Z0000000000SECONDARY"}})),
                             "test")
    assert spec.dns is not None
    assert spec.dns.ttl == 10
    assert spec.dns.zone_ids == {"us-east-1": ZONE_ID, "eu-west-1": "Z0000000000SECONDARY"}


def test_a_secondary_region_without_its_own_zone_id_gets_a_new_zone():
    spec = load_stack_config(aws_dns({**ZONE, "zone_id": ZONE_ID}, global_cache()), "test")
    assert spec.dns is not None and spec.dns.zone_ids == {"us-east-1": ZONE_ID}


def test_gcp_existing_zone_on_an_existing_network_is_accepted():
    spec = load_stack_config(gcp_dns({**ZONE, "zone_id": "shared-zone"}, **EXISTING_GCP_NETWORK),
                             "test")
    assert spec.dns is not None and spec.dns.zone_ids == {"us-central1": "shared-zone"}


@pytest.mark.parametrize("config,expected", [
    (aws_config({"m": {"engine": "memcached"}}), {"endpoint": "m.cache.internal"}),
    (aws_config({"r": {"engine": "redis"}}),
     {"endpoint": "r.cache.internal", "reader_endpoint": "r-reader.cache.internal"}),
    (aws_config(global_cache()),
     {"endpoint": "s.cache.internal", "reader_endpoint": "s-reader.cache.internal",
      "writer_endpoint": "s-writer.cache.internal"}),
    (gcp_config(valkey(**{"global": {"secondary_region": "us-east4"}})),
     {"endpoint": "s.cache.internal", "reader_endpoint": "s-reader.cache.internal",
      "writer_endpoint": "s-writer.cache.internal"}),
    (gcp_config({"m": {"engine": "memcached"}}), {"endpoint": "m.cache.internal"}),
])
def test_names_follow_engine_and_regions(config, expected):
    [cache] = load_stack_config(config, "test").caches
    assert cache_dns_names(cache, "cache.internal") == expected

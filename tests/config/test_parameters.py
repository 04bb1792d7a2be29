"""Engine parameters on both clouds: a name the target does not have, a parameter it does not
let you set, one the engine version does not have yet and a value outside its documented set
or range are each refused with a message naming the key, the value and what is allowed, and
nothing is created. Valid values reach the cloud spelled the way it takes them."""

from __future__ import annotations

import pytest

from infra.catalog import aws as aws_catalog
from infra.catalog import gcp as gcp_catalog
from infra.catalog.parameters import AWS_FAMILIES, GCP_PRODUCTS, GCP_REDIS_6
from infra.config import load_stack_config
from tests.builders import aws_config, gcp_config

P = "caches.s.parameters"
POLICIES = ("volatile-lru, allkeys-lru, volatile-lfu, allkeys-lfu, volatile-random, "
            "allkeys-random, volatile-ttl, noeviction")


def one_cache(engine: str, version: str | None, params: dict[str, object],
              **keys: object) -> dict[str, object]:
    """The caches map of a stack with one cache, `s`, setting these engine parameters."""
    cache: dict[str, object] = {"engine": engine, **keys, "parameters": params}
    if version is not None:
        cache["engine_version"] = version
    return {"s": cache}


def aws(engine: str = "valkey", version: str | None = None, **params: object) -> dict[str, str]:
    return aws_config(one_cache(engine, version, params))


def gcp(engine: str = "valkey", version: str | None = None, *, memory_gb: int | None = None,
        **params: object) -> dict[str, str]:
    sizing = {} if memory_gb is None else {"memory_gb": memory_gb}
    return gcp_config(one_cache(engine, version, params, **sizing))


AWS_REFUSED = [
    ("eviction-policy", aws(**{"maxmemory-policy": "lru-everything"}),
     f"{P}.maxmemory-policy: 'lru-everything' is not allowed; use one of {POLICIES}."),
    ("policy-typo", aws(**{"maxmemory-policy": "volatile-tll"}),
     f"{P}.maxmemory-policy: 'volatile-tll' is not allowed; use one of {POLICIES}. "
     "Did you mean 'volatile-ttl'?"),
    ("unknown-name", aws(**{"maxmemory-polcy": "allkeys-lru"}),
     f"{P}.maxmemory-polcy: is not a parameter of the valkey8 parameter group family. "
     "Did you mean 'maxmemory-policy'?"),
    ("ziplist-on-valkey", aws(**{"hash-max-ziplist-entries": 256}),
     f"{P}.hash-max-ziplist-entries: is not a parameter of the valkey8 parameter group family; "
     "it is named 'hash-max-listpack-entries' there."),
    ("lazyfree-gone-in-valkey8", aws(**{"lazyfree-lazy-eviction": "yes"}),
     f"{P}.lazyfree-lazy-eviction: is not a parameter of the valkey8 parameter group family."),
    ("not-modifiable", aws(**{"appendonly": "yes"}),
     f"{P}.appendonly: cannot be set in the valkey8 parameter group family: ElastiCache does "
     "not support AOF for Valkey or Redis OSS (IsModifiable: false); use snapshots "
     "(snapshot_retention_days). Remove it from parameters."),
    ("maxclients-fixed", aws("redis", "7.1", maxclients=100),
     f"{P}.maxclients: cannot be set in the redis7 parameter group family: ElastiCache does "
     "not let a parameter group change it (IsModifiable: false). Remove it from parameters."),
    ("too-early-for-commandlog", aws("valkey", "8.0", **{"commandlog-large-request-max-len": 5}),
     f"{P}.commandlog-large-request-max-len: needs engine_version 8.1 or later in the valkey8 "
     "parameter group family; engine_version is '8.0'."),
    ("timeout-1-19", aws(timeout=5),
     f"{P}.timeout: 5 is not allowed; use 0, or a whole number of 20 or more."),
    ("timeout-negative", aws("redis", "6.2", timeout=-1),
     f"{P}.timeout: -1 is not allowed; use 0, or a whole number of 20 or more."),
    ("tcp-keepalive", aws(**{"tcp-keepalive": -1}),
     f"{P}.tcp-keepalive: -1 is not allowed; use a whole number of 0 or more."),
    ("samples-valkey8", aws(**{"maxmemory-samples": 65}),
     f"{P}.maxmemory-samples: 65 is not allowed; use a whole number from 1 to 64."),
    ("lfu-log-factor-fraction", aws(**{"lfu-log-factor": 1.5}),
     f"{P}.lfu-log-factor: 1.5 is not allowed; use a whole number of 1 or more."),
    ("lfu-decay-text", aws(**{"lfu-decay-time": "soon"}),
     f"{P}.lfu-decay-time: 'soon' is not allowed; use a whole number of 0 or more."),
    ("reserved-memory-percent", aws(**{"reserved-memory-percent": 101}),
     f"{P}.reserved-memory-percent: 101 is not allowed; use a whole number from 0 to 100."),
    ("defrag-cycle", aws(**{"active-defrag-cycle-max": 90}),
     f"{P}.active-defrag-cycle-max: 90 is not allowed; use a whole number from 1 to 75."),
    ("slowlog", aws(**{"slowlog-log-slower-than": -2}),
     f"{P}.slowlog-log-slower-than: -2 is not allowed; use a whole number of -1 or more."),
    ("query-buffer", aws(**{"client-query-buffer-limit": 1024}),
     f"{P}.client-query-buffer-limit: 1024 is not allowed; use a whole number from 1048576 to "
     "1073741824."),
    ("boolean-spelling", aws(activedefrag="true"),
     f"{P}.activedefrag: 'true' is not allowed; use yes or no."),
    ("boolean-for-number", aws(timeout=True),
     f"{P}.timeout: True is not allowed; use 0, or a whole number of 20 or more."),
    ("notify-class", aws(**{"notify-keyspace-events": "KEq"}),
     f"{P}.notify-keyspace-events: 'KEq' is not allowed: 'q' is not an event class; use any of "
     'the event classes K E g $ l s h z x e A t m d n (a string such as "Ex").'),
    ("notify-new-keys-on-redis6", aws("redis", "6.2", **{"notify-keyspace-events": "En"}),
     f"{P}.notify-keyspace-events: 'En' is not allowed: 'n' is not an event class; use any of "
     'the event classes K E g $ l s h z x e A t m d (a string such as "Ex").'),
    # ElastiCache reports an emptied parameter without a value and the provider leaves it out
    # of its state (terraform-provider-aws parameter_group.go flattenParameters;
    # hashicorp/terraform#6687): every `pulumi up` would set it again.
    ("notify-empty", aws(**{"notify-keyspace-events": ""}),
     f"{P}.notify-keyspace-events: '' cannot be kept in the valkey8 parameter group family: "
     "ElastiCache reports an empty parameter without a value, so the provider would set it "
     "again on every `pulumi up`. Remove the key; unset, the parameter keeps the family's "
     "default (no notifications)."),
    ("text-blank", aws("valkey", "8.1", **{"rename-commands": "  "}),
     f"{P}.rename-commands: '  ' cannot be kept in the valkey8 parameter group family: "
     "ElastiCache reports an empty parameter without a value, so the provider would set it "
     "again on every `pulumi up`. Remove the key; unset, the parameter keeps the family's "
     "default."),
    ("endpoint-type", aws(**{"cluster-preferred-endpoint-type": "hostname"}),
     f"{P}.cluster-preferred-endpoint-type: 'hostname' is not allowed; use one of ip, "
     "tls-dynamic."),
    ("listpack-on-redis6", aws("redis", "6.2", **{"hash-max-listpack-entries": 128}),
     f"{P}.hash-max-listpack-entries: is not a parameter of the redis6.x parameter group "
     "family. Did you mean 'hash-max-ziplist-entries'?"),
    # Data tiering limitations: only volatile-lru, allkeys-lru and noeviction.
    ("data-tiering-policy", aws_config(one_cache("valkey", "8.0", {
        "maxmemory-policy": "allkeys-lfu"}, node_type="cache.r6gd.xlarge")),
     f"{P}.maxmemory-policy: 'allkeys-lfu' is not supported on data tiering nodes "
     "(cache.r6gd.xlarge); use one of volatile-lru, allkeys-lru, noeviction."),
    ("memcached-dash-name", aws("memcached", **{"max-item-size": 2097152}),
     f"{P}.max-item-size: is not a parameter of the memcached1.6 parameter group family. "
     "Did you mean 'max_item_size'?"),
    ("memcached-item-size", aws("memcached", max_item_size=512),
     f"{P}.max_item_size: 512 is not allowed; use a whole number from 1024 to 1073741824."),
    ("memcached-growth", aws("memcached", chunk_size_growth_factor=1.0),
     f"{P}.chunk_size_growth_factor: 1.0 is not allowed; use a number above 1."),
    ("memcached-growth-nan", aws("memcached", chunk_size_growth_factor=float("nan")),
     f"{P}.chunk_size_growth_factor: nan is not allowed; use a number above 1."),
    ("memcached-idle", aws("memcached", idle_timeout=90000),
     f"{P}.idle_timeout: 90000 is not allowed; use a whole number from 0 to 86400."),
    ("memcached-boolean", aws("memcached", cas_disabled="yes"),
     f"{P}.cas_disabled: 'yes' is not allowed; use 1 or 0."),
    ("memcached-protocol", aws("memcached", binding_protocol="binary"),
     f"{P}.binding_protocol: 'binary' is not allowed; use one of ascii, auto."),
    ("memcached-fixed", aws("memcached", num_threads=8),
     f"{P}.num_threads: cannot be set in the memcached1.6 parameter group family: ElastiCache "
     "sets it from the node type (IsModifiable: false). Remove it from parameters."),
]

GCP_REFUSED = [
    ("valkey-policy", gcp(**{"maxmemory-policy": "lru-everything"}),
     f"{P}.maxmemory-policy: 'lru-everything' is not allowed; use one of {POLICIES}."),
    ("valkey-typo", gcp(**{"maxmemory-polcy": "allkeys-lru"}),
     f"{P}.maxmemory-polcy: is not a parameter of Memorystore for Valkey (engine_configs): the "
     "engine has no such setting. Did you mean 'maxmemory-policy'?"),
    ("valkey-clients-percent", gcp(**{"maxmemory-clients": "120%"}),
     f"{P}.maxmemory-clients: '120%' is not allowed; use a whole percentage from 0% to 100%, "
     "e.g. '10%'."),
    ("valkey-maxmemory", gcp(maxmemory="lots"),
     f"{P}.maxmemory: 'lots' is not allowed; use bytes, or a size in b, k, kb, m, mb, g or gb, "
     "e.g. '2gb'."),
    ("valkey-persistence", gcp(appendonly="yes"),
     f"{P}.appendonly: cannot be set in Memorystore for Valkey (engine_configs): Memorystore "
     "sets it from gcp.persistence. Remove it from parameters."),
    # The server's wiring is Memorystore's: refused here, not by the API at apply time.
    ("valkey-port", gcp(port=7000),
     f"{P}.port: cannot be set in Memorystore for Valkey (engine_configs): Memorystore runs "
     "the server and sets it itself (its network, TLS, files, process and replication). Remove "
     "it from parameters."),
    ("valkey-io-threads", gcp(**{"io-threads": 4}),
     f"{P}.io-threads: cannot be set in Memorystore for Valkey (engine_configs): Memorystore "
     "runs the server and sets it itself (its network, TLS, files, process and replication). "
     "Remove it from parameters."),
    ("valkey-tls-listener", gcp(**{"tls-port": 6380}),
     f"{P}.tls-port: cannot be set in Memorystore for Valkey (engine_configs): Memorystore "
     "runs the server and sets it itself (its network, TLS, files, process and replication). "
     "Remove it from parameters."),
    ("valkey-samples", gcp(**{"maxmemory-samples": 0}),
     f"{P}.maxmemory-samples: 0 is not allowed; use a whole number from 1 to 64."),
    # Memorystore's REDIS_6_X is Redis 6.2: no `n` (new-key events came with 7.0).
    ("redis6-new-key-events", gcp("redis", "6.x", **{"notify-keyspace-events": "KEn"}),
     f"{P}.notify-keyspace-events: 'KEn' is not allowed: 'n' is not an event class; use any of "
     'the event classes K E g $ l s h z x e A t m d (a string such as "Ex"), or "" for none.'),
    ("valkey-notify-class", gcp(**{"notify-keyspace-events": "KEq"}),
     f"{P}.notify-keyspace-events: 'KEq' is not allowed: 'q' is not an event class; use any of "
     'the event classes K E g $ l s h z x e A t m d n (a string such as "Ex"), or "" for none.'),
    ("redis-unknown", gcp("redis", appendonly="yes"),
     f"{P}.appendonly: is not a parameter of Memorystore for Redis (redis_configs). Allowed: "
     "activedefrag, databases, lazyfree-lazy-eviction, lazyfree-lazy-expire, "
     "lazyfree-lazy-user-del, lazyfree-lazy-user-flush, lfu-decay-time, lfu-log-factor, "
     "maxmemory-clients, maxmemory-gb, maxmemory-policy, notify-keyspace-events, "
     "stream-node-max-bytes, stream-node-max-entries, timeout."),
    ("redis-maxmemory-gb", gcp("redis", memory_gb=5, **{"maxmemory-gb": 6}),
     f"{P}.maxmemory-gb: 6 is not allowed; use a number from 1 to 5 (20 % to 100 % of "
     "memory_gb 5)."),
    ("redis-maxmemory-gb-low", gcp("redis", memory_gb=5, **{"maxmemory-gb": 0.5}),
     f"{P}.maxmemory-gb: 0.5 is not allowed; use a number from 1 to 5 (20 % to 100 % of "
     "memory_gb 5)."),
    ("redis-7-only", gcp("redis", "6.x", **{"lazyfree-lazy-eviction": "yes"}),
     f"{P}.lazyfree-lazy-eviction: needs engine_version 7.0 or later in Memorystore for Redis "
     "(redis_configs); engine_version is '6.x'."),
    ("redis-databases", gcp("redis", databases=101),
     f"{P}.databases: 101 is not allowed; use a whole number from 1 to 100."),
    ("memcached-item-size", gcp("memcached", **{"max-item-size": 1000000}),
     f"{P}.max-item-size: 1000000 is not allowed; use a whole number from 524288 to 133693440 "
     "in multiples of 524288."),
    ("memcached-underscore", gcp("memcached", max_item_size=1048576),
     f"{P}.max_item_size: is not a parameter of Memorystore for Memcached "
     "(memcache_parameters). Did you mean 'max-item-size'? Allowed: disable-cas, "
     "disable-evictions, disable-flush-all, disable-watch, hash-algorithm, idle-timeout, "
     "listen-backlog, "
     "lru-crawler, lru-maintainer, max-item-size, max-reqs-per-event, maxconns-fast, protocol, "
     "slab-growth-factor, slab-min-size, track-sizes, watcher-logbuf-size, worker-logbuf-size."),
    ("memcached-growth", gcp("memcached", **{"slab-growth-factor": 1.0}),
     f"{P}.slab-growth-factor: 1.0 is not allowed; use a number from 1.01 to 100."),
    ("memcached-boolean", gcp("memcached", **{"disable-cas": "yes"}),
     f"{P}.disable-cas: 'yes' is not allowed; use true or false."),
    ("memcached-idle", gcp("memcached", **{"idle-timeout": 0}),
     f"{P}.idle-timeout: 0 is not allowed; use a whole number from 1 to 86400."),
    # Supported Memcached configurations: listen-backlog 1-10000; disable-watch from 1.6.15.
    ("memcached-backlog", gcp("memcached", **{"listen-backlog": 20000}),
     f"{P}.listen-backlog: 20000 is not allowed; use a whole number from 1 to 10000."),
    ("memcached-watch-on-1.5", gcp("memcached", "1.5", **{"disable-watch": True}),
     f"{P}.disable-watch: needs engine_version 1.6.15 or later in Memorystore for Memcached "
     "(memcache_parameters); engine_version is '1.5'."),
]


@pytest.mark.parametrize("config,expected", [c[1:] for c in AWS_REFUSED + GCP_REFUSED],
                         ids=[c[0] for c in AWS_REFUSED + GCP_REFUSED])
def test_bad_parameter_is_refused_with_its_message_and_nothing_is_created(attempt, config,
                                                                          expected):
    message, recorder = attempt(config)
    assert f"  - {expected}" in message.splitlines(), message
    assert recorder.registrations == []


def test_every_bad_parameter_is_reported_at_once(attempt):
    message, _ = attempt(aws(timeout=5, **{"maxmemory-policy": "lru", "appendonly": "yes"}))
    assert message.startswith("The config of stack 'test' has 3 problems; nothing was created:")


ACCEPTED = [
    # (cloud config, the parameters the cache is built with)
    (aws("redis", "6.2", **{"maxmemory-policy": "allkeys-lru", "timeout": 0,
                            "notify-keyspace-events": "Exd", "list-max-ziplist-size": -2,
                            "lazyfree-lazy-user-del": True, "acl-pubsub-default":
                            "resetchannels"}),
     {"acl-pubsub-default": "resetchannels", "cluster-enabled": "no",
      "lazyfree-lazy-user-del": "yes", "list-max-ziplist-size": "-2",
      "maxmemory-policy": "allkeys-lru", "notify-keyspace-events": "Exd", "timeout": "0"}),
    (aws("redis", "7.1", **{"maxmemory-policy": "volatile-lfu", "timeout": "300",
                            "hash-max-listpack-entries": 256, "latency-tracking": "yes",
                            "lazyfree-lazy-eviction": "YES", "reserved-memory-percent": 30}),
     {"cluster-enabled": "no", "hash-max-listpack-entries": "256", "latency-tracking": "yes",
      "lazyfree-lazy-eviction": "yes", "maxmemory-policy": "volatile-lfu",
      "reserved-memory-percent": "30", "timeout": "300"}),
    (aws("valkey", "7.2", **{"cluster-preferred-endpoint-type": "ip", "tcp-keepalive": 60,
                             "maxmemory-samples": 100}),
     {"cluster-enabled": "no", "cluster-preferred-endpoint-type": "ip", "maxmemory-samples":
      "100", "tcp-keepalive": "60"}),
    (aws("valkey", "8.0", **{"maxmemory-samples": 64, "extended-redis-compatibility": False,
                             "notify-keyspace-events": "Ex", "slowlog-log-slower-than": -1}),
     {"cluster-enabled": "no", "extended-redis-compatibility": "no", "maxmemory-samples": "64",
      "notify-keyspace-events": "Ex", "slowlog-log-slower-than": "-1"}),
    (aws("valkey", "8.1", **{"commandlog-large-request-max-len": 1024, "rename-commands":
                             "KEYS x-keys"}),
     {"cluster-enabled": "no", "commandlog-large-request-max-len": "1024",
      "rename-commands": "KEYS x-keys"}),
    (aws("valkey", "8.2", **{"search-fanout-target-mode": "throughput",
                             "active-defrag-ignore-bytes": 1048576}),
     {"active-defrag-ignore-bytes": "1048576", "cluster-enabled": "no",
      "search-fanout-target-mode": "throughput"}),
    (aws("valkey", "9.0", **{"maxmemory-policy": "noeviction"}),
     {"cluster-enabled": "no", "maxmemory-policy": "noeviction"}),
    (aws("valkey", "9.1", **{"cluster-databases": 16}),
     {"cluster-databases": "16", "cluster-enabled": "no"}),
    (aws_config(one_cache("valkey", "8.0", {"maxmemory-policy": "allkeys-lru"},
                          node_type="cache.r6gd.xlarge")),
     {"cluster-enabled": "no", "maxmemory-policy": "allkeys-lru"}),
    (aws("memcached", max_item_size=10485760, cas_disabled=True, chunk_size_growth_factor=1.07,
         idle_timeout=0, hash_algorithm="murmur3", slab_automove=2),
     {"cas_disabled": "1", "chunk_size_growth_factor": "1.07", "hash_algorithm": "murmur3",
      "idle_timeout": "0", "max_item_size": "10485760", "slab_automove": "2"}),
    (gcp(**{"maxmemory-policy": "allkeys-lfu", "maxmemory-clients": "10%", "maxmemory": "1gb",
            "notify-keyspace-events": "KEA", "hz": 20, "activedefrag": True}),
     {"activedefrag": "yes", "hz": "20", "maxmemory": "1gb", "maxmemory-clients": "10%",
      "maxmemory-policy": "allkeys-lfu", "notify-keyspace-events": "KEA"}),
    # Memorystore keeps an empty value (the provider flattens the configs map as returned).
    (gcp("redis", memory_gb=5, **{"notify-keyspace-events": ""}),
     {"notify-keyspace-events": ""}),
    (gcp("redis", memory_gb=5, **{"maxmemory-gb": 4.5, "timeout": 600,
                                  "notify-keyspace-events": "En",
                                  "lazyfree-lazy-user-flush": "yes", "maxmemory-clients": "5%"}),
     {"lazyfree-lazy-user-flush": "yes", "maxmemory-clients": "5%", "maxmemory-gb": "4.5",
      "notify-keyspace-events": "En", "timeout": "600"}),
    (gcp("redis", "6.x", memory_gb=5, **{"maxmemory-gb": 1, "notify-keyspace-events": "KEd"}),
     {"maxmemory-gb": "1", "notify-keyspace-events": "KEd"}),
    (gcp("memcached", **{"max-item-size": 8388608, "disable-flush-all": True,
                         "disable-watch": True, "listen-backlog": 10000,
                         "slab-growth-factor": 1.25, "protocol": "ascii"}),
     {"disable-flush-all": "true", "disable-watch": "true", "listen-backlog": "10000",
      "max-item-size": "8388608", "protocol": "ascii",
      "slab-growth-factor": "1.25"}),
]


@pytest.mark.parametrize("config,expected", ACCEPTED, ids=[
    "redis6.2", "redis7.1", "valkey7.2", "valkey8.0", "valkey8.1", "valkey8.2", "valkey9.0",
    "valkey9.1", "valkey8.0-data-tiering", "memcached1.6", "gcp-valkey", "gcp-redis-empty-flags",
    "gcp-redis7", "gcp-redis6", "gcp-memcached"])
def test_valid_parameters_reach_the_cloud_in_its_spelling(config, expected):
    assert load_stack_config(config, "test").caches[0].parameters == expected


def test_every_engine_version_offered_has_its_parameter_data():
    families = {f for versions in aws_catalog.AWS_ENGINE_VERSIONS.values()
                for f in versions.values()}
    assert families == set(AWS_FAMILIES)
    assert set(gcp_catalog.ENGINE_VERSIONS) == set(GCP_PRODUCTS)
    for pset in (*AWS_FAMILIES.values(), *GCP_PRODUCTS.values(), GCP_REDIS_6):
        assert pset.sources and all(s.startswith("https://") for s in pset.sources), pset.label


@pytest.mark.parametrize(("parameters", "key", "item", "chunk", "example"), [
    ({"max_item_size": "1500000"}, "max_item_size", 1500000, 524288, 1048576),
    ({"max_item_size": "2048"}, "max_item_size", 2048, 524288, 524288),
    ({"max_item_size": "262144", "slab_chunk_max": "1048576"}, "max_item_size", 262144,
     1048576, 1048576),
], ids=["not-a-multiple", "item-below-default-chunk", "item-below-chunk"])
def test_memcached_item_and_chunk_sizes_must_fit(refused, parameters, key, item, chunk,
                                                  example):
    # CreateCacheCluster fails "If slab_chunk_max > max_item_size" or "If max_item_size
    # modulo slab_chunk_max != 0" (defaults 1 MiB and 512 KiB).
    refused(aws_config({"m": {"engine": "memcached", "parameters": parameters}}),
            f"caches.m.parameters.{key}: max_item_size {item} and slab_chunk_max {chunk} do "
            "not fit: max_item_size must be a multiple of slab_chunk_max (and not below it), "
            f"or ElastiCache refuses the cluster; e.g. max_item_size {example}.")


@pytest.mark.parametrize("chunk", ["2097152", "300000"], ids=["above-the-page", "not-a-divisor"])
def test_memcached_slab_chunk_must_divide_the_slab_page(refused, chunk):
    # memcached.c exits unless slab_chunk_max divides settings.slab_page_size (1 MiB).
    refused(aws_config({"m": {"engine": "memcached", "parameters": {
        "max_item_size": str(int(chunk) * 3), "slab_chunk_max": chunk}}}),
        f"caches.m.parameters.slab_chunk_max: {chunk} does not divide Memcached's slab page of "
        "1048576 bytes, so the engine does not start; use a power of two up to 1048576, e.g. "
        "524288.")


@pytest.mark.parametrize(("node_type", "parameters", "key", "item", "memory", "overhead", "fix"), [
    # (512 - 100) MB / 4 = 103 MB: the largest multiple of 512 KiB is 206 x 524288.
    ("cache.t4g.micro", {"max_item_size": "1073741824"}, "max_item_size", 1073741824, 412, 100,
     "use at most 108003328 (a multiple of slab_chunk_max)"),
    ("cache.c7gn.large", {"max_item_size": "1073741824"}, "max_item_size", 1073741824, 3064, 100,
     "use at most 803209216 (a multiple of slab_chunk_max)"),
    # Left at 1 MiB items, the overhead is what to change: at most 512 - 4 MB on a t3.micro.
    ("cache.t3.micro", {"memcached_connections_overhead": "509"},
     "memcached_connections_overhead", 1048576, 3, 509,
     "use a memcached_connections_overhead of at most 508"),
    ("cache.t3.small", {"memcached_connections_overhead": "1500"},
     "memcached_connections_overhead", 1048576, 0, 1500,
     "use a memcached_connections_overhead of at most 1398"),
], ids=["t4g-micro", "c7gn-large", "overhead-too-high", "overhead-leaves-no-room"])
def test_memcached_item_size_is_at_most_a_quarter_of_item_memory(refused, node_type, parameters,
                                                                  key, item, memory, overhead,
                                                                  fix):
    # CreateCacheCluster fails "If max_item_size > ((max_cache_memory -
    # memcached_connections_overhead) / 4)"; max_cache_memory is fixed per node type.
    refused(aws_config({"m": {"engine": "memcached", "node_type": node_type,
                              "parameters": parameters}}),
            f"caches.m.parameters.{key}: max_item_size {item} is more than a quarter of the "
            f"{memory} MB a {node_type} node has for items (its max_cache_memory less "
            f"memcached_connections_overhead {overhead}), so ElastiCache refuses the cluster; "
            f"{fix}, or choose a larger node type.")


def test_a_memcached_item_size_example_fits_the_node_too(refused):
    # Not a multiple of 512 KiB, and the nearest multiple below is past a t4g.micro's cap.
    refused(aws_config({"m": {"engine": "memcached", "node_type": "cache.t4g.micro",
                              "parameters": {"max_item_size": "500000000"}}}),
            "caches.m.parameters.max_item_size: max_item_size 500000000 and slab_chunk_max "
            "524288 do not fit: max_item_size must be a multiple of slab_chunk_max (and not "
            "below it), or ElastiCache refuses the cluster; e.g. max_item_size 108003328.")


def test_memcached_item_size_at_a_quarter_of_item_memory_is_accepted():
    spec = load_stack_config(aws_config({"m": {
        "engine": "memcached", "node_type": "cache.t4g.micro",
        "parameters": {"max_item_size": "108003328"}}}), "test")
    assert spec.caches[0].parameters["max_item_size"] == "108003328"
    # The node types Memcached runs on have their fixed max_cache_memory; r6gd is not one.
    assert set(aws_catalog.NODE_TYPES) - set(aws_catalog.MEMCACHED_MAX_CACHE_MEMORY_MB) == {
        n for n in aws_catalog.NODE_TYPES if ".r6gd." in n}


def test_memcached_item_sizes_that_fit_are_accepted():
    spec = load_stack_config(aws_config({"m": {"engine": "memcached", "parameters": {
        "max_item_size": "4194304", "slab_chunk_max": "1048576"}}}), "test")
    assert spec.caches[0].parameters["max_item_size"] == "4194304"

"""Engine parameters each cloud accepts: per ElastiCache parameter-group family and per
Memorystore product, the names, their value sets and ranges, and what cannot be set.

One check reads this data for both clouds (infra.config.common.check_parameters). Where a
source gives no bound, none is enforced: a value is refused only when it is certainly wrong.

Sources (each set below names the ones it draws on):
  AWS_DOCS   ElastiCache "Engine specific parameters": the parameters each Valkey / Redis OSS /
             Memcached version adds, changes and removes, with permitted values and whether
             they are modifiable.
  AWS_CLI    `aws elasticache describe-engine-default-parameters --cache-parameter-group-family
             redis5.0` as the AWS CLI ships it: every parameter of the base family with its
             AllowedValues and IsModifiable.
  VALKEY / REDIS / MEMCACHED   the engines' own sources at the tags named: numeric bounds and
             enum values the server itself refuses to go past.
  GCP_*      Memorystore docs and the gcloud CLI, which validates the keys it sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

AWS_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html"
AWS_CLI = ("https://github.com/aws/aws-cli/blob/3096efebc92a9c67a6b44c05ac7438df1958c9b3/"
           "awscli/examples/elasticache/describe-engine-default-parameters.rst")
VALKEY_CONFIG = "https://github.com/valkey-io/valkey/blob/8.0.1/src/config.c"
REDIS_CONFIG = "https://github.com/redis/redis/blob/7.2.4/src/config.c"
REDIS_NOTIFY = "https://github.com/redis/redis/blob/7.0.0/src/notify.c"  # and 6.0.0, 6.2.3
MEMCACHED_MAIN = "https://github.com/memcached/memcached/blob/1.6.22/memcached.c"
GCP_REDIS_KEYS = ("https://cloud.google.com/sdk/gcloud/reference/redis/instances/update "
                  "(--update-redis-config; googlecloudsdk/command_lib/redis/util.py)")
GCP_REDIS_DOCS = "https://cloud.google.com/memorystore/docs/redis/supported-redis-configurations"
GCP_VALKEY_DOCS = ("https://cloud.google.com/memorystore/docs/valkey/"
                   "supported-instance-configurations")
GCP_MEMCACHED = "https://cloud.google.com/sdk/gcloud/reference/memcache/instances/create"
GCP_MEMCACHED_DOCS = "https://cloud.google.com/memorystore/docs/memcached/memcached-configs"


@dataclass(frozen=True)
class Param:
    """What one parameter accepts.

    kind: bool | enum | int | float | flags (a set of single characters) | percent ("25%") |
    memory ("2gb", bytes by default) | memory-or-percent | text (not checked).
    """

    kind: str = "text"
    choices: tuple[str, ...] = ()        # enum values, or the flag characters
    low: float | None = None             # inclusive, unless low_open
    high: float | None = None            # inclusive
    low_open: bool = False
    also: tuple[int, ...] = ()           # allowed besides low..high, e.g. timeout 0
    step: int | None = None              # the value must be a multiple of step
    since: tuple[int, ...] = ()          # the first engine version that has it
    settable: bool = True
    why: str = ""                        # why it cannot be set


@dataclass(frozen=True)
class ParameterSet:
    label: str                           # "the valkey8 parameter group family"
    params: Mapping[str, Param]
    true_false: tuple[str, str]          # how this target spells booleans
    # Complete: a name not in params is refused. Otherwise only names the engine does not have
    # (engine_names) are refused, and only up to engine_names_upto (newer engines add names).
    complete: bool = True
    engine_names: frozenset[str] = frozenset()
    engine_names_upto: tuple[int, ...] = ()
    renamed: Mapping[str, str] = field(default_factory=dict)   # old name -> new name
    sources: tuple[str, ...] = ()
    # False where the target cannot keep an empty value: ElastiCache reports a parameter set to
    # "" without a value, and terraform-provider-aws (parameter_group.go flattenParameters)
    # leaves such a parameter out of its state, so every preview would set it again
    # (hashicorp/terraform#6687).
    empty_values: bool = True


def version_key(version: str) -> tuple[int, ...]:
    """'8.1' -> (8, 1); '6.x' -> (6, 0); '1.6.15' -> (1, 6, 15)."""
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def _int(low: float | None = None, high: float | None = None, *, also: tuple[int, ...] = (),
         step: int | None = None, since: tuple[int, ...] = ()) -> Param:
    return Param("int", low=low, high=high, also=also, step=step, since=since)


def _enum(*choices: str, since: tuple[int, ...] = ()) -> Param:
    return Param("enum", choices=choices, since=since)


def _fixed(why: str) -> Param:
    return Param(settable=False, why=why)


BOOL = Param("bool")
TEXT = Param("text")
EVICTION_POLICIES = ("volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu",
                     "volatile-random", "allkeys-random", "volatile-ttl", "noeviction")
# notify-keyspace-events classes (REDIS_NOTIFY): the AWS docs list K E g $ l s h z x e A; the
# engines add t and m (6.0), d (6.2.3) and n (7.0), which ElastiCache and Memorystore pass on.
_NOTIFY_6 = tuple("KEg$lshzxeAtmd")
_NOTIFY_7 = (*_NOTIFY_6, "n")
_NOT_MODIFIABLE = "ElastiCache does not let a parameter group change it (IsModifiable: false)"
_NO_AOF = ("ElastiCache does not support AOF for Valkey or Redis OSS (IsModifiable: false); "
           "use snapshots (snapshot_retention_days)")
_BY_NODE = "ElastiCache sets it from the node type (IsModifiable: false)"

# ---------------------------------------------------------------------------------------------
# AWS Valkey / Redis OSS. Base: the redis5.0 family (AWS_CLI: AllowedValues, IsModifiable),
# then each version's added / removed / changed table (AWS_DOCS). Bounds the docs leave open
# come from the engine (REDIS_CONFIG, VALKEY_CONFIG) where it refuses the value itself.
# ---------------------------------------------------------------------------------------------
_REDIS5: dict[str, Param] = {
    "activedefrag": BOOL,
    "active-defrag-cycle-max": _int(1, 75),
    "active-defrag-cycle-min": _int(1, 75),
    # AWS_CLI says 1048576-; the 4.0.10 table says 10485760-104857600: keep the wider one.
    "active-defrag-ignore-bytes": _int(1048576),
    "active-defrag-max-scan-fields": _int(1, 1000000),
    "active-defrag-threshold-lower": _int(1, 100),
    "active-defrag-threshold-upper": _int(1, 100),
    "activerehashing": _fixed(_NOT_MODIFIABLE),
    "appendfsync": _fixed(_NO_AOF),
    "appendonly": _fixed(_NO_AOF),
    "client-output-buffer-limit-normal-hard-limit": _int(0),
    "client-output-buffer-limit-normal-soft-limit": _int(0),
    "client-output-buffer-limit-normal-soft-seconds": _int(0),
    "client-output-buffer-limit-pubsub-hard-limit": _int(0),
    "client-output-buffer-limit-pubsub-soft-limit": _int(0),
    "client-output-buffer-limit-pubsub-soft-seconds": _int(0),
    "client-output-buffer-limit-replica-hard-limit": _fixed(_BY_NODE),
    "client-output-buffer-limit-replica-soft-limit": _fixed(_BY_NODE),
    "client-output-buffer-limit-replica-soft-seconds": _fixed(_NOT_MODIFIABLE),
    "client-query-buffer-limit": _int(1048576, 1073741824),
    "close-on-replica-write": BOOL,
    "cluster-require-full-coverage": BOOL,
    "databases": _fixed(_NOT_MODIFIABLE),
    "hash-max-ziplist-entries": _int(0),
    "hash-max-ziplist-value": _int(0),
    "hll-sparse-max-bytes": _int(1, 16000),
    "lazyfree-lazy-eviction": BOOL,
    "lazyfree-lazy-expire": BOOL,
    "lazyfree-lazy-server-del": BOOL,
    "lfu-decay-time": _int(0),
    "lfu-log-factor": _int(1),
    "list-compress-depth": _int(0),
    # -5..-1 cap a node's size, positive numbers its entries (AWS_DOCS, 3.2.4 table).
    "list-max-ziplist-size": _int(1, also=(-5, -4, -3, -2, -1)),
    "lua-replicate-commands": BOOL,
    "lua-time-limit": _fixed(_NOT_MODIFIABLE),
    "maxclients": _fixed(_NOT_MODIFIABLE),
    "maxmemory": _fixed(_BY_NODE),
    "maxmemory-policy": _enum(*EVICTION_POLICIES),
    "maxmemory-samples": _int(1),
    "min-replicas-max-lag": _int(0),
    "min-replicas-to-write": _int(0),
    "notify-keyspace-events": Param("flags", choices=tuple("KEg$lshzxeA")),
    "proto-max-bulk-len": _int(1048576, 536870912),
    "rename-commands": TEXT,
    "repl-backlog-size": _int(16384),
    "repl-backlog-ttl": _int(0),
    "replica-allow-chaining": _fixed(_NOT_MODIFIABLE),
    "replica-ignore-maxmemory": _fixed(_NOT_MODIFIABLE),
    "replica-lazy-flush": _fixed(_NOT_MODIFIABLE),
    "reserved-memory": _int(0),                      # AWS_DOCS, 2.6.13 table
    "reserved-memory-percent": _int(0, 100),
    "set-max-intset-entries": _int(0),
    "slowlog-log-slower-than": _int(-1),             # engine: -1 turns it off, below is refused
    "slowlog-max-len": _int(0),
    "stream-node-max-bytes": _int(0),
    "stream-node-max-entries": _int(0),
    "tcp-keepalive": _int(0),
    "timeout": _int(20, also=(0,)),                  # 1-19 are invalid (AWS_DOCS, 2.6.13)
    "zset-max-ziplist-entries": _int(0),
    "zset-max-ziplist-value": _int(0),
}

# Redis OSS 6.x: added and removed tables (AWS_DOCS); bounds of the new ones from the engine.
_REDIS6 = {k: v for k, v in _REDIS5.items() if k != "lua-replicate-commands"} | {
    "acl-pubsub-default": _enum("resetchannels", "allchannels"),
    "cluster-allow-reads-when-down": BOOL,
    "tracking-table-max-keys": _int(0),
    "acllog-max-len": _int(0),
    "active-expire-effort": _int(1, 10),
    "lazyfree-lazy-user-del": BOOL,
    "notify-keyspace-events": Param("flags", choices=_NOTIFY_6),
}

# Redis OSS 7 (= Valkey 7.2): listpack replaces ziplist; list-max-listpack-size is the engine's
# new name of list-max-ziplist-size (REDIS_CONFIG), present in the redis7 family.
_RENAMED_7 = {f"{kind}-max-ziplist-{what}": f"{kind}-max-listpack-{what}"
              for kind in ("hash", "zset") for what in ("entries", "value")}
_RENAMED_7["list-max-ziplist-size"] = "list-max-listpack-size"
_REDIS7 = {k: v for k, v in _REDIS6.items() if k not in _RENAMED_7} | {
    "cluster-allow-pubsubshard-when-down": BOOL,
    "cluster-preferred-endpoint-type": _enum("ip", "tls-dynamic"),
    "latency-tracking": BOOL,
    "hash-max-listpack-entries": _int(0),
    "hash-max-listpack-value": _int(0),
    "zset-max-listpack-entries": _int(0),
    "zset-max-listpack-value": _int(0),
    "list-max-listpack-size": _int(1, also=(-5, -4, -3, -2, -1)),
    "notify-keyspace-events": Param("flags", choices=_NOTIFY_7),
}

# Valkey 8.0 removes the lazyfree parameters and replica-lazy-flush, caps maxmemory-samples at
# 64 and adds extended-redis-compatibility; 8.1 and 8.2 add parameters 8.0 does not have.
_VALKEY8 = {k: v for k, v in _REDIS7.items()
            if not k.startswith("lazyfree-") and k != "replica-lazy-flush"} | {
    "maxmemory-samples": _int(1, 64),
    "extended-redis-compatibility": BOOL,
    "commandlog-request-larger-than": _int(since=(8, 1)),
    "commandlog-large-request-max-len": _int(0, 1024, since=(8, 1)),
    "commandlog-reply-larger-than": _int(since=(8, 1)),
    "commandlog-large-reply-max-len": _int(0, 1024, since=(8, 1)),
    "search-fanout-target-mode": _enum("client", "throughput", since=(8, 2)),
    "search-default-timeout-ms": _int(1, 60000, since=(8, 2)),
    "search-enable-partial-results": Param("bool", since=(8, 2)),
}
_VALKEY9 = _VALKEY8 | {"cluster-databases": _int(1, 10000)}

# ---------------------------------------------------------------------------------------------
# AWS Memcached 1.6: the 1.4.5, 1.4.14, 1.4.24, 1.4.33 and 1.5.10 tables (AWS_DOCS), less what
# 1.5.10 removed. Booleans are 0/1. Bounds the docs leave open come from MEMCACHED_MAIN.
# ---------------------------------------------------------------------------------------------
_MEMCACHED16: dict[str, Param] = {
    "backlog_queue_limit": _fixed(_NOT_MODIFIABLE),
    "binding_protocol": _enum("ascii", "auto"),
    "cas_disabled": BOOL,
    "chunk_size": _int(1),                            # "Chunk size must be greater than 0"
    "chunk_size_growth_factor": Param("float", low=1, low_open=True),  # "must be greater than 1"
    "config_max": _fixed(_NOT_MODIFIABLE),
    "config_size_max": _fixed(_NOT_MODIFIABLE),
    "disable_flush_all": BOOL,
    "error_on_memory_exhausted": BOOL,
    "hash_algorithm": _enum("murmur3", "jenkins"),
    "hashpower_init": _fixed(_NOT_MODIFIABLE),
    "idle_timeout": _int(0, 86400),
    "inline_ascii_resp": BOOL,
    "large_memory_pages": _fixed(_NOT_MODIFIABLE),
    "lock_down_paged_memory": _fixed(_NOT_MODIFIABLE),
    "lru_crawler": BOOL,
    "lru_maintainer": BOOL,
    "max_cache_memory": _fixed(_BY_NODE),
    "max_item_size": _int(1024, 1073741824),         # ITEM_SIZE_MAX_LOWER/UPPER_LIMIT
    "max_simultaneous_connections": _fixed(_NOT_MODIFIABLE),
    "maxconns_fast": BOOL,
    "maximize_core_file_limit": BOOL,
    "memcached_connections_overhead": _int(0),
    "no_modern": BOOL,
    "num_threads": _fixed(_BY_NODE),
    "requests_per_event": _fixed(_NOT_MODIFIABLE),
    "slab_automove": _enum("0", "1", "2"),
    "slab_chunk_max": _int(1),
    "slab_reassign": BOOL,
    "track_sizes": TEXT,                              # boolean; the docs spell its default
    "watch": TEXT,                                    # "enabled"/"disabled", not 0/1
    "watcher_logbuf_size": _int(0),
    "worker_logbuf_size": _int(0),
}

_AWS_REDIS_SOURCES = (AWS_DOCS, AWS_CLI, REDIS_CONFIG, REDIS_NOTIFY)


def _aws_family(family: str, params: Mapping[str, Param],
                true_false: tuple[str, str] = ("yes", "no"), **options: Any) -> ParameterSet:
    return ParameterSet(f"the {family} parameter group family", params, true_false,
                        empty_values=False, **options)


AWS_FAMILIES: dict[str, ParameterSet] = {
    "redis6.x": _aws_family("redis6.x", _REDIS6, sources=_AWS_REDIS_SOURCES),
    "redis7": _aws_family("redis7", _REDIS7, renamed=_RENAMED_7, sources=_AWS_REDIS_SOURCES),
    "valkey7": _aws_family("valkey7", _REDIS7, renamed=_RENAMED_7, sources=_AWS_REDIS_SOURCES),
    "valkey8": _aws_family("valkey8", _VALKEY8, renamed=_RENAMED_7,
                           sources=(*_AWS_REDIS_SOURCES, VALKEY_CONFIG)),
    "valkey9": _aws_family("valkey9", _VALKEY9, renamed=_RENAMED_7,
                           sources=(*_AWS_REDIS_SOURCES, VALKEY_CONFIG)),
    "memcached1.6": _aws_family("memcached1.6", _MEMCACHED16, ("1", "0"),
                                sources=(AWS_DOCS, MEMCACHED_MAIN)),
}

# ---------------------------------------------------------------------------------------------
# GCP Memorystore for Redis (redis_configs). The keys are exactly those gcloud accepts
# (GCP_REDIS_KEYS), by the Redis version that added them, plus `databases` (1-100) from the
# current docs page (GCP_REDIS_DOCS). maxmemory-gb is also held to 20-100 % of memory_gb.
# ---------------------------------------------------------------------------------------------
_GCP_REDIS: dict[str, Param] = {
    "maxmemory-policy": _enum(*EVICTION_POLICIES),
    "notify-keyspace-events": Param("flags", choices=_NOTIFY_7),
    "timeout": _int(0),
    "activedefrag": BOOL,
    "lfu-decay-time": _int(0),
    "lfu-log-factor": _int(0),
    "maxmemory-gb": Param("float", low=0, low_open=True),
    "stream-node-max-bytes": _int(0),
    "stream-node-max-entries": _int(0),
    "databases": _int(1, 100),
    "maxmemory-clients": Param("memory-or-percent", since=(7, 0)),
    "lazyfree-lazy-eviction": Param("bool", since=(7, 0)),
    "lazyfree-lazy-expire": Param("bool", since=(7, 0)),
    "lazyfree-lazy-user-del": Param("bool", since=(7, 0)),
    "lazyfree-lazy-user-flush": Param("bool", since=(7, 0)),
}

# ---------------------------------------------------------------------------------------------
# GCP Memorystore for Valkey (engine_configs). The docs table (GCP_VALKEY_DOCS) could be read
# only in part (maxmemory-clients, maxmemory, maxmemory-policy, notify-keyspace-events), so
# the list is not complete: other names pass when Valkey itself has them (VALKEY_CONFIG names
# and aliases, 8.0.1, a superset of 7.2.7), and their values are held to the engine's bounds.
# ---------------------------------------------------------------------------------------------
_BY_PERSISTENCE = "Memorystore sets it from gcp.persistence"
_GCP_VALKEY: dict[str, Param] = {
    "maxmemory-clients": Param("percent", low=0, high=100),
    "maxmemory": Param("memory"),
    "maxmemory-policy": _enum(*EVICTION_POLICIES),
    "notify-keyspace-events": Param("flags", choices=_NOTIFY_7),
    "slowlog-log-slower-than": _int(-1),
    "slowlog-max-len": _int(0),
    "maxclients": _int(1),
    "maxmemory-samples": _int(1, 64),
    "timeout": _int(0),
    "tcp-keepalive": _int(0),
    "lfu-log-factor": _int(0),
    "lfu-decay-time": _int(0),
    "activedefrag": BOOL,
    "active-expire-effort": _int(1, 10),
    "lazyfree-lazy-eviction": BOOL,
    "lazyfree-lazy-expire": BOOL,
    "lazyfree-lazy-server-del": BOOL,
    "lazyfree-lazy-user-del": BOOL,
    "lazyfree-lazy-user-flush": BOOL,
    "appendonly": _fixed(_BY_PERSISTENCE),
    "appendfsync": _fixed(_BY_PERSISTENCE),
    "save": _fixed(_BY_PERSISTENCE),
    "requirepass": _fixed("Memorystore sets authentication from gcp.auth"),
}
_VALKEY_ENGINE_NAMES = frozenset("""
acl-pubsub-default aclfile acllog-max-len active-defrag-cycle-max active-defrag-cycle-min
active-defrag-ignore-bytes active-defrag-max-scan-fields active-defrag-threshold-lower
active-defrag-threshold-upper active-expire-effort activedefrag activerehashing always-show-logo
aof-disable-auto-gc aof-load-truncated aof-rewrite-incremental-fsync aof-timestamp-enabled
aof-use-rdb-preamble appenddirname appendfilename appendfsync appendonly
auto-aof-rewrite-min-size auto-aof-rewrite-percentage availability-zone bind bind-source-addr
busy-reply-threshold client-default-resp client-output-buffer-limit client-query-buffer-limit
cluster-allow-pubsubshard-when-down cluster-allow-reads-when-down
cluster-allow-replica-migration cluster-announce-bus-port cluster-announce-client-ipv4
cluster-announce-client-ipv6 cluster-announce-hostname cluster-announce-human-nodename
cluster-announce-ip cluster-announce-port cluster-announce-tls-port cluster-blacklist-ttl
cluster-config-file cluster-enabled cluster-link-sendbuf-limit cluster-migration-barrier
cluster-node-timeout cluster-ping-interval cluster-port cluster-preferred-endpoint-type
cluster-replica-no-failover cluster-replica-validity-factor cluster-require-full-coverage
cluster-slave-no-failover cluster-slave-validity-factor cluster-slot-stats-enabled
crash-log-enabled crash-memcheck-enabled daemonize databases dbfilename debug-context dir
disable-thp dual-channel-replication-enabled dynamic-hz enable-debug-assert enable-debug-command
enable-module-command enable-protected-configs events-per-io-thread extended-redis-compatibility
hash-max-listpack-entries hash-max-listpack-value hash-max-ziplist-entries
hash-max-ziplist-value hide-user-data-from-log hll-sparse-max-bytes hz ignore-warnings
io-threads io-threads-do-reads jemalloc-bg-thread key-load-delay latency-monitor-threshold
latency-tracking latency-tracking-info-percentiles lazyfree-lazy-eviction lazyfree-lazy-expire
lazyfree-lazy-server-del lazyfree-lazy-user-del lazyfree-lazy-user-flush lfu-decay-time
lfu-log-factor list-compress-depth list-max-listpack-size list-max-ziplist-size
loading-process-events-interval-bytes locale-collate logfile loglevel lua-time-limit masterauth
masteruser max-new-connections-per-cycle max-new-tls-connections-per-cycle maxclients maxmemory
maxmemory-clients maxmemory-eviction-tenacity maxmemory-policy maxmemory-samples
min-replicas-max-lag min-replicas-to-write min-slaves-max-lag min-slaves-to-write
no-appendfsync-on-rewrite notify-keyspace-events oom-score-adj oom-score-adj-values pidfile port
prefetch-batch-max-size primaryauth primaryuser proc-title-template propagation-error-behavior
protected-mode proto-max-bulk-len rdb-del-sync-files rdb-key-save-delay
rdb-save-incremental-fsync rdbchecksum rdbcompression repl-backlog-size repl-backlog-ttl
repl-disable-tcp-nodelay repl-diskless-load repl-diskless-sync repl-diskless-sync-delay
repl-diskless-sync-max-replicas repl-ping-replica-period repl-ping-slave-period repl-timeout
replica-announce-ip replica-announce-port replica-announced replica-ignore-disk-write-errors
replica-ignore-maxmemory replica-lazy-flush replica-priority replica-read-only
replica-serve-stale-data replicaof req-res-logfile requirepass sanitize-dump-payload save
set-max-intset-entries set-max-listpack-entries set-max-listpack-value set-proc-title
shutdown-on-sigint shutdown-on-sigterm shutdown-timeout slave-announce-ip slave-announce-port
slave-ignore-maxmemory slave-lazy-flush slave-priority slave-read-only slave-serve-stale-data
slaveof slowlog-log-slower-than slowlog-max-len socket-mark-id stop-writes-on-bgsave-error
stream-node-max-bytes stream-node-max-entries supervised syslog-enabled syslog-facility
syslog-ident tcp-backlog tcp-keepalive timeout tls-auth-clients tls-ca-cert-dir tls-ca-cert-file
tls-cert-file tls-ciphers tls-ciphersuites tls-client-cert-file tls-client-key-file
tls-client-key-file-pass tls-cluster tls-dh-params-file tls-key-file tls-key-file-pass tls-port
tls-prefer-server-ciphers tls-protocols tls-replication tls-session-cache-size
tls-session-cache-timeout tls-session-caching tracking-table-max-keys unixsocket unixsocketgroup
unixsocketperm use-exit-on-panic watchdog-period zset-max-listpack-entries
zset-max-listpack-value zset-max-ziplist-entries zset-max-ziplist-value
""".split())  # noqa: SIM905 (a word list reads better than 217 quoted names)

# The server's own wiring, which a managed service runs for the user: its network and TLS
# listeners, files and process, replication and cluster bus, and the admin commands. None is a
# setting Memorystore documents (GCP_VALKEY_DOCS), and most cannot change on a running server
# (IMMUTABLE_CONFIG or PROTECTED_CONFIG in VALKEY_CONFIG), while Memorystore applies
# engine_configs without a restart; so they are refused here, not by the API at apply time.
_VALKEY_WIRING_PREFIXES = ("tls-", "cluster-announce-", "syslog-", "unixsocket", "enable-")
_VALKEY_WIRING = frozenset({
    "port", "bind", "bind-source-addr", "protected-mode", "tcp-backlog", "socket-mark-id",
    "dir", "dbfilename", "appendfilename", "appenddirname", "logfile", "pidfile", "aclfile",
    "daemonize", "supervised", "always-show-logo", "set-proc-title", "proc-title-template",
    "req-res-logfile", "crash-log-enabled", "crash-memcheck-enabled", "disable-thp",
    "oom-score-adj", "oom-score-adj-values", "io-threads", "io-threads-do-reads",
    "replicaof", "slaveof", "masterauth", "masteruser", "primaryauth", "primaryuser",
    "replica-announce-ip", "replica-announce-port", "slave-announce-ip", "slave-announce-port",
    "replica-announced", "cluster-enabled", "cluster-port", "cluster-config-file",
    "availability-zone",
} | {name for name in _VALKEY_ENGINE_NAMES if name.startswith(_VALKEY_WIRING_PREFIXES)})
_GCP_VALKEY.update({name: _fixed("Memorystore runs the server and sets it itself (its "
                                 "network, TLS, files, process and replication)")
                    for name in sorted(_VALKEY_WIRING)})

# ---------------------------------------------------------------------------------------------
# GCP Memorystore for Memcached (memcache_parameters): every key gcloud documents, with its
# type and range (GCP_MEMCACHED). Booleans are true/false. max-item-size is a multiple of
# slab_chunk_max (524288), from 524288 up to less than 134217728.
# ---------------------------------------------------------------------------------------------
_GCP_MEMCACHED: dict[str, Param] = {
    "listen-backlog": _int(1, 10000),                  # GCP_MEMCACHED_DOCS
    "disable-flush-all": BOOL,
    "disable-watch": Param("bool", since=(1, 6, 15)),  # GCP_MEMCACHED_DOCS
    "max-item-size": _int(524288, 134217728 - 524288, step=524288),
    "slab-min-size": _int(1, 1024),
    "slab-growth-factor": Param("float", low=1.01, high=100),
    "protocol": _enum("ascii", "auto"),
    "disable-cas": BOOL,
    "disable-evictions": BOOL,
    "max-reqs-per-event": _int(1, 1000),
    "track-sizes": BOOL,
    "worker-logbuf-size": _int(48, 524288),
    "watcher-logbuf-size": _int(0, 2097151),
    "lru-crawler": BOOL,
    "idle-timeout": _int(1, 86400),
    "lru-maintainer": BOOL,
    "maxconns-fast": BOOL,
    "hash-algorithm": _enum("jenkins", "murmur3"),
}

GCP_PRODUCTS: dict[str, ParameterSet] = {
    "redis": ParameterSet("Memorystore for Redis (redis_configs)", _GCP_REDIS, ("yes", "no"),
                          sources=(GCP_REDIS_KEYS, GCP_REDIS_DOCS, REDIS_CONFIG, REDIS_NOTIFY)),
    "valkey": ParameterSet("Memorystore for Valkey (engine_configs)", _GCP_VALKEY, ("yes", "no"),
                           complete=False, engine_names=_VALKEY_ENGINE_NAMES,
                           engine_names_upto=(8, 0),
                           sources=(GCP_VALKEY_DOCS, VALKEY_CONFIG, REDIS_NOTIFY)),
    "memcached": ParameterSet("Memorystore for Memcached (memcache_parameters)", _GCP_MEMCACHED,
                              ("true", "false"), sources=(GCP_MEMCACHED, GCP_MEMCACHED_DOCS)),
}

# Memorystore's REDIS_6_X runs Redis 6.2, whose notify-keyspace-events has no `n` (new-key
# events, added in 7.0: REDIS_NOTIFY); the server refuses the whole value.
GCP_REDIS_6 = replace(GCP_PRODUCTS["redis"], params={
    **_GCP_REDIS, "notify-keyspace-events": Param("flags", choices=_NOTIFY_6)})


def gcp_parameter_set(engine: str, version: str | None) -> ParameterSet:
    """The parameters a Memorystore product takes at this engine version."""
    if engine == "redis" and version is not None and version_key(version) < (7, 0):
        return GCP_REDIS_6
    return GCP_PRODUCTS[engine]

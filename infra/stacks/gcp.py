"""Composes the GCP Memorystore components from a validated GcpStackSpec. Returns the stack's
exports: a plain `caches` map (per cache its product, endpoints and ports, which differ from the
AWS ones: see docs/gcp.md) and one secret `auth_tokens` output."""

from __future__ import annotations

from typing import Any, TypedDict

import pulumi

from components.gcp import apis as gcp_apis
from components.gcp.alerts import (
    AlertChannels,
    AlertChannelsArgs,
    MemorystoreAlerts,
    MemorystoreAlertsArgs,
)
from components.gcp.cmek import CustomerKeyGrants, CustomerKeyGrantsArgs
from components.gcp.connection_secret import SecretManagerSecret, SecretManagerSecretArgs
from components.gcp.dashboard import (
    DashboardInstance,
    MemorystoreDashboard,
    MemorystoreDashboardArgs,
)
from components.gcp.dns import AddressRecord, CloudDnsPrivateZone, CloudDnsZoneArgs
from components.gcp.iam_clients import CONNECTION_ROLE, ValkeyIamClients, ValkeyIamClientsArgs
from components.gcp.memcached import MemcachedInstanceArgs, MemorystoreMemcachedInstance
from components.gcp.network import MemorystoreNetwork, MemorystoreNetworkArgs
from components.gcp.redis_instance import MemorystoreRedisInstance, RedisInstanceArgs
from components.gcp.valkey_instance import (
    MemorystoreValkeyInstance,
    ValkeyInstanceArgs,
    ValkeySecondaryArgs,
)
from infra import naming, providers
from infra.catalog.gcp import GCP_DEFAULTS
from infra.config.dns import cache_dns_names
from infra.config.gcp import day_of_week
from infra.config.gcp_network import valkey_regions
from infra.config.spec import GcpCacheSpec, GcpStackSpec


def build(spec: GcpStackSpec, project: str) -> dict[str, Any]:
    network_spec = spec.network
    caches: list[GcpCacheSpec] = list(spec.caches)

    tags = providers.stack_tags(project, spec.stack, spec.profile)
    psc_regions = valkey_regions(spec.region, caches)
    regions = [spec.region, *[r for r in psc_regions if r != spec.region]]
    gcp = {region: providers.gcp_provider(spec.gcp_project, region, tags) for region in regions}
    in_primary = pulumi.ResourceOptions(providers=[gcp[spec.region]])
    apis = _project_apis(spec, caches, in_primary)
    key_grants = _key_grants(spec, caches, apis, in_primary)
    # A Shared VPC host keeps the network's range, connection and policies (and their APIs).
    host_project = network_spec.network_project
    host_project = host_project if host_project not in (None, spec.gcp_project) else None
    private_service_access = any(c.engine != "valkey" for c in caches)
    network_apis = apis if host_project is None else _host_apis(
        spec, host_project, private_service_access and network_spec.create_psa_connection,
        bool(psc_regions) and network_spec.create_service_connection_policy, in_primary)

    network = MemorystoreNetwork(
        f"{spec.name_prefix}-{spec.region}",
        MemorystoreNetworkArgs(
            name_prefix=spec.name_prefix,
            project=spec.gcp_project,
            region=spec.region,
            vpc_cidr=network_spec.vpc_cidr,
            network=network_spec.network,
            subnetworks=network_spec.subnetworks,
            private_service_access=private_service_access,
            create_psa_connection=network_spec.create_psa_connection,
            psa_existing_ranges=network_spec.psa_existing_ranges or (),
            network_project=host_project,
            psa_range=network_spec.psa_range,
            psa_prefix_length=network_spec.psa_prefix_length,
            psc_regions=psc_regions,
            create_service_connection_policy=network_spec.create_service_connection_policy,
            flow_logs=GCP_DEFAULTS[spec.profile].flow_logs,
            client_ports=_client_ports(caches),
            regional_providers={r: p for r, p in gcp.items() if r != spec.region},
            apis=network_apis,
        ),
        opts=in_primary,
    )
    channels: list[pulumi.Output[str]] = []
    if spec.alert_emails:
        channels = AlertChannels(
            f"{spec.name_prefix}-alerts",
            AlertChannelsArgs(name_prefix=spec.name_prefix, emails=spec.alert_emails,
                              apis=apis),
            opts=in_primary,
        ).channel_ids

    exports: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    records: list[AddressRecord] = []           # for network.dns
    _iam_clients(spec, caches, apis, in_primary)
    for cache in caches:
        exported: dict[str, Any] = {
            "engine": f"{cache.engine} {cache.engine_version}",
            "region": spec.region,
            "instance_id": cache.instance_id,
            "port": cache.port,
            "tls": cache.tls,
            "auth": "iam" if cache.engine == "valkey" and cache.auth
            else "auth-string" if cache.auth else "none",
        }
        if cache.engine == "valkey":
            grant = key_grants.get((gcp_apis.MEMORYSTORE, cache.kms_key))
            valkey = MemorystoreValkeyInstance(
                cache.name, _valkey_args(cache, spec, network, gcp, apis, grant),
                opts=in_primary)
            kind = "CONNECTION_TYPE_DISCOVERY" if cache.cluster_mode \
                else "CONNECTION_TYPE_PRIMARY"
            reader_kind = kind if cache.cluster_mode or cache.replicas == 0 \
                else "CONNECTION_TYPE_READER"
            endpoint = _present(valkey.endpoint, cache, f"{kind} endpoint")
            reader = _present(valkey.reader_endpoint, cache, f"{reader_kind} endpoint")
            exported.update(endpoint=endpoint, reader_endpoint=reader, reader_port=cache.port,
                            ca_certs=valkey.ca_certs)
            secondaries = {
                region: _present(valkey.secondary_endpoints[region], cache, f"{kind} endpoint",
                                 cache.secondary_instance_id(region))
                for region in cache.secondary_regions}
            records += _records(spec, cache, {spec.region: endpoint, **secondaries},
                                {spec.region: reader, **secondaries},
                                writer=endpoint if secondaries else None)
            if cache.secondary_regions:
                # Each secondary is an instance with its own server CA: a client reading there
                # trusts that one (not secret, like the primary's ca_certs).
                exported["secondaries"] = {
                    region: {"instance_id": cache.secondary_instance_id(region),
                             "endpoint": secondaries[region],
                             "port": cache.port,
                             "ca_certs": valkey.secondary_ca_certs[region]}
                    for region in cache.secondary_regions
                }
            if cache.client_service_accounts:
                exported["iam_clients"] = {
                    "role": CONNECTION_ROLE,
                    "members": [f"serviceAccount:{a}" for a in cache.client_service_accounts]}
            credential: dict[str, Any] = {"auth": "iam", "iam_note": VALKEY_IAM_NOTE} \
                if cache.auth \
                else {"auth": "none"}
            # One secret for every region (replicated): its ca_certs are every instance's,
            # so a client in a secondary's region can verify that secondary too.
            connection = {**_connection(cache, spec, endpoint, reader,
                                        _all_certificates(valkey.ca_certs,
                                                          *valkey.secondary_ca_certs.values())),
                          **({"secondary_hosts": secondaries} if secondaries else {}),
                          **credential}
            component: pulumi.Resource = valkey
        elif cache.engine == "redis":
            grant = key_grants.get((gcp_apis.REDIS, cache.kms_key))
            redis = MemorystoreRedisInstance(
                cache.name, _redis_args(cache, spec, network, apis, grant), opts=in_primary)
            host = _present(redis.host, cache, "host")
            reader = _present(redis.read_endpoint, cache, "read endpoint") \
                if cache.read_replicas else host
            exported.update(endpoint=host, reader_endpoint=reader, reader_port=redis.read_port,
                            ca_certs=redis.ca_certs)
            records += _records(spec, cache, {spec.region: host}, {spec.region: reader})
            if redis.auth_string is not None:
                secrets[cache.name] = redis.auth_string
            credential = {"auth": "token", "auth_token": redis.auth_string} \
                if redis.auth_string is not None else {"auth": "none"}
            connection = {**_connection(cache, spec, redis.host, redis.read_endpoint,
                                        redis.ca_certs), **credential}
            component = redis
        else:
            memcached = MemorystoreMemcachedInstance(
                cache.name, _memcached_args(cache, spec, network, apis), opts=in_primary)
            discovery = _present(memcached.discovery_endpoint, cache, "discovery endpoint")
            host = _present(memcached.host, cache, "discovery endpoint")
            exported.update(endpoint=host, discovery_endpoint=discovery)
            records += _records(spec, cache, {spec.region: host})
            connection = {**_connection(cache, spec, host, None, None), "auth": "none"}
            component = memcached
        if cache.secret:
            secret = SecretManagerSecret(
                f"{cache.name}-connection",
                SecretManagerSecretArgs(
                    secret_id=naming.gcp_connection_secret_id(cache.instance_id),
                    locations=[spec.region, *cache.secondary_regions],
                    payload=connection,
                    labels=cache.labels,
                    kms_key=cache.kms_key,
                    key_grant=key_grants.get((gcp_apis.SECRET_MANAGER, cache.kms_key)),
                ),
                opts=pulumi.ResourceOptions(
                    parent=component,
                    depends_on=gcp_apis.needs(apis, gcp_apis.SECRET_MANAGER)),
            )
            exported["secret"] = {"secret_id": secret.secret_id, "name": secret.name}
        if spec.dns is not None:
            exported["dns"] = cache_dns_names(cache, spec.dns.zone)
        exports[cache.name] = exported
        _alerts(cache, spec, channels, gcp, apis)

    _private_zone(spec, network, records, in_primary, apis)
    dashboard = _dashboard(spec, caches, in_primary, apis)
    return {
        "caches": exports,
        # One secret output: `pulumi stack output auth_tokens --show-secrets` reveals it.
        # Valkey uses IAM authorization (short-lived tokens), so only Redis AUTH strings appear.
        "auth_tokens": pulumi.Output.secret(secrets),
        "network": network.network_id,
        # The first page, and every page: a stack past a dashboard's tiles has several.
        "monitoring": {"dashboard_url": dashboard.url, "dashboard_urls": dashboard.urls},
    }


# Memorystore for Valkey endpoints need TCP 6379 and 11000-13047 open to clients
# (docs.cloud.google.com/memorystore/docs/valkey/connect-instance, "Allow ports on your
# firewall"); Redis and Memcached listen on the cache's port.
VALKEY_EXTRA_PORTS = "11000-13047"


def _client_ports(caches: list[GcpCacheSpec]) -> list[str]:
    ports = {str(cache.port) for cache in caches}
    if any(cache.engine == "valkey" for cache in caches):
        ports.add(VALKEY_EXTRA_PORTS)
    return sorted(ports)
VALKEY_IAM_NOTE = ("IAM authentication: send a Google OAuth 2.0 access token of a service "
                   "account granted roles/memorystore.dbConnectionUser as the password "
                   "(AUTH <token>, no user name); tokens last one hour, so refresh them and "
                   "reconnect before they expire.")


def _all_certificates(*lists: pulumi.Output[list[str]]) -> pulumi.Output[list[str]]:
    """The PEM certificates of several instances, each once, in order."""
    return pulumi.Output.all(*lists).apply(
        lambda found: list(dict.fromkeys(cert for certs in found for cert in certs or [])))


def _connection(cache: GcpCacheSpec, spec: GcpStackSpec, host: pulumi.Input[str],
                reader: pulumi.Input[str] | None,
                ca_certs: pulumi.Input[list[str]] | None) -> dict[str, Any]:
    """What every connection secret holds, before the credential."""
    out: dict[str, Any] = {"engine": cache.engine, "host": host, "port": cache.port,
                           "tls": cache.tls, "region": spec.region,
                           "instance_id": cache.instance_id, "cluster_mode": cache.cluster_mode}
    if reader is not None:
        out["reader_host"] = reader
    if cache.tls and ca_certs is not None:
        out["ca_certs"] = ca_certs
    return out


def _iam_clients(spec: GcpStackSpec, caches: list[GcpCacheSpec],
                 apis: dict[str, pulumi.Resource],
                 opts: pulumi.ResourceOptions) -> ValkeyIamClients | None:
    """One project-level grant per service account listed by any Valkey cache."""
    accounts = list(dict.fromkeys(a for c in caches for a in c.client_service_accounts))
    if not accounts:
        return None
    return ValkeyIamClients(
        f"{spec.name_prefix}-valkey-clients",
        ValkeyIamClientsArgs(project=spec.gcp_project, service_accounts=accounts, apis=apis),
        opts=opts)


def _import_id(spec: GcpStackSpec, cache: GcpCacheSpec) -> str | None:
    """The Pulumi import id of an adopted instance (all three products take this form)."""
    if cache.import_id is None:
        return None
    return f"projects/{spec.gcp_project}/locations/{spec.region}/instances/{cache.import_id}"


class MissingEndpoint(pulumi.RunError):
    """Memorystore reported no address where a client needs one (the CLI prints a RunError as
    one line)."""


def _present(value: pulumi.Output[Any], cache: GcpCacheSpec, what: str,
             instance_id: str | None = None) -> pulumi.Output[str]:
    """`value`, failing `pulumi up` instead of exporting an empty address; unknown in a
    preview, where nothing is checked."""
    def check(address: str | None) -> str:
        if not address:
            raise MissingEndpoint(
                f"caches.{cache.name}: Memorystore returned no {what} for instance "
                f"{instance_id or cache.instance_id}, and an empty address is never exported. "
                "Check the instance's state and endpoints in the console (for Valkey: the "
                "gcp-memorystore service connection policy of its network and region; for "
                "Redis and Memcached: the network's private services access), then run "
                "`pulumi up` again.")
        return address

    return value.apply(check)


def _project_apis(spec: GcpStackSpec, caches: list[GcpCacheSpec],
                  opts: pulumi.ResourceOptions) -> dict[str, pulumi.Resource]:
    """Enable the APIs the stack calls in its project (unless `gcp.enable_apis` is false)."""
    if not spec.enable_apis:
        return {}
    engines = {cache.engine for cache in caches}
    wanted = {gcp_apis.COMPUTE, gcp_apis.MONITORING}
    if "valkey" in engines:
        wanted.update(gcp_apis.VALKEY_APIS)
    if engines & {"redis", "memcached"}:
        wanted.add(gcp_apis.SERVICE_NETWORKING)
    if "redis" in engines:
        wanted.add(gcp_apis.REDIS)
    if "memcached" in engines:
        wanted.add(gcp_apis.MEMCACHE)
    if spec.dns is not None:
        wanted.add(gcp_apis.DNS)
    if any(cache.kms_key for cache in caches):
        wanted.add(gcp_apis.CLOUD_KMS)
    if any(cache.secret for cache in caches):
        wanted.add(gcp_apis.SECRET_MANAGER)
    if any(cache.client_service_accounts for cache in caches):
        wanted.add(gcp_apis.CLOUD_RESOURCE_MANAGER)
    return gcp_apis.ProjectApis(
        f"{spec.name_prefix}-apis",
        gcp_apis.ProjectApisArgs(project=spec.gcp_project, services=sorted(wanted)),
        opts=opts,
    ).services


def _host_apis(spec: GcpStackSpec, host: str, psa: bool, policies: bool,
               opts: pulumi.ResourceOptions) -> dict[str, pulumi.Resource]:
    """The APIs the network's resources call, in the Shared VPC host project."""
    if not spec.enable_apis:
        return {}
    wanted = [gcp_apis.COMPUTE]
    if psa:
        wanted.append(gcp_apis.SERVICE_NETWORKING)
    if policies:
        wanted.append(gcp_apis.NETWORK_CONNECTIVITY)
    return gcp_apis.ProjectApis(f"{spec.name_prefix}-host-apis",
                                gcp_apis.ProjectApisArgs(project=host, services=wanted),
                                opts=opts).services


def _key_grants(spec: GcpStackSpec, caches: list[GcpCacheSpec], apis: dict[str, pulumi.Resource],
                opts: pulumi.ResourceOptions) -> dict[tuple[str, str | None], pulumi.Resource]:
    """Grant each Memorystore service agent its caches' keys, and Secret Manager's the keys of
    caches with a connection secret (unless gcp.grant_kms_access is false): (API, key) -> the
    grant the instances and secrets wait for."""
    if not spec.grant_kms_access:
        return {}
    keys: dict[str, list[str]] = {}
    for cache in caches:
        if cache.kms_key:
            api = gcp_apis.MEMORYSTORE if cache.engine == "valkey" else gcp_apis.REDIS
            keys.setdefault(api, []).append(cache.kms_key)
            if cache.secret:    # its connection secret is encrypted with the same key
                keys.setdefault(gcp_apis.SECRET_MANAGER, []).append(cache.kms_key)
    if not keys:
        return {}
    # The component's Sleeps need the time provider beside the project's (no default providers).
    grants = CustomerKeyGrants(
        f"{spec.name_prefix}-keys",
        CustomerKeyGrantsArgs(project=spec.gcp_project, keys=keys, apis=apis),
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(providers=[providers.time_provider()])),
    ).grants
    return dict(grants.items())


def _dashboard(spec: GcpStackSpec, caches: list[GcpCacheSpec], opts: pulumi.ResourceOptions,
               apis: dict[str, pulumi.Resource]) -> MemorystoreDashboard:
    """The stack's Cloud Monitoring dashboard (project-level; created in the primary region's
    provider like the notification channels)."""
    return MemorystoreDashboard(
        f"{spec.name_prefix}-dashboard",
        MemorystoreDashboardArgs(
            display_name=f"managed-cache {spec.name_prefix}",
            project=spec.gcp_project,
            instances=[
                DashboardInstance(
                    name=cache.name, engine=cache.engine, instance_id=cache.instance_id,
                    region=spec.region, policy=cache.alarms,
                    high_availability=cache.high_availability, replicas=cache.replicas,
                    shards=cache.shards,
                    secondaries={region: (cache.secondary_instance_id(region),
                                          cache.secondary_replicas)
                                 for region in cache.secondary_regions})
                for cache in caches
            ],
            apis=apis,
        ),
        opts=opts,
    )


def _records(spec: GcpStackSpec, cache: GcpCacheSpec, endpoint: dict[str, pulumi.Output[str]],
             reader: dict[str, pulumi.Output[str]] | None = None,
             writer: pulumi.Output[str] | None = None) -> list[AddressRecord]:
    """The cache's A records: addresses by region (several regions: geolocation routing).

    `writer`: the primary instance's endpoint of a cache with cross-region secondaries, named
    `<cache>-writer`; after creation the operator repoints it on a switchover.
    """
    if spec.dns is None:
        return []
    names = cache_dns_names(cache, spec.dns.zone)
    records = [AddressRecord(names["endpoint"], endpoint)]
    if reader is not None:
        records.append(AddressRecord(names["reader_endpoint"], reader))
    if writer is not None:
        records.append(AddressRecord(names["writer_endpoint"], {spec.region: writer},
                                     follows_failover=True))
    return records


def _private_zone(spec: GcpStackSpec, network: MemorystoreNetwork, records: list[AddressRecord],
                  opts: pulumi.ResourceOptions,
                  apis: dict[str, pulumi.Resource]) -> CloudDnsPrivateZone | None:
    """One private zone on the stack's VPC network (a GCP network spans every region)."""
    if spec.dns is None:
        return None
    existing = spec.dns.zone_ids.get(spec.region)
    return CloudDnsPrivateZone(
        f"{spec.name_prefix}-dns",
        CloudDnsZoneArgs(
            zone=spec.dns.zone,
            zone_name=existing or naming.gcp_dns_zone_name(spec.name_prefix),
            network=network.network_id,
            ttl=spec.dns.ttl,
            records=records,
            create_zone=existing is None,
            description=f"managed-cache {spec.name_prefix}: cache names",
            apis=apis,
        ),
        opts=opts,
    )


def _alerts(cache: GcpCacheSpec, spec: GcpStackSpec, channels: list[pulumi.Output[str]],
            gcp: dict[str, pulumi.ProviderResource], apis: dict[str, pulumi.Resource]) -> None:
    """The same policies on the primary instance and on every Valkey secondary (in its region,
    with its own replica count); the cross-region links and backlog are reported by, and watched
    on, the primary."""
    cross_region_shards = cache.shards if cache.secondary_regions else 0
    instances = [(cache.name, cache.instance_id, spec.region, cache.replicas,
                  cross_region_shards)] + [
        (f"{cache.name}-{region}", cache.secondary_instance_id(region), region,
         cache.secondary_replicas, 0)
        for region in cache.secondary_regions
    ]
    for name, instance_id, region, replicas, shards in instances:
        MemorystoreAlerts(
            f"{name}-alerts",
            MemorystoreAlertsArgs(
                engine=cache.engine,
                instance_id=instance_id,
                region=region,
                policy=cache.alarms,
                notification_channels=channels,
                high_availability=cache.high_availability,
                apis=apis,
                replicas=replicas,
                cross_region_shards=shards,
            ),
            opts=pulumi.ResourceOptions(providers=[gcp[region]]),
        )


class _InstanceArgs(TypedDict):
    """What an instance of every Memorystore product takes alike from its cache's spec."""

    maintenance_day: str
    maintenance_hour: int
    maintenance_minute: int
    deletion_protection: bool
    labels: dict[str, str]
    apis: dict[str, pulumi.Resource]
    import_id: str | None


def _instance_args(cache: GcpCacheSpec, spec: GcpStackSpec,
                   apis: dict[str, pulumi.Resource]) -> _InstanceArgs:
    """The weekly maintenance window, deletion protection, labels, the APIs to wait for and
    the import id of an adopted instance."""
    return _InstanceArgs(
        maintenance_day=day_of_week(cache.maintenance),
        maintenance_hour=cache.maintenance.hour,
        maintenance_minute=cache.maintenance.minute,
        deletion_protection=cache.deletion_protection,
        labels=cache.labels,
        apis=apis,
        import_id=_import_id(spec, cache),
    )


class _DataArgs(TypedDict):
    """What Memorystore for Valkey and for Redis take alike: TLS, persistence, the zone."""

    tls: bool
    persistence: str
    rdb_snapshot_period: str
    zone: str | None


def _data_args(cache: GcpCacheSpec) -> _DataArgs:
    return _DataArgs(tls=cache.tls, persistence=cache.persistence,
                     rdb_snapshot_period=cache.rdb_snapshot_period, zone=cache.zone)


class _ServiceAccessArgs(TypedDict):
    """The fields of components.gcp.network.ServiceAccessArgs, which Memorystore for Redis and
    for Memcached share: the instance's name and the network's private services access."""

    name: str
    display_name: str
    region: str
    authorized_network: pulumi.Output[str]
    psa_connection: pulumi.Resource | None
    reserved_ip_range: pulumi.Output[str] | None


def _service_access_args(cache: GcpCacheSpec, spec: GcpStackSpec,
                         network: MemorystoreNetwork) -> _ServiceAccessArgs:
    return _ServiceAccessArgs(name=cache.instance_id, display_name=cache.description,
                              region=spec.region, authorized_network=network.network_id,
                              psa_connection=network.psa_connection,
                              reserved_ip_range=network.psa_range_name)


def _valkey_args(cache: GcpCacheSpec, spec: GcpStackSpec, network: MemorystoreNetwork,
                 gcp: dict[str, pulumi.ProviderResource], apis: dict[str, pulumi.Resource],
                 kms_grant: pulumi.Resource | None) -> ValkeyInstanceArgs:
    assert cache.node_type is not None
    return ValkeyInstanceArgs(
        **_instance_args(cache, spec, apis),
        **_data_args(cache),
        instance_id=cache.instance_id,
        project=spec.gcp_project,
        region=spec.region,
        network=network.network_id,
        connection_policy=network.connection_policies.get(spec.region),
        engine_version=cache.api_version,
        node_type=cache.node_type,
        shards=cache.shards,
        replicas=cache.replicas,
        cluster_mode=cache.cluster_mode,
        engine_configs=cache.parameters,
        backup_retention_days=cache.backup_retention_days,
        backup_start_hour=cache.backup_start_hour,
        iam_auth=cache.auth,
        kms_key=cache.kms_key,
        kms_grant=kms_grant,
        restore_gcs_uris=cache.restore.gcs_uris if cache.restore else (),
        restore_backup=cache.restore.backup if cache.restore else None,
        secondaries=[
            ValkeySecondaryArgs(
                region=region,
                instance_id=cache.secondary_instance_id(region),
                replicas=cache.secondary_replicas,
                provider=gcp[region],
                connection_policy=network.connection_policies.get(region),
            )
            for region in cache.secondary_regions
        ],
    )


def _redis_args(cache: GcpCacheSpec, spec: GcpStackSpec, network: MemorystoreNetwork,
                apis: dict[str, pulumi.Resource],
                key_grant: pulumi.Resource | None) -> RedisInstanceArgs:
    return RedisInstanceArgs(
        **_instance_args(cache, spec, apis),
        **_data_args(cache),
        **_service_access_args(cache, spec, network),
        redis_version=cache.api_version,
        memory_gb=cache.memory_gb,
        replicas=cache.replicas,
        read_replicas=cache.read_replicas,
        auth=cache.auth,
        customer_managed_key=cache.kms_key,
        key_grant=key_grant,
        redis_configs=cache.parameters,
    )


def _memcached_args(cache: GcpCacheSpec, spec: GcpStackSpec, network: MemorystoreNetwork,
                    apis: dict[str, pulumi.Resource]) -> MemcachedInstanceArgs:
    return MemcachedInstanceArgs(
        **_instance_args(cache, spec, apis),
        **_service_access_args(cache, spec, network),
        memcache_version=cache.api_version,
        nodes=cache.nodes,
        vcpus=cache.vcpus,
        memory_mb=cache.memory_mb,
        parameters=cache.parameters,
        maintenance_minutes=cache.maintenance.minutes,
    )

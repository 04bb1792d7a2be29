"""Pulumi mocks that fabricate plausible cloud outputs and record every registration.

Used by the offline plan (`python -m infra.plan`), the tests and the language-host harness.
It imports only `pulumi`, so the harness can load it by file path without putting the project
on `sys.path` (the program must find its own packages the way the real CLI lets it).

In preview mode the mocks answer like a real preview: a created resource's computed outputs and
id are left out, so the SDK treats them as unknown.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

# DescribeAvailabilityZones answers per account: many accounts list two zones in us-west-1
# (us-west-1a and us-west-1c), although the region has three; the mocks answer the same.
_ZONE_LETTERS = {"us-west-1": "ac"}


@dataclass
class Registration:
    """One RegisterResource call as the engine would see it."""

    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    provider: str
    protect: bool
    dependencies: list[str]
    delete_before_replace: bool
    ignore_changes: list[str]
    retain_on_delete: bool
    additional_secret_outputs: list[str]
    aliased: bool = False           # declared aliases: Pulumi adopts the old URN, no replace
    alias_parents: list[str] = field(default_factory=list)  # the parent URNs aliases name
    # Per input property, the URNs of the resources whose outputs it was built from.
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    id: str = ""                    # what the mocks answered ("" in a preview: unknown)
    outputs: dict[str, Any] = field(default_factory=dict)
    import_id: str = ""             # the `import_` option: adopt this live resource
    # Whether the program set delete_before_replace at all: unset, the provider decides (the
    # bridge deletes first whenever the program names the resource itself).
    delete_before_replace_defined: bool = False

    @property
    def provider_name(self) -> str:
        """The logical name of the provider this registration names."""
        return provider_logical_name(self.provider)


@dataclass
class Recorder:
    registrations: list[Registration] = field(default_factory=list)
    stack_outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str) -> Registration:
        """The one registration of `type_`; fails when there are none or several."""
        (registration,) = self.of_type(type_)
        return registration

    def named(self, name: str) -> Registration:
        matches = [r for r in self.registrations if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} registrations named {name!r}")
        return matches[0]

    def children_of(self, urn: str) -> list[Registration]:
        return [r for r in self.registrations if r.parent == urn]

    def descends_from(self, reg: Registration, urn: str) -> bool:
        by_urn = {r.urn: r for r in self.registrations}
        parent = reg.parent
        while parent:
            if parent == urn:
                return True
            parent = by_urn[parent].parent if parent in by_urn else ""
        return False


MOCK_PROJECT_NUMBER = "123456789012"
MOCK_ACCOUNT_ID = "123456789012"       # the AWS account getCallerIdentity answers
# Fabricated credentials start with these, so tests can search any output for a leak.
MOCK_TOKEN = "MockToken-"
MOCK_AUTH = "MockAuth-"
# Service agent domains that do not follow gcp-sa-<api> (Memorystore for Redis's predates it).
_SERVICE_AGENTS = {"redis.googleapis.com": "cloud-redis",
                   "memorystore.googleapis.com": "gcp-sa-memorystore"}


def _fake_id(prefix: str, name: str) -> str:
    return f"{prefix}-{hashlib.sha1(name.encode()).hexdigest()[:17]}"


def provider_logical_name(provider: str) -> str:
    """A provider reference is "<provider urn>::<id>", the urn ending in "::<logical name>"."""
    urn = provider.rsplit("::", 1)[0] if provider else ""
    return urn.rsplit("::", 1)[-1]


def _provider_region(provider: str) -> str:
    # Providers are named "aws-<region>" by infra.providers.
    name = provider_logical_name(provider)
    return name[len("aws-"):] if name.startswith("aws-") else "us-east-1"


def _region_code(region: str) -> str:
    """AWS's short region codes in serverless endpoint names: us-east-1 -> use1."""
    area, direction, number = (region.split("-") + ["", "", ""])[:3]
    return f"{area}{direction[0] if direction else ''}{number}"


def _gcp_project_region(provider: str) -> tuple[str, str]:
    # Providers are named "gcp-<project>-<region>" by infra.providers; GCP regions are two
    # hyphenated words (us-central1, northamerica-northeast1).
    name = provider_logical_name(provider)
    if not name.startswith("gcp-"):
        return "mock-project", "us-central1"
    parts = name[len("gcp-"):].rsplit("-", 2)
    return (parts[0], "-".join(parts[1:])) if len(parts) == 3 else ("mock-project", name[4:])


def _mock_pem(name: str) -> str:
    body = hashlib.sha256(name.encode()).hexdigest()
    return f"-----BEGIN CERTIFICATE-----\nMOCK{body}\n-----END CERTIFICATE-----\n"


class CloudMocks(pulumi.runtime.Mocks):
    """Fabricates outputs per resource type; deterministic, so plans diff cleanly."""

    def __init__(self, preview: bool = False):
        self.preview = preview

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        inputs = dict(args.inputs)
        if self.preview:
            return None, inputs  # computed outputs and ids are unknown in a preview
        typ, name = args.typ, args.name
        state = dict(inputs)
        if typ.startswith("gcp:"):
            return self._gcp_state(typ, name, inputs, state, args.provider or ""), state
        region = _provider_region(args.provider or "")
        if typ == "aws:ec2/vpc:Vpc":
            rid = _fake_id("vpc", name)
        elif typ == "aws:ec2/subnet:Subnet":
            rid = _fake_id("subnet", name)
        elif typ == "aws:ec2/securityGroup:SecurityGroup":
            rid = _fake_id("sg", name)
        elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            rid = inputs.get("replicationGroupId", name)
            state["arn"] = f"arn:aws:elasticache:{region}:123456789012:replicationgroup:{rid}"
            host = f"{rid}.abc123.{region}.cache.amazonaws.com"
            if inputs.get("clusterMode") == "enabled":
                state["configurationEndpointAddress"] = f"clustercfg.{host}"
            else:
                state["primaryEndpointAddress"] = f"master.{host}"
                state["readerEndpointAddress"] = f"replica.{host}"
        elif typ == "aws:elasticache/cluster:Cluster":
            rid = inputs.get("clusterId", name)
            state["configurationEndpoint"] = f"{rid}.abc123.cfg.{region}.cache.amazonaws.com:11211"
            state["clusterAddress"] = f"{rid}.abc123.cfg.{region}.cache.amazonaws.com"
            state["cacheNodes"] = [
                {"id": f"{n:04d}", "address": f"{rid}.abc123.{n:04d}.{region}.cache.amazonaws.com",
                 "port": inputs.get("port", 11211)}
                for n in range(1, int(inputs.get("numCacheNodes", 1)) + 1)
            ]
        elif typ == "aws:elasticache/serverlessCache:ServerlessCache":
            rid = inputs.get("name", name)
            host = f"{rid}-abc123.serverless.{_region_code(region)}.cache.amazonaws.com"
            port = 11211 if inputs.get("engine") == "memcached" else 6379
            state["endpoints"] = [{"address": host, "port": port}]
            if inputs.get("engine") != "memcached":
                state["readerEndpoints"] = [{"address": host, "port": 6380}]
            state["fullEngineVersion"] = inputs.get("majorEngineVersion", "")
        elif typ == "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup":
            rid = f"ldgnf-{inputs.get('globalReplicationGroupIdSuffix', name)}"
            state["globalReplicationGroupId"] = rid
        elif typ == "aws:elasticache/user:User":
            rid = inputs.get("userId", name)
            state["arn"] = f"arn:aws:elasticache:{region}:123456789012:user:{rid}"
        elif typ == "aws:elasticache/userGroup:UserGroup":
            rid = inputs.get("userGroupId", name)
            state["arn"] = f"arn:aws:elasticache:{region}:123456789012:usergroup:{rid}"
        elif typ == "aws:secretsmanager/secret:Secret":
            rid = (f"arn:aws:secretsmanager:{region}:123456789012:secret:"
                   f"{inputs.get('name', name)}-AbCdEf")
            state["arn"] = rid
        elif typ == "aws:kms/key:Key":
            rid = _fake_id("key", name)[4:]
            state["keyId"] = rid
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            rid = inputs.get("name", name)
            state["arn"] = f"arn:aws:logs:{region}:123456789012:log-group:{rid}"
        elif typ == "aws:iam/role:Role":
            rid = inputs.get("name") or f"{inputs.get('namePrefix', name)}20250101000000"
            # A role's ARN carries its path: arn:aws:iam::<account>:role<path><name>.
            state["arn"] = f"arn:aws:iam::123456789012:role{inputs.get('path', '/')}{rid}"
        elif typ == "random:index/randomPassword:RandomPassword":
            rid = "none"
            # Looks like a token AWS accepts; tests search outputs for it to prove it stays secret.
            state["result"] = MOCK_TOKEN + hashlib.sha1(name.encode()).hexdigest()
        elif typ == "aws:sns/topic:Topic":
            rid = f"arn:aws:sns:{region}:123456789012:{inputs.get('name', name)}"
            state["arn"] = rid
        elif typ == "aws:route53/zone:Zone":
            rid = "Z" + hashlib.sha1(name.encode()).hexdigest()[:20].upper()
            state["zoneId"] = rid
            state["nameServers"] = [f"ns-{n}.awsdns-{n:02d}.com" for n in (1, 2)]
            state["arn"] = f"arn:aws:route53:::hostedzone/{rid}"
        elif typ == "aws:route53/zoneAssociation:ZoneAssociation":
            rid = f"{inputs.get('zoneId')}:{inputs.get('vpcId')}"
            state["owningAccount"] = "123456789012"
        elif typ == "aws:route53/record:Record":
            rid = f"{inputs.get('zoneId')}_{inputs.get('name')}_{inputs.get('type')}"
            state["fqdn"] = inputs.get("name")
        else:
            rid = f"{name}-id"
        state.setdefault("arn", f"arn:aws:mock:{region}:123456789012:{typ.split(':')[-1]}/{rid}")
        return rid, state

    def _gcp_state(self, typ: str, name: str, inputs: dict[str, Any], state: dict[str, Any],
                   provider: str = "") -> str:
        """Fabricates a GCP resource's computed outputs into `state`; returns its id."""
        project, provider_region = _gcp_project_region(provider)
        region = inputs.get("region") or inputs.get("location") or provider_region
        rname = inputs.get("name") or name
        digest = hashlib.sha1(name.encode()).digest()
        subnet = f"10.{100 + digest[0] % 50}.{digest[1]}"
        ip = f"{subnet}.{4 + digest[2] % 200}"
        if typ == "gcp:compute/network:Network":
            rid = f"projects/{project}/global/networks/{rname}"
        elif typ == "gcp:compute/subnetwork:Subnetwork":
            rid = f"projects/{project}/regions/{region}/subnetworks/{rname}"
            state["gatewayAddress"] = str(inputs.get("ipCidrRange", "10.0.0.0/20")).split("/")[0]
        elif typ == "gcp:compute/globalAddress:GlobalAddress":
            rid = f"projects/{project}/global/addresses/{rname}"
            state.setdefault("address", f"10.{200 + digest[0] % 50}.0.0")
        elif typ == "gcp:servicenetworking/connection:Connection":
            rid = f"{inputs.get('network')}:{inputs.get('service')}"
            state["peering"] = "servicenetworking-googleapis-com"
        elif typ == "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy":
            rid = f"projects/{project}/locations/{region}/serviceConnectionPolicies/{rname}"
        elif typ == "gcp:memorystore/instance:Instance":
            rid = f"projects/{project}/locations/{region}/instances/{inputs.get('instanceId')}"
            kinds = ["CONNECTION_TYPE_DISCOVERY"] if inputs.get("mode") == "CLUSTER" \
                else ["CONNECTION_TYPE_PRIMARY", "CONNECTION_TYPE_READER"]
            state["endpoints"] = [{"connections": [
                {"pscAutoConnection": {"connectionType": kind, "ipAddress": f"{subnet}.{210 + i}",
                                       "port": 6379, "projectId": project}}
                for i, kind in enumerate(kinds)]}]
            if inputs.get("transitEncryptionMode") == "SERVER_AUTHENTICATION":
                state["managedServerCas"] = [{"caCerts": [{"certificates": [_mock_pem(name)]}]}]
            state["uid"] = digest.hex()[:32]
        elif typ == "gcp:redis/instance:Instance":
            rid = f"projects/{project}/locations/{region}/instances/{rname}"
            tls = inputs.get("transitEncryptionMode") == "SERVER_AUTHENTICATION"
            state.update(host=ip, port=6378 if tls else 6379, currentLocationId=f"{region}-a")
            if inputs.get("readReplicasMode") == "READ_REPLICAS_ENABLED":
                state.update(readEndpoint=f"{subnet}.220", readEndpointPort=state["port"])
            if inputs.get("authEnabled"):
                # Looks like an AUTH string; tests search outputs for it to prove it stays secret.
                state["authString"] = MOCK_AUTH + digest.hex()
            if tls:
                state["serverCaCerts"] = [{"cert": _mock_pem(name), "serialNumber": "1"}]
        elif typ == "gcp:memcache/instance:Instance":
            rid = f"projects/{project}/locations/{region}/instances/{rname}"
            state["discoveryEndpoint"] = f"{ip}:11211"
            state["memcacheNodes"] = [
                {"nodeId": f"node-{i}", "host": f"{subnet}.{230 + i}", "port": 11211,
                 "zone": f"{region}-{'abc'[i % 3]}", "state": "READY"}
                for i in range(int(inputs.get("nodeCount", 1)))]
        elif typ == "gcp:dns/managedZone:ManagedZone":
            rid = f"projects/{project}/managedZones/{rname}"
            state["managedZoneId"] = str(int(digest.hex()[:12], 16))
            state["nameServers"] = ["ns-gcp-private.googledomains.com."]
        elif typ == "gcp:dns/recordSet:RecordSet":
            rid = (f"projects/{project}/managedZones/{inputs.get('managedZone')}/rrsets/"
                   f"{inputs.get('name')}/{inputs.get('type')}")
        elif typ == "gcp:projects/serviceIdentity:ServiceIdentity":
            # Service agents are named after the project number, not its id.
            service = str(inputs.get("service", ""))
            agent = _SERVICE_AGENTS.get(service, f"gcp-sa-{service.split('.')[0]}")
            state["email"] = f"service-{MOCK_PROJECT_NUMBER}@{agent}.iam.gserviceaccount.com"
            state["member"] = f"serviceAccount:{state['email']}"
            rid = f"projects/{project}/services/{service}"
        elif typ == "gcp:monitoring/notificationChannel:NotificationChannel":
            rid = f"projects/{project}/notificationChannels/{int(digest.hex()[:12], 16)}"
            state["name"] = rid
        elif typ == "gcp:secretmanager/secret:Secret":
            rid = f"projects/{project}/secrets/{inputs.get('secretId')}"
            state["name"] = f"projects/123456789012/secrets/{inputs.get('secretId')}"
        elif typ == "gcp:monitoring/alertPolicy:AlertPolicy":
            rid = f"projects/{project}/alertPolicies/{int(digest.hex()[:12], 16)}"
            state["name"] = rid
        else:
            rid = f"{name}-id"
        return rid

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:  # type: ignore[override]
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            region = _provider_region(args.provider)
            # us-west-1 as many accounts see it: two standard zones; elsewhere six.
            letters = _ZONE_LETTERS.get(region, "abcdef")
            names = [f"{region}{zone}" for zone in letters]
            return {"names": names, "zoneIds": [f"use1-az{i}" for i in range(1, len(names) + 1)],
                    "id": region}
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": MOCK_ACCOUNT_ID, "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:root",
                    "userId": "mock", "id": "123456789012"}
        if args.token == "aws:index/getRegion:getRegion":
            region = _provider_region(args.provider)
            return {"region": region, "name": region, "id": region,
                    "endpoint": f"ec2.{region}.amazonaws.com",
                    "description": f"mock region {region}"}
        return {}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that also records what RegisterResource carried: parent, options, inputs."""

    def __init__(self, mocks: pulumi.runtime.Mocks, recorder: Recorder):
        super().__init__(mocks)
        self.recorder = recorder

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.recorder.registrations.append(Registration(
                type=request.type,
                name=request.name,
                urn=response.urn,
                parent=request.parent,
                custom=request.custom,
                inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                provider=request.provider,
                protect=bool(request.protect),
                dependencies=list(request.dependencies),
                delete_before_replace=request.deleteBeforeReplace,
                ignore_changes=list(request.ignoreChanges),
                retain_on_delete=bool(request.retainOnDelete),
                additional_secret_outputs=list(request.additionalSecretOutputs),
                aliased=bool(len(request.aliases) or len(request.aliasURNs)),
                alias_parents=[alias.spec.parentUrn for alias in request.aliases
                               if alias.HasField("spec") and alias.spec.parentUrn],
                property_dependencies={key: list(deps.urns) for key, deps
                                       in request.propertyDependencies.items()},
                id=response.id,
                outputs=rpc.deserialize_properties(response.object, keep_unknowns=True),
                import_id=request.importId,
                delete_before_replace_defined=request.deleteBeforeReplaceDefined,
            ))
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802
        # The stack's outputs, as serialized: secrets keep their secret wrapper here.
        if request.urn.split("::")[-2] == "pulumi:pulumi:Stack":
            self.recorder.stack_outputs = rpc.deserialize_properties(
                request.outputs, keep_unknowns=True)
        return super().RegisterResourceOutputs(request)


def install(stack: str, project: str = "managed-cache", preview: bool = False) -> Recorder:
    """Point the Pulumi runtime at recording mocks; returns the recorder to read afterwards."""
    recorder = Recorder()
    mocks = CloudMocks(preview=preview)
    monitor = RecordingMonitor(mocks, recorder)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack,
                             preview=preview, monitor=monitor)
    # set_mocks registers a root stack for unit tests. Let its RPCs finish, then drop it, so the
    # program can run inside `run_in_stack` exactly as under the CLI (see run_program).
    from pulumi.runtime import settings
    from pulumi.runtime import stack as runtime_stack

    _event_loop().run_until_complete(runtime_stack.wait_for_rpcs())
    recorder.stack_outputs = {}
    settings.set_root_resource(None)  # type: ignore[arg-type]
    return recorder


def _cancel_leftovers() -> None:
    """A run that failed part-way (a RunError in an apply) leaves its other registrations
    pending on the event loop, as the language host would before exiting; in one process the
    next run's loop would resume them against the new mocks. Cancel them."""
    loop = _event_loop()
    leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in leftovers:
        task.cancel()
    if leftovers:
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        # What they leave behind, as pulumi.runtime.test clears it before each test.
        from pulumi.runtime.settings import SETTINGS

        SETTINGS.rpc_manager.clear()
        SETTINGS.outputs.clear()


def _event_loop() -> asyncio.AbstractEventLoop:
    from pulumi.runtime.sync_await import _ensure_event_loop

    return _ensure_event_loop()


def run_program(program: Callable[[], Any], in_process: bool = True) -> None:
    """Run `program` inside a root stack and wait for every RPC, as the language host does.

    A `pulumi.RunError` (such as a config error) propagates unchanged. In a process that runs
    again (`in_process`), a failed run's pending work is cancelled before it raises; the
    language-host harness exits instead, as the CLI's host does.
    """
    try:
        _event_loop().run_until_complete(pulumi.runtime.run_in_stack(program))
    except BaseException:
        if in_process:
            _cancel_leftovers()
        raise

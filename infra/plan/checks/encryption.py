"""Encryption rules: at rest, in transit (TLS), customer-managed keys, and the key of a
connection secret.

Standard library only, like infra/plan/rules.py, which the policy pack imports (see there).
"""

from __future__ import annotations

from components import resource_types as types
from infra.plan.checks import model as m
from infra.plan.checks.model import Context, Finding, Resource

# ---------------------------------------------------------------------------------------------
# Encryption at rest

def check_encryption_at_rest(res: Resource, ctx: Context) -> list[Finding]:
    name, inputs = res.name, res.inputs
    if res.type == types.AWS_REPLICATION_GROUP and not m.is_global_secondary(res):
        at_rest = inputs.get("atRestEncryptionEnabled")
        # Unset, a Valkey group is encrypted: "When `engine` is `valkey`, default is `true`"
        # (pulumi-aws ReplicationGroup; ElastiCache API ReplicationGroup
        # AtRestEncryptionEnabled: "Default: true when using Valkey").
        if at_rest is None and m.engine_name(res) == "valkey":
            at_rest = True
        elif at_rest is None and m.engine_name(res) is m.UNKNOWN:
            at_rest = m.UNKNOWN                 # Valkey's default or not: not known yet
        if m.is_off(at_rest):
            return m.flag("encryption-at-rest-off", "high", "encryption-at-rest",
                          f"{name}: encryption at rest is off; data and snapshots are stored "
                          "unencrypted (it can only be turned on by replacing the group).")
    elif res.type == types.AWS_CLUSTER and not m.is_group_member(res) and m.redis_like(res):
        return m.flag("encryption-at-rest-off", "high", "encryption-at-rest",
                      f"{name}: a single-node {m.engine_name(res)} cluster cannot be encrypted "
                      "at rest; use a replication group with at_rest_encryption_enabled.")
    return []


# ---------------------------------------------------------------------------------------------
# Encryption in transit

def check_encryption_in_transit(res: Resource, ctx: Context) -> list[Finding]:
    name, inputs = res.name, res.inputs
    off = "encryption-in-transit-off", "high", "encryption-in-transit"
    if res.type == types.AWS_REPLICATION_GROUP and not m.is_global_secondary(res):
        if m.is_off(inputs.get("transitEncryptionEnabled")):
            return m.flag(*off, f"{name}: TLS is off; clients and replicas talk in plaintext.")
        if inputs.get("transitEncryptionMode") == "preferred":
            return m.flag("encryption-in-transit-preferred", "medium",
                          "encryption-in-transit",
                          f"{name}: transit encryption mode is 'preferred', so plaintext "
                          "clients are still accepted; set it to 'required' once clients use "
                          "TLS.")
    elif res.type == types.AWS_CLUSTER and not m.is_group_member(res):
        if m.is_off(inputs.get("transitEncryptionEnabled")):
            engine = "Memcached" if m.engine_name(res) == "memcached" else m.engine_name(res)
            return m.flag(*off, f"{name}: TLS is off; {engine} clients talk in plaintext.")
    elif res.type == types.GCP_REDIS:
        if m.differs(inputs.get("transitEncryptionMode"), "SERVER_AUTHENTICATION", "DISABLED"):
            return m.flag(*off, f"{name}: TLS is off (transit_encryption_mode is not "
                          "SERVER_AUTHENTICATION); it can only be turned on by replacing the "
                          "instance.")
    elif res.type == types.GCP_VALKEY:
        if m.differs(inputs.get("transitEncryptionMode"), "SERVER_AUTHENTICATION",
                     "TRANSIT_ENCRYPTION_DISABLED"):
            return m.flag(*off, f"{name}: TLS is off; it can only be turned on by replacing "
                          "the instance.")
    elif res.type == types.GCP_REDIS_CLUSTER and m.differs(
            inputs.get("transitEncryptionMode"), "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
            "TRANSIT_ENCRYPTION_MODE_DISABLED"):
        return m.flag(*off, f"{name}: TLS is off; it can only be turned on by replacing the "
                      "cluster.")
    return []


def check_transit_encryption_mode_offered(res: Resource, ctx: Context) -> list[Finding]:
    """Plan only: a replication group with TLS on and no mode is Redis OSS 6 in this program
    (components/provider_facts.py: no mode below 7.0.5); the plan says what that means."""
    inputs = res.inputs
    if res.type == types.AWS_REPLICATION_GROUP and not m.is_global_secondary(res) \
            and inputs.get("transitEncryptionEnabled") is True \
            and not m.is_set(inputs.get("transitEncryptionMode")):
        return m.flag("transit-encryption-mode-not-offered", "info", "encryption-in-transit",
                      f"{res.name}: {inputs.get('engine')} {inputs.get('engineVersion')} "
                      "takes no transit encryption mode (ElastiCache offers one from Redis "
                      "OSS 7.0.5), so none is sent; with TLS on, the engine requires it of "
                      "every client.")
    return []


# ---------------------------------------------------------------------------------------------
# Customer-managed keys (advice)

# The input that names a Memorystore cache's customer-managed key (CMEK).
_GCP_KEY_INPUTS = {types.GCP_REDIS: "customerManagedKey", types.GCP_VALKEY: "kmsKey",
                   types.GCP_REDIS_CLUSTER: "kmsKey"}


def check_customer_managed_key(res: Resource, ctx: Context) -> list[Finding]:
    if not ctx.production:
        return []
    name, inputs = res.name, res.inputs
    # A replication group encrypted at rest (a serverless cache always is); a Global Datastore
    # secondary takes the primary's key.
    aws_encrypted = (res.type == types.AWS_REPLICATION_GROUP and not m.is_global_secondary(res)
                     and inputs.get("atRestEncryptionEnabled") is True) \
        or res.type == types.AWS_SERVERLESS_CACHE
    if aws_encrypted and not m.is_set(inputs.get("kmsKeyId")):
        return m.flag("encryption-at-rest-aws-owned-key", "low", "encryption-at-rest",
                      f"{name}: encrypted at rest with the AWS-owned key; a customer-managed "
                      "KMS key adds a key policy and CloudTrail records of its use.")
    key_input = _GCP_KEY_INPUTS.get(res.type)
    if key_input is not None and not m.is_set(inputs.get(key_input)):
        return m.flag("encryption-at-rest-google-key", "low", "encryption-at-rest",
                      f"{name}: encrypted at rest with a Google-managed key; CMEK adds key "
                      "control.")
    return []


def check_secret_key(res: Resource, ctx: Context) -> list[Finding]:
    """A production connection secret on the account's aws/secretsmanager key."""
    if res.type != types.AWS_SECRET or not ctx.production or m.is_set(res.inputs.get("kmsKeyId")):
        return []
    return m.flag("secret-aws-managed-key", "low", "encryption-at-rest",
                  f"{res.name}: the connection secret is encrypted with the account's "
                  "aws/secretsmanager key; the cache has no customer-managed key in this "
                  "region to use instead.")

"""Authentication rules: AUTH token, RBAC user group or IAM authorization, and RBAC users
that need no password.

Standard library only, like infra/plan/rules.py, which the policy pack imports (see there).
"""

from __future__ import annotations

from components import resource_types as types
from infra.plan.checks import model as m
from infra.plan.checks.model import Context, Finding, Resource

# ---------------------------------------------------------------------------------------------
# Authentication: AUTH token, RBAC user group or IAM

def check_authentication(res: Resource, ctx: Context) -> list[Finding]:
    name, inputs = res.name, res.inputs
    off = "auth-off", "high", "auth"
    if res.type == types.AWS_REPLICATION_GROUP and not m.is_global_secondary(res):
        if not m.is_set(inputs.get("authToken")) and not m.is_set(inputs.get("userGroupIds")):
            return m.flag(*off, f"{name}: no AUTH token or RBAC user group; anyone who "
                          "reaches the port can read and write.")
    elif res.type == types.AWS_SERVERLESS_CACHE and m.redis_like(res):
        if not m.is_set(inputs.get("userGroupId")):
            return m.flag(*off, f"{name}: no RBAC user group; anyone who reaches the "
                          "endpoint can read and write.")
    elif res.type == types.AWS_CLUSTER and not m.is_group_member(res) and m.redis_like(res):
        return m.flag(*off, f"{name}: a single-node {m.engine_name(res)} cluster takes no AUTH "
                      "token or user group; use a replication group.")
    elif res.type == types.AWS_USER:
        mode = m.nested(inputs, "authenticationMode", "type")
        no_password = inputs.get("noPasswordRequired") is True or mode == "no-password-required"
        access = inputs.get("accessString")
        # Unknown in a preview (computed from an output): never a violation by itself.
        disabled = access is m.UNKNOWN or (isinstance(access, str)
                                           and access.split()[:1] == ["off"])
        if no_password and not disabled:
            return m.flag("rbac-user-without-password", "high", "auth",
                          f"{name}: RBAC user needs no password and is enabled; anyone can "
                          "log in as it.")
    elif res.type == types.GCP_REDIS:
        if m.is_off(inputs.get("authEnabled")):
            return m.flag(*off, f"{name}: Redis AUTH is off; anyone on the authorized "
                          "network can read and write.")
    elif res.type == types.GCP_VALKEY:
        if m.differs(inputs.get("authorizationMode"), "IAM_AUTH", "AUTH_DISABLED"):
            return m.flag(*off, f"{name}: IAM authentication is off; anyone on the network "
                          "can read and write.")
    elif res.type == types.GCP_REDIS_CLUSTER and m.differs(
            inputs.get("authorizationMode"), "AUTH_MODE_IAM_AUTH", "AUTH_MODE_DISABLED"):
        return m.flag(*off, f"{name}: IAM authentication is off; anyone on the network can "
                      "read and write.")
    return []

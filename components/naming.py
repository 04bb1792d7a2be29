"""Physical names the components derive themselves: CloudWatch alarm names, ElastiCache user
groups and the GCP network's resources; and the logical-name parts the config must keep unique.

`python -m ops verify` lists alarms by the same prefix, and the config checks the GCP names'
length, so infra uses these too (components may not import infra; infra may import components).
"""

from __future__ import annotations

import re


def logical_part(text: str) -> str:
    """A value (an e-mail address, a CIDR, a security group id) as a logical-name part, so a
    resource keeps its name whatever its place in a config list: 10.40.0.0/16 -> 10-40-0-0-16."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def alarm_prefix(group_id: str, subject: str | None = None) -> str:
    """`managed-cache/<cache id>/` (or `.../<node>/`): `python -m ops verify` lists by it."""
    return f"managed-cache/{group_id}/" + (f"{subject}/" if subject is not None else "")


def alarm_name(group_id: str, subject: str, metric: str) -> str:
    """CloudWatch alarm names: `managed-cache/<cache id>/<node or group>/<metric>`."""
    return f"{alarm_prefix(group_id, subject)}{metric}"


def user_group_id(cache_id: str) -> str:
    """The RBAC user group of an ElastiCache cache (`aws.users`, serverless): `python -m ops
    verify` checks the live cache holds it."""
    return f"{cache_id}-users"


def default_user_id(cache_id: str) -> str:
    """The disabled `default` user every user group of ours holds."""
    return f"{cache_id}-default"


# A serverless cache without configured users gets one application user of this name.
APP_USER_NAME = "app"


def app_user_id(cache_id: str) -> str:
    return f"{cache_id}-{APP_USER_NAME}"


# --- the GCP network a stack creates (components/gcp/network.py) ------------------------------
# Compute Engine names and resource ids are 1-63 characters; the config checks these against it.
GCE_NAME_MAX = 63


def gcp_vpc_name(prefix: str) -> str:
    return f"{prefix}-cache"


def gcp_subnet_name(prefix: str, region: str) -> str:
    return f"{prefix}-cache-{region}"


def gcp_psa_range_name(prefix: str) -> str:
    return f"{prefix}-cache-psa"


def gcp_firewall_name(prefix: str, purpose: str) -> str:
    """`purpose`: deny-all-ingress or allow-egress."""
    return f"{prefix}-cache-{purpose}"


def gcp_connection_policy_name(prefix: str, region: str) -> str:
    return f"{prefix}-memorystore-{region}"


def gcp_key_grant_label(key: str) -> str:
    """projects/p/locations/l/keyRings/r/cryptoKeys/k -> 'l-r-k': the part of a key grant's
    logical name that names the key (without the project, so existing grants keep their URN)."""
    parts = key.split("/")
    return "-".join(parts[3::2]) if len(parts) == 8 else key.replace("/", "-")


def account_slug(email: str) -> str:
    """`app@proj.iam.gserviceaccount.com` -> `app-proj`: the part of a Valkey IAM client
    binding's logical name that names the service account (components/gcp/iam_clients.py).
    Not injective (`a-b@c` and `a@b-c` meet): infra/config/access.py refuses such pairs."""
    local, _, domain = email.partition("@")
    return re.sub(r"[^a-z0-9-]+", "-", f"{local}-{domain.split('.')[0]}".lower())

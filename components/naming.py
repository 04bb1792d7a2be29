"""Physical names the components derive themselves: CloudWatch alarm names and the GCP
network's resources.

`python -m ops verify` lists alarms by the same prefix, and the config checks the GCP names'
length, so infra uses these too (components may not import infra; infra may import components).
"""

from __future__ import annotations


def alarm_prefix(group_id: str, subject: str | None = None) -> str:
    """`managed-cache/<cache id>/` (or `.../<node>/`): `python -m ops verify` lists by it."""
    return f"managed-cache/{group_id}/" + (f"{subject}/" if subject is not None else "")


def alarm_name(group_id: str, subject: str, metric: str) -> str:
    """CloudWatch alarm names: `managed-cache/<cache id>/<node or group>/<metric>`."""
    return f"{alarm_prefix(group_id, subject)}{metric}"


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

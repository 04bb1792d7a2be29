"""Physical names the components derive themselves: CloudWatch alarm names.

`python -m ops verify` lists alarms by the same prefix, so infra/naming.py re-exports these
(components may not import infra; infra may import components).
"""

from __future__ import annotations


def alarm_prefix(group_id: str, subject: str | None = None) -> str:
    """`managed-cache/<cache id>/` (or `.../<node>/`): `python -m ops verify` lists by it."""
    return f"managed-cache/{group_id}/" + (f"{subject}/" if subject is not None else "")


def alarm_name(group_id: str, subject: str, metric: str) -> str:
    """CloudWatch alarm names: `managed-cache/<cache id>/<node or group>/<metric>`."""
    return f"{alarm_prefix(group_id, subject)}{metric}"

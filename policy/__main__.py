"""CrossGuard policy pack for ElastiCache and Memorystore (pulumi-policy).

    python3 -m venv policy/venv && policy/venv/bin/pip install -r policy/requirements.txt
    pulumi preview --policy-pack policy [--policy-pack-config policy/config/development.json]

The Pulumi CLI starts this file in the pack's own virtualenv (policy/venv, PulumiPolicy.yaml)
as `python -u -m pulumi.policy <engine> <pack dir>`, which puts only this folder on sys.path.
The rule definitions are shared with the offline plan and live in the project's tree
(infra/plan/rules.py, standard library only), so the project root is put on sys.path here,
explicitly. See docs/security.md, "CrossGuard policy pack".
"""

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from pulumi_policy import PolicyPack  # noqa: E402 (needs the path above)

from policy.pack import PACK_NAME, policies  # noqa: E402

PolicyPack(name=PACK_NAME, policies=policies())

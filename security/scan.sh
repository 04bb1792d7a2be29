#!/usr/bin/env bash
# Render each stack as a Terraform plan and scan it with Checkov, as a platform team's
# reviewer would; fail on any failure docs/security.md does not argue.
#
#   security/scan.sh                 # every Pulumi.<stack>.yaml
#   security/scan.sh prod gcp-prod   # some stacks
#
# PYTHON: the project's interpreter (default venv/bin/python); CHECKOV: the checkov command,
# installed in its own virtualenv, never in requirements (default: checkov on PATH);
# OUT: where plans and results go (default build/checkov). No cloud account is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-venv/bin/python}
CHECKOV=${CHECKOV:-checkov}
OUT=${OUT:-build/checkov}

if ! command -v "$CHECKOV" >/dev/null; then
  echo "checkov not found; install it in its own virtualenv, e.g.:" >&2
  echo "  python3 -m venv ../scanners-venv && ../scanners-venv/bin/pip install 'checkov>=3.3,<3.4'" >&2
  echo "  CHECKOV=../scanners-venv/bin/checkov security/scan.sh" >&2
  exit 2
fi

stacks=("$@")
if [ ${#stacks[@]} -eq 0 ]; then
  for file in Pulumi.*.yaml; do
    stack=${file#Pulumi.}
    stacks+=("${stack%.yaml}")
  done
fi

mkdir -p "$OUT"
results=()
for stack in "${stacks[@]}"; do
  "$PYTHON" -m infra.plan.tfplan "$stack" -o "$OUT/$stack.tfplan.json"
  # Checkov exits 1 when anything fails; the gate below decides.
  "$CHECKOV" -f "$OUT/$stack.tfplan.json" --framework terraform_plan --skip-download \
    -o json > "$OUT/$stack.checkov.json" || [ $? -eq 1 ]
  results+=("$OUT/$stack.checkov.json")
done

"$PYTHON" -m security.checkov_gate security/checkov-accepted.txt "${results[@]}"

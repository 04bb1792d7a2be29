"""`python -m infra.plan <stack>`: see infra/plan/report.py."""

from infra.gc_tuning import tune_for_synthesis
from infra.plan.report import _exit, main

if __name__ == "__main__":
    tune_for_synthesis()
    _exit(main())

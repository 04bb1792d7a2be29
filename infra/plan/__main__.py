"""`python -m infra.plan <stack>`: see infra/plan/report.py."""

from infra.plan.report import _exit, main

if __name__ == "__main__":
    _exit(main())

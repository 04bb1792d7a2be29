"""Fixtures for the components tests; the shared ones (run, run_stack, attempt) live in
tests/conftest.py and the config builders in tests/builders.py."""

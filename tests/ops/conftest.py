"""ops tests: every test runs under moto with fake credentials (see support.mocked_aws)."""

from tests.ops.support import mocked_aws  # noqa: F401 (autouse for this folder)

"""ops tests: every test runs under moto with fake credentials (support.mocked_aws), and
`project` is a project folder holding the `ops` stack with the prod sessions cache and the
Memcached fragments cluster (a test module may define its own `project`)."""

import pytest

from tests.ops.support import (
    FRAGMENTS,
    PROD_SESSIONS,
    mocked_aws,  # noqa: F401 (autouse for this folder)
    write_stack,
)


@pytest.fixture
def project(tmp_path):
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS, "fragments": FRAGMENTS})
    return tmp_path

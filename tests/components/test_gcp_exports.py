"""Exported endpoints (issue 11, defect 13): a client handed an empty endpoint fails far from the
cause, so an empty address is never exported: `pulumi up` fails naming the instance instead.
The Redis reader is exported with its own port (the instance's `read_endpoint_port`)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.plan import mocks
from tests.builders import gcp_config, memcached, redis, valkey


@pytest.fixture
def cloud_returns(monkeypatch, unmemoized):
    """cloud_returns(type, **outputs): the mocked cloud answers these outputs for that type."""

    def _override(resource_type: str, **outputs: Any) -> None:
        real = mocks.CloudMocks._gcp_state

        def fake(self, typ, name, inputs, state, provider=""):
            rid = real(self, typ, name, inputs, state, provider)
            if typ == resource_type:
                state.update(outputs)
            return rid

        monkeypatch.setattr(mocks.CloudMocks, "_gcp_state", fake)

    return _override


def test_redis_reader_is_exported_with_its_own_port(run_stack, cloud_returns):
    cloud_returns("gcp:redis/instance:Instance", readEndpointPort=6380)
    rec = run_stack(gcp_config(redis(replicas=2, memory_gb=5)))
    exported = rec.stack_outputs["caches"]["s"]
    assert exported["reader_endpoint"].startswith("10.")
    assert (exported["port"], exported["reader_port"]) == (6378, 6380)   # TLS: 6378


def test_redis_without_read_replicas_reads_from_the_primary_port(run_stack):
    exported = run_stack(gcp_config(redis())).stack_outputs["caches"]["s"]
    assert exported["reader_endpoint"] == exported["endpoint"]
    assert exported["reader_port"] == exported["port"] == 6378


def test_valkey_reader_port_is_exported(run_stack):
    exported = run_stack(gcp_config(valkey(replicas=1))).stack_outputs["caches"]["s"]
    assert exported["reader_port"] == 6379


@pytest.mark.parametrize("resource_type, outputs, caches, expected", [
    ("gcp:memorystore/instance:Instance", {"endpoints": []}, valkey(),
     "caches.s: Memorystore returned no CONNECTION_TYPE_PRIMARY endpoint for instance test-s"),
    ("gcp:memorystore/instance:Instance", {"endpoints": [{"connections": [
        {"pscAutoConnection": {"connectionType": "CONNECTION_TYPE_PRIMARY", "ipAddress": ""}}]}]},
     valkey(), "caches.s: Memorystore returned no CONNECTION_TYPE_PRIMARY endpoint"),
    ("gcp:redis/instance:Instance", {"host": ""}, redis(),
     "caches.s: Memorystore returned no host for instance test-s"),
    ("gcp:redis/instance:Instance", {"readEndpoint": ""}, redis(replicas=2, memory_gb=5),
     "caches.s: Memorystore returned no read endpoint for instance test-s"),
    ("gcp:memcache/instance:Instance", {"discoveryEndpoint": ""}, memcached(),
     "caches.s: Memorystore returned no discovery endpoint for instance test-s"),
])
def test_an_empty_endpoint_fails_the_update_instead_of_being_exported(
        run_stack, cloud_returns, resource_type, outputs, caches, expected):
    cloud_returns(resource_type, **outputs)
    with pytest.raises(Exception, match=expected) as caught:
        run_stack(gcp_config(caches))
    assert "check the instance" in str(caught.value).lower()      # says what to look at


def test_a_preview_with_unknown_endpoints_is_not_an_error(run_stack):
    rec = run_stack(gcp_config({"a": {"engine": "valkey"}, "b": {"engine": "redis"},
                                "c": {"engine": "memcached"}}), preview=True)
    assert set(rec.stack_outputs["caches"]) == {"a", "b", "c"}

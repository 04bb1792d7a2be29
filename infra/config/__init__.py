"""Stack config: `load_stack_config(flat, stack)` -> StackSpec, or one ConfigError.

schema.py holds what users write, spec.py what the program builds from, common.py the rules
both clouds share, limits.py the simple numeric limits of config keys, access.py who may
connect and where a cache's data comes from; aws.py (node-based caches), aws_global.py,
aws_serverless.py, aws_network.py, gcp.py (Memorystore caches), gcp_network.py, dns.py and
alarms.py the rules of each concern; errors.py the error and pydantic-error sentences,
loader.py the order they run in.
"""

from infra.config.errors import ConfigError
from infra.config.loader import load_stack_config

__all__ = ["ConfigError", "load_stack_config"]

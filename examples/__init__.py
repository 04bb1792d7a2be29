"""Applications that consume a managed-cache stack: a session store and a cache-aside catalog,
the connection contract they share (connect.py) and a benchmark on real servers (bench/).

See examples/README.md. Nothing here is imported by the Pulumi program.
"""

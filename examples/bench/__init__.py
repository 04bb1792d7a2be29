"""python -m examples.bench: the example workloads measured on real servers. See README.md."""

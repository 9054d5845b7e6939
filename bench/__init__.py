"""Benchmarks for brevgen: `make bench` (or `.venv/bin/python -m bench`). See bench/README.md."""

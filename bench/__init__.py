"""Benchmarks: scripts that print tables (see bench/README.md); not part of the test suite."""

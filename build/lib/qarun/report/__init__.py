"""Reporting: pure renderers (JSON report, job summary, JUnit XML) and the one writer.

Every renderer takes a `model.Outcome` and returns a string or a dict without
side effects; only `outputs.ActionWriter` touches the runner's files.
"""

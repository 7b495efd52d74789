"""qarun: run a hosted QA test suite as a GitHub Actions step."""

__version__ = "0.1.0"

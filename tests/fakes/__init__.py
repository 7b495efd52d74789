"""Fake platform servers on loopback, one per platform."""

"""The platforms qarun runs, registered by their `provider` input name.

A platform's module is imported the first time it is looked up: a run uses one
platform, and importing the others would only delay its first request
(bench/coldstart.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from qarun.providers.base import Provider

# name → (module, class), listed here rather than discovered by scanning folders.
_REGISTERED: dict[str, tuple[str, str]] = {
    "panto": ("qarun.providers.panto", "PantoProvider"),
    "qatech": ("qarun.providers.qatech", "QatechProvider"),
    "qualigate": ("qarun.providers.qualigate", "QualigateProvider"),
}

# The inputs each platform takes, beyond the common ones: stated here once, so that settings
# can reject another platform's input without importing every platform, and each
# provider class takes its `inputs` from here.
PLATFORM_INPUTS: dict[str, frozenset[str]] = {
    "panto": frozenset({"app", "tags", "exclude-tags", "devices", "environment", "context"}),
    "qatech": frozenset(
        {"suite", "app", "devices", "environment", "environment-name", "rerun-failed", "project"}
    ),
    "qualigate": frozenset({"suite", "test-case", "project", "devices", "browser"}),
}


def provider_inputs() -> frozenset[str]:
    """Every input some platform takes (the others are common to all)."""
    return frozenset().union(*PLATFORM_INPUTS.values())


class Registry(Mapping[str, type[Provider]]):
    """Provider classes by name; each module is imported on first lookup."""

    def __init__(self, registered: Mapping[str, tuple[str, str]]) -> None:
        self._registered = registered  # the same dict: `register` adds to it

    def __getitem__(self, name: str) -> type[Provider]:
        module, attribute = self._registered[name]
        provider: type[Provider] = getattr(importlib.import_module(module), attribute)
        return provider

    def __contains__(self, name: object) -> bool:
        return name in self._registered

    def __iter__(self) -> Iterator[str]:
        return iter(self._registered)

    def __len__(self) -> int:
        return len(self._registered)


PROVIDERS: Mapping[str, type[Provider]] = Registry(_REGISTERED)


def register(name: str, module: str, attribute: str, inputs: frozenset[str]) -> None:
    """Adds a platform: its `provider` name, where its class is, and the inputs it takes.
    qarun's own three are listed above; a platform written for the tests joins here."""
    _REGISTERED[name] = (module, attribute)
    PLATFORM_INPUTS[name] = inputs


def takers(name: str) -> tuple[str, ...]:
    """The platforms that take input `name` (imports every platform: for error messages)."""
    return tuple(provider for provider, cls in PROVIDERS.items() if name in cls.inputs)

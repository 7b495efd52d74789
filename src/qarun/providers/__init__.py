"""The platforms qarun runs, registered by their `provider` input name."""

from __future__ import annotations

from qarun.providers.base import Provider
from qarun.providers.panto import PantoProvider
from qarun.providers.qatech import QatechProvider
from qarun.providers.qualigate import QualigateProvider

PROVIDERS: dict[str, type[Provider]] = {
    PantoProvider.name: PantoProvider,
    QatechProvider.name: QatechProvider,
    QualigateProvider.name: QualigateProvider,
}

# Inputs that only some platforms take, and which ones take each.
PROVIDER_ONLY_INPUTS: dict[str, tuple[str, ...]] = {
    name: tuple(p for p, cls in PROVIDERS.items() if name in cls.inputs)
    for name in sorted({name for cls in PROVIDERS.values() for name in cls.inputs})
}

"""Which installed package(s) turn one language into another.

A direct package wins; otherwise two hops through a pivot language (English: nearly
every Argos package has English on one side). This mirrors what argostranslate does
with its ``CompositeTranslation``, restricted to one pivot so a route is predictable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from corpus.stages.translate.models import InstalledModel

# Codes our language detector emits that Argos spells differently.
ARGOS_CODES = {"zh-cn": "zh", "zh-tw": "zt"}


def argos_code(lang: str) -> str:
    return ARGOS_CODES.get(lang.lower(), lang.lower())


@dataclass(frozen=True)
class Route:
    """One or two packages applied in order."""

    hops: tuple[InstalledModel, ...]

    @property
    def model(self) -> str:
        """The value recorded in ``Translation.model``: package ids joined by ``>``."""
        return ">".join(m.id for m in self.hops)

    @property
    def pair(self) -> str:
        return f"{self.hops[0].from_code}-{self.hops[-1].to_code}"


def find_route(
    installed: Mapping[tuple[str, str], InstalledModel],
    src: str,
    tgt: str,
    *,
    pivot: str = "en",
) -> Route | None:
    """The route from *src* to *tgt*, or ``None`` when no package path exists."""
    src, tgt = argos_code(src), argos_code(tgt)
    if src == tgt:
        return None
    direct = installed.get((src, tgt))
    if direct is not None:
        return Route((direct,))
    if pivot and pivot not in (src, tgt):
        first, second = installed.get((src, pivot)), installed.get((pivot, tgt))
        if first is not None and second is not None:
            return Route((first, second))
    return None

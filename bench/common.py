"""Shared shape of a benchmark figure, so every benchmark prints into one table."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure: what, how much, in what unit, against which target."""

    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None  # None: no target to compare with
    note: str = ""


def percentile(samples: Sequence[float], pct: float) -> float:
    """The pct-th percentile (0-100) by nearest rank; samples need not be sorted."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


BenchFn = Callable[[], list[Figure]]

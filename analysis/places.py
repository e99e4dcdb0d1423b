"""Display names of townships, villages and banks.

The synthetic county has numbered places ("乡镇3", "Township 3"). A run on a county read
from its own files carries ``places.parquet`` (kind, index, name: the names as written in
the county's files); while a pack of such a run is built (:func:`using`), every chart,
table and sentence names its places as in the data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import pandas as pd

from analysis.labels import Lang, label

_NAMES: ContextVar[dict[str, list[str]] | None] = ContextVar("place_names", default=None)


def name(kind: str, index: int, lang: Lang) -> str:
    """Name of township/village/bank ``index`` (0-based) in the pack being built."""
    names = (_NAMES.get() or {}).get(kind)
    if names is not None and 0 <= int(index) < len(names):
        return names[int(index)]
    numbered = {
        "township": label("township_n", lang),
        "village": label("village_n", lang),
        "bank": label("bank_n", lang),
    }
    return numbered[kind].format(n=int(index) + 1)


def named() -> bool:
    """Whether the pack being built has the place names of real data."""
    return bool(_NAMES.get())


@contextlib.contextmanager
def using(places: pd.DataFrame | None) -> Iterator[None]:
    """Use the names of a ``places`` table (kind, index, name) inside the block."""
    names: dict[str, list[str]] | None = None
    if places is not None and not places.empty:
        names = {
            kind: group.sort_values("index")["name"].astype(str).tolist()
            for kind, group in places.groupby("kind")
        }
    token = _NAMES.set(names)
    try:
        yield
    finally:
        _NAMES.reset(token)

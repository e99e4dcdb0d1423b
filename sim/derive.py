"""Counts and capital that follow the county's size unless set explicitly.

The county files in ``configs/county/`` describe a county by its size (households,
villages, townships, banks) and shares. What depends on the size is written there as an
OmegaConf interpolation, so overriding ``county.n_households`` or ``county.n_villages``
alone still gives a consistent county, and a value set explicitly (on the command line or
in a scenario) replaces the rule:

* ``${per_household:V,REF}``: V for REF households, in proportion to ``county.n_households``
  (fund, guarantors' capital, number of enterprises). A count stays at least 1 when V is.
* ``${per_village:V,REF}``: V for REF villages, in proportion to ``county.n_villages``, at
  most every village (villages hit by the 1990s epidemic).
* ``${at_most:V,KEY}``: V, but no more than the value at KEY (at most one bank per township,
  one township per village).

Rounding is to the nearest whole yuan or unit. ``docs/ODD.md`` (initialisation) states the
rules.
"""

from __future__ import annotations

from omegaconf import OmegaConf


def _scale(value, ref, basis):
    scaled = value * basis / ref
    if isinstance(value, int) and not isinstance(value, bool):
        n = int(round(scaled))
        return max(n, 1) if value >= 1 else n
    return float(round(scaled))


def per_household(value, ref, *, _root_):
    """``value`` for ``ref`` households, scaled to ``county.n_households``."""
    return _scale(value, ref, _root_.county.n_households)


def per_village(value, ref, *, _root_):
    """``value`` for ``ref`` villages, scaled to ``county.n_villages`` (at most all of them)."""
    n_villages = _root_.county.n_villages
    return min(_scale(value, ref, n_villages), n_villages)


def at_most(value, key, *, _root_):
    """``value``, capped at the value of config key ``key``."""
    return min(value, OmegaConf.select(_root_, key, throw_on_missing=True))


RESOLVERS = {"per_household": per_household, "per_village": per_village, "at_most": at_most}


def register_resolvers() -> None:
    """Make the rules above available to OmegaConf interpolations (idempotent)."""
    for name, func in RESOLVERS.items():
        if not OmegaConf.has_resolver(name):
            OmegaConf.register_new_resolver(name, func)

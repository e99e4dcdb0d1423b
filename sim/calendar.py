"""Month arithmetic: model steps are months counted from ``horizon.start``."""

from __future__ import annotations

from dataclasses import dataclass

from sim.validate import parse_month


@dataclass(frozen=True)
class Calendar:
    """Maps the step index ``t`` (0 = ``horizon.start``) to calendar months."""

    start_year: int
    start_month: int
    months: int
    campaign_end_t: int  # last step inside the campaign period (may be negative)

    @classmethod
    def from_config(cls, horizon) -> Calendar:
        """Build from the ``horizon`` config group."""
        y, m = parse_month("horizon.start", horizon.start)
        ey, em = parse_month("horizon.campaign_end", horizon.campaign_end)
        return cls(y, m, int(horizon.months), (ey - y) * 12 + (em - m))

    def year(self, t: int) -> int:
        """Calendar year of step ``t``."""
        return self.start_year + (self.start_month - 1 + t) // 12

    def month(self, t: int) -> int:
        """Calendar month (1-12) of step ``t``."""
        return (self.start_month - 1 + t) % 12 + 1

    def label(self, t: int) -> str:
        """``"YYYY-MM"`` of step ``t``."""
        return f"{self.year(t):04d}-{self.month(t):02d}"

    def in_campaign(self, t: int) -> bool:
        """Whether step ``t`` lies in the campaign period."""
        return t <= self.campaign_end_t

    def quarter_end(self, t: int) -> bool:
        """Whether step ``t`` closes a calendar quarter."""
        return self.month(t) % 3 == 0

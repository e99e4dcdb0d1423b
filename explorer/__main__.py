"""``python -m explorer --check``: refuse a bad ``EXPLORER_COUNTY`` in one line before the page starts.

``make explore`` runs it first, so a typo stops there (exit status 2) instead of on the first
page load. The page itself is served by ``solara run explorer.app``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    """Check the explorer's environment; returns the exit status."""
    if argv != ["--check"]:
        print("usage: python -m explorer --check   (the page: make explore)", file=sys.stderr)
        return 2
    from explorer.panels import explorer_county
    from sim.config import ConfigError

    try:
        explorer_county(os.environ.get("EXPLORER_COUNTY"))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

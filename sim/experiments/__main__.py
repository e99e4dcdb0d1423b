"""``python -m sim.experiments``: see :mod:`sim.experiments.cli`."""

import sys

from sim.experiments.cli import main

if __name__ == "__main__":
    sys.exit(main())

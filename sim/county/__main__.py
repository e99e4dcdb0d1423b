"""Command line: ``python -m sim.county export DIR [KEY=VALUE ...]`` (see sim.data.export)."""

import sys

from sim.data.export import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

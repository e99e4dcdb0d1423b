"""The argument parser of every command line: argparse with one-line errors.

A mistake in the options (an unknown option, a missing value, ``--n x``) prints one line,
``error: <what argparse found> (see <command> --help)``, and exits with status 2, instead of
argparse's usage block followed by the error. ``--help`` still prints the full help.
"""

from __future__ import annotations

import argparse


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (status 2)."""

    def error(self, message: str):
        """Print one line and exit 2."""
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")

"""The ``dudao-sim`` command line."""

from dudao_sim.cli.main import main

__all__ = ["main"]

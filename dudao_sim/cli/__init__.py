"""The ``dudao-sim`` command line (entry point :func:`main`; one module per subcommand)."""

from dudao_sim.cli.main import main

__all__ = ["main"]

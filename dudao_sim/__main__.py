"""Run the ``dudao-sim`` command line as ``python -m dudao_sim``."""

from dudao_sim.cli import main

raise SystemExit(main())

"""Re-execute the notebooks in quick mode and store their outputs (``make notebooks``).

Each notebook under ``notebooks/`` is run top to bottom in a fresh kernel of this environment
with ``DUDAO_SIM_QUICK=1`` (the mode CI validates with nbval), saved with its outputs, and
stamped with the hash of its code cells (``metadata.dudao_sim.code_sha256``) so that a test
can tell when stored outputs are stale.

Usage::

    python tools/run_notebooks.py                 # every notebook
    python tools/run_notebooks.py notebooks/00_quickstart.ipynb
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from dudao_sim.report.notebook import QUICK_ENV, notebook_code_hash

ROOT = Path(__file__).resolve().parents[1]


def run(path: Path) -> float:
    """Execute one notebook in quick mode, store outputs and the code hash; return seconds."""
    os.environ[QUICK_ENV] = "1"
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    nb.metadata["dudao_sim"] = {"code_sha256": notebook_code_hash(nb.cells), "quick": True}
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    """Run the notebooks named in ``argv`` (default: all under ``notebooks/``)."""
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.name}: {run(path):.1f} s (quick mode)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

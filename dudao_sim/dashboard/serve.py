"""Serve the dashboard notebook with Voilà on localhost, offline (``make dashboard``).

:func:`voila_command` builds the command line and :func:`voila_env` the environment: the
``dudao`` template (``share/voila/templates/dudao`` beside this module: Voilà's lab template
without its CDN links) is found through ``JUPYTER_PATH``. Code cells are hidden (Voilà's
default ``strip_sources``), tracebacks are not shown.

Usage::

    python -m dudao_sim.dashboard.serve [NOTEBOOK] [--port 8866] [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from dudao_sim.report.notebook import QUICK_ENV

#: Folder added to ``JUPYTER_PATH`` so Voilà finds the ``dudao`` template.
SHARE_DIR = Path(__file__).resolve().with_name("share")
#: The template's name.
TEMPLATE = "dudao"
#: The dashboard notebook of a source checkout.
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "05_policy_dashboard.ipynb"


def voila_command(
    notebook: str | Path = NOTEBOOK,
    port: int = 8866,
    ip: str = "127.0.0.1",
    timeout: int = 600,
    open_browser: bool = False,
) -> list[str]:
    """The Voilà command line serving ``notebook`` on ``ip:port`` with the dudao template.

    Args:
        notebook: The dashboard notebook.
        port: Port to listen on.
        ip: Address to listen on (localhost by default).
        timeout: Seconds a cell may run while the page is built.
        open_browser: Open a browser tab.

    Returns:
        The argument list (run it with :func:`voila_env`).
    """
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--template={TEMPLATE}",
        f"--port={int(port)}",
        f"--Voila.ip={ip}",
        "--Voila.port_retries=0",
        f"--VoilaExecutor.timeout={int(timeout)}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
        *([] if open_browser else ["--no-browser"]),
    ]


def voila_env(base: Mapping[str, str] | None = None, quick: bool | None = None) -> dict[str, str]:
    """The environment for :func:`voila_command`: ``JUPYTER_PATH`` holds the template.

    Args:
        base: Environment to extend (default: this process's).
        quick: Set (``True``) or unset (``False``) ``DUDAO_SIM_QUICK``; ``None`` keeps it.
    """
    env = dict(os.environ if base is None else base)
    paths = [str(SHARE_DIR), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    if quick is True:
        env[QUICK_ENV] = "1"
    elif quick is False:
        env.pop(QUICK_ENV, None)
    return env


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the dashboard until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m dudao_sim.dashboard.serve")
    parser.add_argument("notebook", nargs="?", default=str(NOTEBOOK))
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--quick", action="store_true", help="quick mode (DUDAO_SIM_QUICK=1)")
    parser.add_argument("--open", action="store_true", help="open a browser tab")
    args = parser.parse_args(argv)
    command = voila_command(args.notebook, port=args.port, open_browser=args.open)
    print(f"Serving the dashboard on http://127.0.0.1:{args.port}/ (Ctrl-C stops it)", flush=True)
    try:
        return subprocess.call(command, env=voila_env(quick=True if args.quick else None))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""Progress on stderr for the steps of a command that take more than a few seconds.

Three modes (:func:`progress_mode`):

- ``bar``: stderr is a terminal and no CI is detected: the ensembles' own progress bar
  (``run_ensemble(progress=True)``, a tqdm bar redrawn in place) and bars for a run's months;
- ``lines``: stderr is a file or pipe, or the environment variable ``CI`` is set (as CI
  services do): the same bars, passed through :class:`LineStream`, which turns their
  carriage-return redraws into an occasional whole line (every :data:`LINE_INTERVAL`
  seconds and at the end; nothing for a step shorter than that), so logs get no
  carriage-return spam;
- ``off``: ``--quiet``.

:class:`Progress` is what a command uses: :meth:`~Progress.note` for a step of unknown
length (writing the report, the GraphML file), :meth:`~Progress.bar` for counted work (the
months of a run) and :meth:`~Progress.ensemble` around ``run_ensemble`` / ``run_sweep``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

from tqdm import tqdm

#: Seconds between progress lines when stderr is not a terminal.
LINE_INTERVAL = 15.0
MODES = ("bar", "lines", "off")


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the environment variable ``CI`` is set to something other than false/0/no."""
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() not in ("", "0", "false", "no")


def progress_mode(
    quiet: bool = False, stream: TextIO | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """``"off"`` when quiet, ``"bar"`` on an interactive terminal outside CI, else ``"lines"``.

    Args:
        quiet: ``--quiet`` was given.
        stream: Where progress goes (default ``sys.stderr``).
        environ: Environment (default ``os.environ``).
    """
    if quiet:
        return "off"
    stream = sys.stderr if stream is None else stream
    tty = bool(getattr(stream, "isatty", lambda: False)())
    return "bar" if tty and not in_ci(environ) else "lines"


class LineStream:
    r"""A text stream that turns a progress bar's redraws into occasional whole lines.

    A bar redraws itself by writing ``"\r" + status`` and flushing. This stream keeps the
    latest status and writes it to ``target`` as one line when :data:`LINE_INTERVAL` seconds
    have passed since the start or the last line, and the final status when the bar ends
    (a newline) — if any line was written before. Other text passes through line by line.

    Args:
        target: Where the lines go.
        interval: Seconds between lines.
        clock: Monotonic clock (tests pass a fake one).
    """

    def __init__(
        self,
        target: TextIO,
        interval: float = LINE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = target
        self.interval = interval
        self.clock = clock
        self._last = clock()
        self._line = ""
        self._status = False  # the current line is a bar's status (it began with \r)
        self._shown = ""  # the last status written, without its timing
        self._wrote_status = False

    @property
    def encoding(self) -> str:
        """The target's encoding (tqdm asks, to choose its bar characters)."""
        return getattr(self.target, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        """False: what reaches the target is whole lines."""
        return False

    def write(self, text: str) -> int:
        """Take text from a bar or anything else; see the class docstring."""
        for char in text:
            if char == "\r":
                self._line, self._status = "", True
            elif char == "\n":
                self._end_line()
            else:
                self._line += char
        return len(text)

    def flush(self) -> None:
        """A bar finished a redraw: write its status if a line is due."""
        status = self._line.strip()
        if self._status and status and self.clock() - self._last >= self.interval:
            self._emit(status)

    def _emit(self, status: str) -> None:
        count = status.split("[")[0]  # a bar's status without its timing: what has changed
        if count != self._shown:
            self.target.write(status + "\n")
            self.target.flush()
            self._shown, self._wrote_status = count, True
        self._last = self.clock()

    def _end_line(self) -> None:
        line = self._line.strip()
        if self._status:
            if line and self._wrote_status:  # the bar's last state, after earlier lines
                self._emit(line)
        else:
            self.target.write(self._line + "\n")
            self.target.flush()
        self._line, self._status = "", False

    def close(self) -> None:
        """End a status left open (a bar that cleared itself writes no newline)."""
        if self._status:
            self._line = ""
        self._status = False


class Progress:
    """Progress of one command on stderr, in one of :data:`MODES`.

    Args:
        mode: ``bar``, ``lines`` or ``off`` (see :func:`progress_mode`).
        stream: Where it goes (default: ``sys.stderr`` at the time of each call).
        prefix: Start of each note line.
    """

    def __init__(self, mode: str, stream: TextIO | None = None, prefix: str = "dudao-sim") -> None:
        if mode not in MODES:
            raise ValueError(f"mode: {mode!r} is not allowed; use one of {list(MODES)}")
        self.mode = mode
        self._stream = stream
        self.prefix = prefix

    @property
    def stream(self) -> TextIO:
        """Where progress goes."""
        return sys.stderr if self._stream is None else self._stream

    @property
    def on(self) -> bool:
        """Whether anything is shown."""
        return self.mode != "off"

    def note(self, message: str) -> None:
        """One line ``dudao-sim: <message>`` for a step about to start (none when off)."""
        if self.on:
            print(f"{self.prefix}: {message}", file=self.stream, flush=True)

    def bar(self, total: int, desc: str, unit: str) -> tqdm:
        """A progress bar over ``total`` units: in place (bar), occasional lines or none.

        Args:
            total: Units of work.
            desc: What is counted, e.g. ``"months"``.
            unit: Unit name.

        Returns:
            A tqdm bar (disabled when off); close it (or use it as a context manager).
        """
        if self.mode == "lines":
            lines = LineStream(self.stream)
            return tqdm(total=total, desc=desc, unit=unit, file=lines, ascii=True, ncols=80)
        return tqdm(
            total=total, desc=desc, unit=unit, file=self.stream, disable=not self.on, leave=False
        )

    @contextmanager
    def ensemble(self) -> Iterator[bool]:
        """Around ``run_ensemble`` / ``run_sweep``: yields their ``progress`` argument.

        In ``lines`` mode their bar (which writes to ``sys.stderr``) goes through a
        :class:`LineStream` for the duration; ``sys.stderr`` is restored afterwards, also
        on an error or interrupt.
        """
        if self.mode != "lines":
            yield self.on
            return
        saved = sys.stderr
        lines = LineStream(saved)
        sys.stderr = lines  # type: ignore[assignment]
        try:
            yield True
        finally:
            lines.close()
            sys.stderr = saved


def progress_from(args: Any) -> Progress:
    """The :class:`Progress` of a command's parsed arguments (``--quiet`` if it has one)."""
    return Progress(progress_mode(bool(getattr(args, "quiet", False))))

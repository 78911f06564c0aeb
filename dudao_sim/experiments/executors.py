"""Where runs execute: this process, local worker processes, or a Dask cluster.

One call, :func:`execute`, serves all three. Local processes use the standard library's
``ProcessPoolExecutor`` (the province is sent once per worker, not once per run); a Dask
``distributed.Client`` — or a scheduler address such as ``tcp://host:8786``, or the
``DASK_SCHEDULER_ADDRESS`` environment variable — sends the same tasks to a cluster
(dask-jobqueue, Kubernetes: bring your own). Each finished run is handed to ``on_result`` as
soon as it completes, in whatever order, so results can stream to disk. Results do not depend
on where or in which order runs execute: every run is fully determined by its spec.

Interrupts: worker processes ignore SIGINT (a Ctrl-C reaches the whole process group; only
this process handles it), so they print nothing. When this process is interrupted —
``KeyboardInterrupt``, or :class:`Interrupted` raised by a signal handler such as the command
line's for SIGTERM — queued runs are cancelled, local workers are stopped at once (SIGTERM)
and Dask tasks are cancelled, and the interrupt propagates; finished runs were already handed
to ``on_result``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from dudao_sim.data.province import Province
from dudao_sim.experiments.runner import ProvinceRef, RunSpec, resolve_province, run_one

OnResult = Callable[[RunSpec, dict[str, pd.DataFrame]], None]

_WORKER_PROVINCE: Province | None = None


class Interrupted(KeyboardInterrupt):
    """Runs stopped by SIGINT or SIGTERM; every finished run is kept.

    A ``KeyboardInterrupt``, so code that handles Ctrl-C handles it too.

    Attributes:
        signum: The signal (``signal.SIGINT`` or ``signal.SIGTERM``).
        kept: Finished runs in the output folder (``None`` if unknown).
        total: Runs of the experiment (``None`` if unknown).
        folder: The output folder (``None`` if results were kept in memory only).
    """

    def __init__(
        self,
        signum: int = signal.SIGINT,
        kept: int | None = None,
        total: int | None = None,
        folder: str | Path | None = None,
    ) -> None:
        super().__init__(signum, kept, total, folder)
        self.signum = int(signum)
        self.kept = kept
        self.total = total
        self.folder = folder

    def counted_in(self, folder: str | Path) -> Interrupted:
        """This interrupt with the runs kept in ``folder`` counted (if it holds results).

        For an interrupt that came outside the runs (e.g. while the report is written).
        """
        from dudao_sim.experiments.store import ResultStore, StoreError

        store = ResultStore(folder)
        if self.folder is not None or not store.manifest_path.is_file():
            return self
        try:
            status = store.status()
        except StoreError:
            return Interrupted(self.signum, folder=folder)
        kept = sum(s == "done" for s in status.values())
        return Interrupted(self.signum, kept, len(status), folder)

    @property
    def exit_code(self) -> int:
        """The shell's exit code for death by this signal: 130 (SIGINT), 143 (SIGTERM)."""
        return 128 + self.signum

    def __str__(self) -> str:
        name = signal.Signals(self.signum).name
        if self.folder is None:
            return f"interrupted by {name}"
        if self.kept is None:
            return f"interrupted by {name}; results so far are in {self.folder}"
        return f"interrupted by {name}: {self.kept} of {self.total} runs kept in {self.folder}"


@contextmanager
def _workers_ignore_sigint() -> Iterator[None]:
    """Ignore SIGINT while worker processes start, so they inherit the ignoring from birth."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _init_worker(province: Province) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    global _WORKER_PROVINCE
    _WORKER_PROVINCE = province


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel queued runs and end the workers now (not after their current run)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: default action in workers, ends them silently
    for process in processes:
        process.join(timeout=5)


def _run_in_worker(spec: RunSpec) -> tuple[RunSpec, dict[str, pd.DataFrame]]:
    assert _WORKER_PROVINCE is not None, "worker was not initialised with a province"
    return spec, run_one(spec, _WORKER_PROVINCE)


def _run_task(spec: RunSpec, province: Province) -> tuple[RunSpec, dict[str, pd.DataFrame]]:
    return spec, run_one(spec, province)


def default_workers() -> int:
    """All cores of this machine."""
    return max(1, os.cpu_count() or 1)


def dask_client(scheduler: str | None = None) -> Any:
    """A Dask client for a scheduler address (or ``DASK_SCHEDULER_ADDRESS``).

    Raises:
        ValueError: If no address is given or set, or the scheduler cannot be reached.
    """
    from distributed import Client

    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if not address:
        raise ValueError(
            "scheduler: give an address like tcp://host:8786 or set DASK_SCHEDULER_ADDRESS"
        )
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise ValueError(f"scheduler: cannot reach {address} ({error})") from None


def execute(
    specs: Sequence[RunSpec],
    province: ProvinceRef,
    on_result: OnResult,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> None:
    """Run every spec and hand each result to ``on_result`` as it finishes.

    Args:
        specs: Runs to execute.
        province: The province (object, bundled name or folder).
        on_result: Called with ``(spec, frames)`` for each finished run.
        workers: Local processes (default: all cores; ``1`` runs in this process).
        client: A ``distributed.Client`` to run on instead of local processes.
        scheduler: A Dask scheduler address to connect to instead.
        progress: Show a progress bar.

    Raises:
        ValueError: If ``workers`` is not a positive whole number.
    """
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ValueError(f"workers: {workers!r} is not allowed; must be a whole number >= 1")
    if not specs:
        return
    province = resolve_province(province)
    bar = tqdm(total=len(specs), disable=not progress, desc="runs", unit="run")
    try:
        if client is not None or scheduler is not None:
            own = client is None
            client = client or dask_client(scheduler)
            try:
                _execute_dask(specs, province, on_result, client, bar)
            finally:
                if own:
                    client.close()
            return
        workers = workers or default_workers()
        if workers == 1:
            for spec in specs:
                on_result(spec, run_one(spec, province))
                bar.update()
            return
        # "spawn" whatever the platform default (Mesa selects it on import anyway): nothing is
        # inherited from this process, and Linux, macOS and Windows behave alike.
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(province,),
        )
        try:
            with _workers_ignore_sigint():  # workers are started by submit
                futures = [pool.submit(_run_in_worker, spec) for spec in specs]
            for future in as_completed(futures):
                spec, frames = future.result()
                on_result(spec, frames)
                bar.update()
        except BaseException:
            _stop_pool(pool)
            raise
        pool.shutdown()
    except KeyboardInterrupt:
        bar.leave = False  # clear the bar: the interrupt is reported in one line
        raise
    finally:
        bar.close()


def _execute_dask(
    specs: Iterable[RunSpec], province: Province, on_result: OnResult, client: Any, bar: tqdm
) -> None:
    from distributed import as_completed as dask_completed

    shared = client.scatter(province, broadcast=True)
    # pure=False: identical arguments must not be merged into one task.
    futures = client.map(_run_task, list(specs), province=shared, pure=False)
    try:
        for future in dask_completed(futures):
            spec, frames = future.result()
            on_result(spec, frames)
            bar.update()
            future.release()
    except BaseException:
        client.cancel(futures)
        raise

"""Where runs execute: this process, local worker processes, or a Dask cluster.

One call, :func:`execute`, serves all three. Local processes use the standard library's
``ProcessPoolExecutor`` (the province is sent once per worker, not once per run); a Dask
``distributed.Client`` — or a scheduler address such as ``tcp://host:8786``, or the
``DASK_SCHEDULER_ADDRESS`` environment variable — sends the same tasks to a cluster
(dask-jobqueue, Kubernetes: bring your own). Each finished run is handed to ``on_result`` as
soon as it completes, in whatever order, so results can stream to disk. Results do not depend
on where or in which order runs execute: every run is fully determined by its spec.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from dudao_sim.data.province import Province
from dudao_sim.experiments.runner import ProvinceRef, RunSpec, resolve_province, run_one

OnResult = Callable[[RunSpec, dict[str, pd.DataFrame]], None]

_WORKER_PROVINCE: Province | None = None


def _init_worker(province: Province) -> None:
    global _WORKER_PROVINCE
    _WORKER_PROVINCE = province


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
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(province,),
        ) as pool:
            futures = [pool.submit(_run_in_worker, spec) for spec in specs]
            for future in as_completed(futures):
                spec, frames = future.result()
                on_result(spec, frames)
                bar.update()
    finally:
        bar.close()


def _execute_dask(
    specs: Iterable[RunSpec], province: Province, on_result: OnResult, client: Any, bar: tqdm
) -> None:
    from distributed import as_completed as dask_completed

    shared = client.scatter(province, broadcast=True)
    # pure=False: identical arguments must not be merged into one task.
    futures = client.map(_run_task, list(specs), province=shared, pure=False)
    for future in dask_completed(futures):
        spec, frames = future.result()
        on_result(spec, frames)
        bar.update()
        future.release()

"""Common random numbers: one stream per random process and month, one draw per unit.

No draw in the model goes through Mesa's RNG. Each random process (emergence of problems,
visit selection, detection, ...) asks :class:`Streams` for the draws of one month; the stream is
keyed by (seed, process, month) and yields a number for **every** unit of the table, whether
the process uses it or not; sparse processes (a draw per visit) use a counter-based draw keyed
by (seed, process, month, unit) instead (:meth:`Streams.uniform_at`, SplitMix64 mixing).
A reform therefore changes only the draws it touches: a school that is never re-checked sees
the same emergence, detection and behaviour draws in a run with re-checks as in one without
(the Covasim / Starsim "common random numbers" design), and the paired difference between
a reform and the baseline is not drowned in noise.

Example:
    >>> s = Streams(seed=7)
    >>> a = s.uniform("emergence", month=3, n=5)
    >>> bool((a == Streams(seed=7).uniform("emergence", month=3, n=5)).all())
    True
"""

from __future__ import annotations

import zlib

import numpy as np


def process_key(process: str) -> int:
    """A stable 32-bit key for a process name (the same in every Python session).

    Args:
        process: Name of the random process.

    Returns:
        CRC-32 of the UTF-8 name.
    """
    return zlib.crc32(process.encode("utf-8"))


class Streams:
    """Counter-style random streams keyed by (seed, process, month).

    Args:
        seed: The run's seed (a non-negative integer).

    Raises:
        ValueError: If ``seed`` is not a non-negative integer.
    """

    def __init__(self, seed: int):
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed: {seed!r} is not allowed; must be a whole number >= 0")
        self.seed = int(seed)

    def generator(self, process: str, month: int) -> np.random.Generator:
        """The generator of one process in one month (fresh each call, same draws each time).

        Args:
            process: Name of the random process.
            month: Model month (0 = first month of the warm-up); use ``-1`` for set-up draws.

        Returns:
            A NumPy generator seeded from (seed, process, month).
        """
        entropy = [self.seed, process_key(process), int(month) + 1]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))

    def uniform(self, process: str, month: int, n: int | tuple[int, ...]) -> np.ndarray:
        """``n`` uniform draws in [0, 1): one per unit (or per unit and column).

        Single precision: probabilities need no more, and it halves the cost.
        """
        return self.generator(process, month).random(n, dtype=np.float32)

    def uniform_at(self, process: str, month: int, keys: np.ndarray) -> np.ndarray:
        """Uniform draws for chosen units only, counter-based (keyed by process, month, key).

        For sparse processes (a draw per visit, say): the draw of unit ``k`` does not depend on
        which other units draw, so the same unit gets the same number in every scenario.

        Args:
            process: Name of the random process.
            month: Model month.
            keys: Non-negative integer keys (unit rows, or rows combined with a purpose).

        Returns:
            One uniform in [0, 1) per key.
        """
        base = np.uint64(
            (
                self.seed * 0x9E3779B97F4A7C15
                + process_key(process) * 0xBF58476D1CE4E5B9
                + (int(month) + 1) * 0x94D049BB133111EB
            )
            % 2**64
        )
        with np.errstate(over="ignore"):
            z = np.asarray(keys, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) + base
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
        return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)

"""The regression baseline: fixed-seed runs must reproduce every stored number.

Counts (integer-valued numbers) compare exactly, other floats to a relative 1e-9. A change that
moves a number regenerates the baseline in the same commit (``make baseline``) and says why.
"""

from __future__ import annotations

import pandas as pd
import pytest
from baseline_cases import CASES, compare, compare_frames, run_case


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_baseline_unchanged(case):
    problems = compare(case, run_case(case))
    assert not problems, (
        "the baseline moved (make baseline to regenerate knowingly):\n" + "\n".join(problems[:30])
    )


def test_comparison_catches_a_small_change():
    frame = pd.DataFrame({"n_visits": [3.0, 4.0], "quality": [0.1, 0.2], "phase": ["a", "b"]})
    assert compare_frames(frame, frame.copy(), "x") == []
    nudged = frame.assign(quality=[0.1, 0.2 * (1 + 1e-8)])
    assert any("quality" in p for p in compare_frames(frame, nudged, "x"))
    within = frame.assign(quality=[0.1, 0.2 * (1 + 1e-11)])
    assert compare_frames(frame, within, "x") == []
    count = frame.assign(n_visits=[3.0, 4.0 + 1e-10])
    assert any("n_visits" in p for p in compare_frames(frame, count, "x"))
    assert any("new columns" in p for p in compare_frames(frame, frame.assign(z=1), "x"))

"""The README's Python examples run as written (they use the bundled Hunan province)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.slow
@pytest.mark.hunan
def test_readme_python_examples_run_in_order():
    blocks = _blocks()
    assert len(blocks) >= 3
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # our own README, not user input
    model = namespace["model"]  # the custom-mechanism example's model
    model.run(months=2)
    assert model.events.get("hotline_calls", 0.0) > 0  # the hotline revealed something
    assert any(m.name == "hotline" for m in model.mechanisms)

"""Result folders written before the layered layout (version 0.1.0) still open."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from dudao_sim.cli import main
from dudao_sim.experiments import ResultStore

FIXTURE = Path(__file__).parent / "fixtures" / "results_v0.1.0"


@pytest.mark.slow
def test_report_from_a_folder_written_by_version_0_1_0(tmp_path, capsys):
    folder = tmp_path / "old"
    shutil.copytree(FIXTURE, folder)
    assert main(["report", "--from", str(folder), "--lang", "en"]) == 0
    assert (folder / "report_en.html").is_file()
    paired = pd.read_csv(folder / "paired.csv")
    assert set(paired["scenario"]) == {"reform_2021"}
    runs = ResultStore(folder).load("metrics")
    assert runs["seed"].nunique() == 2 and set(runs["scenario"]) == {"pre_reform", "reform_2021"}

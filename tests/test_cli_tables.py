"""Terminal tables of run, compare and sweep: width, alignment, units, legend and numbers.

The layout helpers (:mod:`dudao_sim.i18n.layout`) and the catalogue's readable formatting are
checked directly; the commands are run in-process (``cli.main``) on a toy synthetic province
with few seeds and months, and what they print is parsed back and compared with the
statistics module (:mod:`dudao_sim.experiments.statistics`) at the printed precision.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tqdm import tqdm

import dudao_sim as ds
from dudao_sim.cli import output
from dudao_sim.cli.labels import KEY_OUTCOMES, SWEEP_OUTCOMES
from dudao_sim.cli.main import main
from dudao_sim.cli.progress import LineStream, Progress, progress_mode
from dudao_sim.experiments import ResultStore
from dudao_sim.experiments.statistics import (
    interval,
    last_months_mean,
    paired_differences,
    summarize,
)
from dudao_sim.i18n.layout import (
    MAX_WIDTH,
    Column,
    chunks,
    column_widths,
    display_width,
    render,
    wrap,
)
from dudao_sim.metrics.catalogue import (
    GROUPS,
    display,
    format_interval,
    format_value,
    label,
    metric,
    scale,
)

TOY = ["--synthetic", "2", "--months", "6", "--warmup-months", "12"]
QUIET = ["--workers", "1", "--quiet"]
NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?")


# ---- display width and layout ------------------------------------------------------------------
def test_display_width_counts_wide_and_fullwidth_characters_twice():
    assert display_width("abc") == 3
    assert display_width("全面覆盖") == 8
    assert display_width("（实际督导）") == 12  # fullwidth brackets are F
    assert display_width("%；变化") == 1 + 2 + 4
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert display_width("— × ·") == 5  # ambiguous characters: one column


def test_wrap_keeps_lines_within_the_width_in_both_scripts():
    text = "挂牌督导覆盖率（实际督导） Badged coverage (visited) of schools"
    for width in (6, 9, 14, 25):
        lines = wrap(text, width)
        assert all(display_width(line) <= width for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap("Fake rectification share", 20) == ["Fake rectification", "share"]


def _screen(line: str) -> list[str]:
    """``line`` as a terminal shows it: one entry per column, ``""`` for a wide char's 2nd half.

    Independent of the code under test: East-Asian W and F characters take two columns.
    """
    columns: list[str] = []
    for char in line:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        columns += [char, ""] if wide else [char]
    return columns


def _gaps_are_blank(lines: list[str], rule: str) -> None:
    """Each line, read by display column, has spaces wherever the rule has spaces."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    for line in lines:
        columns = _screen(line)
        for (_, end), (start, _) in itertools.pairwise(spans):
            gap = columns[end:start]
            assert all(c == " " for c in gap), f"column boundary crossed in {line!r}"
            if start < len(columns):
                assert columns[start] != "", f"a wide character straddles a column in {line!r}"


def test_render_aligns_chinese_columns_by_display_width():
    columns = [Column("指标", flex=True), Column("数值", "right"), Column("单位")]
    rows = [
        ["挂牌督导覆盖率（实际督导）", "70.0", "%"],
        ["全面覆盖", "0.499", ""],
        ["年督导成本（元）", "1,230", "万元"],
    ]
    lines = render(columns, rows)
    rule = lines[1]
    assert set(rule) <= {"-", " "}
    _gaps_are_blank(lines, rule)
    value_ends = {
        len(_screen(line[: line.index(row[1]) + len(row[1])]))
        for line, row in zip(lines[2:], rows, strict=True)
    }
    assert len(value_ends) == 1  # right-aligned numbers end in the same display column
    assert value_ends == {len(rule.rsplit("  ", 1)[0])}


def test_flex_columns_wrap_to_keep_the_table_within_the_width():
    columns = [Column("Metric", flex=True), Column("Value", "right")]
    rows = [["a very long label " * 8, "1.00"], ["short", "2.00"]]
    lines = render(columns, rows, width=40)
    assert all(len(_screen(line)) <= 40 for line in lines)
    assert len(lines) > 4  # the label wrapped


def test_chunks_split_value_columns_evenly_within_the_width():
    assert chunks(17, [25, 25, 25, 25]) == [[0, 1], [2, 3]]
    assert chunks(10, [20, 20, 20]) == [[0, 1, 2]]
    parts = chunks(30, [40, 40, 40])
    assert all(30 + sum(2 + 40 for _ in p) <= MAX_WIDTH for p in parts)
    assert column_widths([Column("word " * 10)], [["1"]]) == [26]  # long titles wrap


# ---- readable values from the catalogue ---------------------------------------------------------
def test_existing_formatting_is_unchanged():
    assert format_value("fake_share", 0.1234) == "12.3%"
    assert format_value("fake_share", -0.02, "zh", diff=True) == "-2.0 个百分点"
    assert format_value("cost_yuan_year", 1234567.8) == "1,234,568"
    assert format_value("quality_mean", -0.05) == "-0.0500"
    assert scale("cost_yuan_year") == (1.0, "")


def test_readable_units_come_from_the_catalogue():
    assert format_value("cost_yuan_year", 24686498.6111, "zh", diff=True, digits=3, human=True) == (
        "+2,470 万元"
    )
    assert format_value("cost_yuan_year", 24686498.6, "en", digits=3, human=True) == (
        "2,470 × 10k yuan"
    )
    assert format_value("cost_yuan_year", 34686.6, "en", digits=3, human=True) == "3.47 × 10k yuan"
    assert scale("cost_yuan_year", "zh", human=True) == (0.0001, "万元")
    assert scale("fake_share", "en", human=True, diff=True) == (100.0, "pp")
    assert format_value("quality_mean", -0.0134, "en", digits=3, human=True) == "-0.0134 SD"
    assert format_value("quality_mean", -0.0134, "zh", digits=3, human=True) == "-0.0134 标准差"


@pytest.mark.parametrize(
    ("name", "values", "diff", "expected"),
    [
        ("index_coverage", (0.1061, 0.0983, 0.1142), True, "+0.106 [+0.098, +0.114]"),
        ("fake_share", (-0.11344, -0.1251, -0.1012), True, "-11.3 [-12.5, -10.1]"),
        ("fake_share", (0.05123, 0.0499, 0.0526), False, "5.1 [5.0, 5.3]"),  # share: 1 decimal
        ("cost_yuan_year", (24686498.6, 24100000.0, 25300000.0), True, "+2,470 [+2,410, +2,530]"),
        ("quality_mean", (-0.0715, -0.0736, -0.0694), False, "-0.0715 [-0.0736, -0.0694]"),
        ("index_authority", (0.5, math.nan, math.nan), False, "0.500"),  # one seed: no bracket
        ("index_authority", (math.nan, math.nan, math.nan), False, "—"),
    ],
)
def test_one_interval_notation_with_at_most_three_significant_digits(name, values, diff, expected):
    shown = format_interval(name, *values, "en", diff=diff)
    assert shown == expected
    assert all(_significant(n) <= 3 for n in NUMBER.findall(shown))


def _significant(number: str) -> int:
    """Significant digits of a printed number (trailing zeros of an integer do not count)."""
    digits = number.lstrip("+-").replace(",", "")
    if "." in digits:
        return len(digits.replace(".", "").lstrip("0")) or 1
    return len(digits.lstrip("0").rstrip("0")) or 1


# ---- records and tables without a model run ----------------------------------------------------
def _fake_runs(scenarios: list[str], seeds: int = 3, months: int = 14) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for k, scenario in enumerate(scenarios):
        for seed in range(seeds):
            for month in range(months):
                for j, name in enumerate(KEY_OUTCOMES):
                    base = 2.4e7 if name == "cost_yuan_year" else 0.1 + 0.05 * j
                    noise = rng.normal(0, 0.01) * base
                    rows.append((scenario, seed, month, name, base * (1 + 0.1 * k) + noise))
    return pd.DataFrame(rows, columns=["scenario", "seed", "month", "metric", "value"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compare_table_of_made_up_runs_fits_and_matches_the_statistics(lang):
    scenarios = ["pre_reform", "reform_2021", "high_stakes", "no_recheck", "smart_supervision"]
    runs = _fake_runs(scenarios)
    records = output.compare_records(runs, "pre_reform", scenarios, KEY_OUTCOMES, lang)
    paired = paired_differences(runs, "pre_reform").set_index(["scenario", "metric"])
    mine = records.set_index(["scenario", "metric"])
    for key, row in paired.iterrows():
        assert mine.loc[key, "diff_mean"] == row["diff_mean"]
        assert mine.loc[key, "diff_ci_high"] == row["ci_high"]
    lines = output.compare_table(records, "pre_reform", lang, "heading", "legend " * 30)
    assert all(len(_screen(line)) <= MAX_WIDTH for line in lines)


# ---- the commands on a toy province ------------------------------------------------------------
@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    """A compare output folder: pre_reform, high_stakes and reform_2021 on 3 seeds."""
    out = tmp_path_factory.mktemp("cli_tables") / "cmp"
    args = ["compare", *TOY, *QUIET, "--seeds", "3", "--no-report", "--out", str(out)]
    assert main([*args, "--scenarios", "high_stakes,reform_2021"]) == 0
    return out


def _compare(out: Path, lang: str, fmt: str, capsys) -> str:
    capsys.readouterr()
    args = ["compare", *TOY, *QUIET, "--seeds", "3", "--no-report", "--out", str(out)]
    args += ["--scenarios", "high_stakes,reform_2021", "--resume", "--lang", lang]
    assert main([*args, "--format", fmt]) == 0
    return capsys.readouterr().out


def _is_title(line: str) -> bool:
    return any(line == output.group_title(g, lang) for g in GROUPS for lang in ("en", "zh"))


def _tables(lines: list[str]) -> list[tuple[list[str], str, list[str]]]:
    """(heading lines, rule, body lines) of every table in the output."""
    found = []
    for i, line in enumerate(lines):
        if not line or set(line) - {"-", " "}:
            continue
        start = i
        while start > 0 and lines[start - 1].strip() and not _is_title(lines[start - 1]):
            start -= 1
        end = i + 1
        while end < len(lines) and lines[end].strip() and not _is_title(lines[end]):
            end += 1
        found.append((lines[start:i], line, lines[i + 1 : end]))
    return found


def _titles(heading: list[str], rule: str) -> list[str]:
    """Each column's heading, its wrapped lines joined."""
    parts = zip(*(_cells(line, rule) for line in heading), strict=True)
    return [" ".join(c for c in column if c) for column in parts]


def _cells(line: str, rule: str) -> list[str]:
    """The cells of ``line`` at the display columns of the rule's dash runs."""
    columns = _screen(line)
    return ["".join(columns[m.start() : m.end()]).strip() for m in re.finditer(r"-+", rule)]


def _numbers(cell: str) -> list[tuple[float, float]]:
    """Each number of a cell with half a unit of its last printed digit (the rounding)."""
    out = []
    for text in NUMBER.findall(cell):
        plain = text.replace(",", "")
        if "." in plain:
            step = 10.0 ** -len(plain.split(".")[1])
        else:
            digits = len(plain.lstrip("+-"))
            step = 10.0 ** max(digits - 3, 0)
        out.append((float(plain), step / 2))
    return out


def _close(printed: tuple[float, float], value: float) -> bool:
    number, half = printed
    return abs(number - value) <= half * (1 + 1e-9) + 1e-12


def _metric_of(heading: str, lang: str) -> str:
    flat = "".join(heading.split())
    hits = [m for m in KEY_OUTCOMES if flat.startswith("".join(label(m, lang).split()))]
    assert len(hits) == 1, (heading, hits)
    return hits[0]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compare_tables_fit_align_and_match_the_statistics(compared, lang, capsys):
    out = _compare(compared, lang, "table", capsys)
    lines = out.splitlines()
    assert all(len(_screen(line)) <= MAX_WIDTH for line in lines), max(lines, key=len)
    runs = ResultStore(compared).load("metrics")
    summary = summarize(runs).set_index(["scenario", "metric"])
    paired = paired_differences(runs, "pre_reform").set_index(["scenario", "metric"])
    tables = _tables(lines)
    assert len(tables) >= len({metric(m).group for m in KEY_OUTCOMES})
    seen = set()
    for heading, rule, body in tables:
        _gaps_are_blank([*heading, *body], rule)
        titles = _titles(heading, rule)
        rows = [_cells(line, rule) for line in body]
        order = [r[0] for r in rows]
        assert order[0].startswith("pre_reform") and order[1] == "reform_2021", order
        for j, title in enumerate(titles[1:], start=1):
            name = _metric_of(title, lang)
            seen.add(name)
            factor, _ = scale(name, lang, human=True)
            assert scale(name, lang, human=True, diff=True)[1] in title  # the unit is shown
            for row in rows:
                scenario = row[0].split("（")[0].split(" (")[0]
                if scenario == "pre_reform":
                    s = summary.loc[(scenario, name)]
                    expected = (s["mean"], s["ci_low"], s["ci_high"])
                else:
                    d = paired.loc[(scenario, name)]
                    expected = (d["diff_mean"], d["ci_low"], d["ci_high"])
                    assert row[j].endswith("~") == bool(d["within_noise"])
                printed = _numbers(row[j])
                assert len(printed) == 3, row[j]
                for p, value in zip(printed, expected, strict=True):
                    assert _close(p, value * factor), (name, scenario, row[j], value * factor)
    assert seen == set(KEY_OUTCOMES)
    legend = (" " if lang == "en" else "").join(lines[-4:])  # Chinese wraps between characters
    if lang == "en":
        assert "pp" in out and "× 10k yuan" in out and "SD" in out
        assert "[95% interval] over 3 seeds" in legend and "last 6 of 6 months" in legend
        assert "paired seed by seed" in legend
    else:
        assert "个百分点" in out and "万元" in out and "标准差" in out
        assert "3 个随机种子" in legend and "最后 6 个月" in legend and "配对" in legend
        assert "方案" in out and "越低越好" in out


@pytest.mark.slow
def test_compare_csv_and_json_carry_the_same_numbers_at_full_precision(compared, capsys):
    table = pd.read_csv(io.StringIO(_compare(compared, "zh", "csv", capsys)))
    data = json.loads(_compare(compared, "en", "json", capsys))
    assert data["meta"]["baseline"] == "pre_reform" and data["meta"]["seeds"] == 3
    assert data["meta"]["scenarios"] == ["pre_reform", "reform_2021", "high_stakes"]
    rows = pd.DataFrame(data["rows"])
    assert list(table["metric"].unique()) == list(KEY_OUTCOMES)
    assert set(table["label"]) == {label(m, "zh") for m in KEY_OUTCOMES}
    assert set(rows["label"]) == {label(m, "en") for m in KEY_OUTCOMES}
    assert (table["unit"] == [metric(m).unit for m in table["metric"]]).all()
    runs = ResultStore(compared).load("metrics")
    paired = paired_differences(runs, "pre_reform").set_index(["scenario", "metric"])
    summary = summarize(runs).set_index(["scenario", "metric"])
    for frame in (table, rows):
        for _, row in frame.iterrows():
            key = (row["scenario"], row["metric"])
            assert row["mean"] == pytest.approx(summary.loc[key, "mean"], rel=1e-12)
            if row["scenario"] == "pre_reform":
                assert pd.isna(row["diff_mean"])
            else:
                assert row["diff_ci_low"] == pytest.approx(paired.loc[key, "ci_low"], rel=1e-12)
                assert bool(row["within_noise"]) == bool(paired.loc[key, "within_noise"])


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_run_table_fits_aligns_and_matches_the_last_months(lang, tmp_path, capsys):
    csv = tmp_path / "m.csv"
    assert main(["run", *TOY, "--quiet", "--lang", lang, "--csv", str(csv)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert all(len(_screen(line)) <= MAX_WIDTH for line in lines)
    tail = last_months_mean(pd.read_csv(csv)[["month", *KEY_OUTCOMES]], 12)
    rule = next(line for line in lines if line and set(line) <= {"-", " "})
    body = [line for line in lines[lines.index(rule) + 1 :] if line.strip()]
    _gaps_are_blank(body[: len(KEY_OUTCOMES) + 8], rule)
    found = {}
    for line in body:
        cells = _cells(line, rule)
        if len(cells) == 3 and cells[1]:
            found[cells[0]] = (cells[1], cells[2])
    for name in KEY_OUTCOMES:
        shown, unit = found[label(name, lang)]
        factor, expected_unit = scale(name, lang, human=True)
        assert unit == expected_unit
        (printed,) = _numbers(shown)
        assert _close(printed, tail[name] * factor), (name, shown, tail[name] * factor)
    assert ("万元" if lang == "zh" else "× 10k yuan") in out
    assert ("单次运行" if lang == "zh" else "one run (seed 0)") in out


@pytest.mark.slow
def test_sweep_prints_intervals_like_compare(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = ["sweep", *TOY, *QUIET, "--seeds", "2", "--grid", "unannounced_share=0,1"]
    assert main([*args, "--out", str(out), "--lang", "zh"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(_screen(line)) <= MAX_WIDTH for line in lines)
    runs = ResultStore(out).load("metrics")
    per_run = last_months_mean(runs, 12, by=("point", "seed"))
    tables = _tables(lines)
    assert tables
    checked = 0
    for heading, rule, body in tables:
        _gaps_are_blank([*heading, *body], rule)
        titles = _titles(heading, rule)
        for line in body:
            cells = _cells(line, rule)
            point = 0 if float(cells[0]) == 0 else 1
            for j, title in enumerate(titles[1:], start=1):
                name = _metric_of(title, "zh")
                values = per_run[(per_run["point"] == point) & (per_run["metric"] == name)]
                expected = interval(values["value"])
                for p, v in zip(_numbers(cells[j]), expected[:3], strict=True):
                    assert _close(p, v), (name, cells[j], expected)
                checked += 1
    assert checked == 2 * len(SWEEP_OUTCOMES)
    assert "[95% 区间] 基于 2 个随机种子" in lines[-2]
    assert main([*args, "--out", str(out), "--resume", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert set(table.columns) >= {"point", "unannounced_share", "metric", "mean", "ci_low"}
    assert len(table) == 2 * len(SWEEP_OUTCOMES)


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_a_bad_format_is_one_clear_error(command, capsys):
    assert main([command, "--synthetic", "2", "--format", "xml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "argument --format: invalid choice: 'xml' (choose from 'table', 'csv', 'json')" in err


# ---- progress -----------------------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_mode_bars_only_on_an_interactive_terminal_outside_ci():
    assert progress_mode(quiet=True, stream=_Terminal(), environ={}) == "off"
    assert progress_mode(stream=_Terminal(), environ={}) == "bar"
    assert progress_mode(stream=_Terminal(), environ={"CI": "true"}) == "lines"
    assert progress_mode(stream=_Terminal(), environ={"CI": "false"}) == "bar"
    assert progress_mode(stream=io.StringIO(), environ={}) == "lines"


def test_line_stream_turns_a_bar_into_occasional_lines():
    target = io.StringIO()
    clock = itertools.count(0.0, 1.0)  # every redraw a second later
    stream = LineStream(target, interval=10.0, clock=lambda: next(clock))
    bar = tqdm(total=50, desc="runs", file=stream, mininterval=0, miniters=1, ascii=True)
    for _ in range(50):
        bar.update()
    bar.close()
    text = target.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert 3 <= len(lines) <= 6, lines  # about one line per 10 redraws, not one per redraw
    assert lines[-1].startswith("runs: 100%") and "50/50" in lines[-1]
    quick = io.StringIO()
    bar = tqdm(total=5, file=LineStream(quick, interval=1000.0), mininterval=0, miniters=1)
    for _ in range(5):
        bar.update()
    bar.close()
    assert quick.getvalue() == ""  # a short step prints nothing
    passing = io.StringIO()
    LineStream(passing).write("dudao-sim: warning: x\n")
    assert passing.getvalue() == "dudao-sim: warning: x\n"


def test_progress_notes_and_quiet():
    stream = io.StringIO()
    Progress("lines", stream).note("writing the report")
    Progress("off", stream).note("not shown")
    assert stream.getvalue() == "dudao-sim: writing the report\n"
    with Progress("off").ensemble() as flag:
        assert flag is False
    with pytest.raises(ValueError, match="mode"):
        Progress("loud")


@pytest.mark.slow
def test_commands_write_no_carriage_returns_to_a_log(tmp_path, capsys):
    assert main(["run", *TOY, "--lang", "zh"]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err
    graph = tmp_path / "g.graphml"
    assert main(["hierarchy", "--synthetic", "2", "--graphml", str(graph)]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.err and "writing" in captured.err
    assert graph.is_file()


def test_display_of_the_catalogue_is_what_tables_use():
    shown = display("fake_share", "zh", human=True)
    assert (shown.unit_text, shown.diff_unit_text) == ("%", "个百分点")
    assert output.unit_text("fake_share", "en") == "%; change in pp"
    assert output.unit_text("cost_yuan_year", "zh") == "万元"
    assert output.metric_heading("fake_share", "en").splitlines() == [
        "Fake rectification share",
        "%; change in pp",
        "lower is better",
    ]


@pytest.mark.hunan
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hierarchy_summary_of_hunan_fits_and_keeps_its_city_rows(lang, capsys):
    """Prose wraps under its indent, the city table lays out within 100 columns, and every
    市州 keeps its row with its counties, the longest name (湘西土家族苗族自治州) included."""
    assert main(["hierarchy", "--lang", lang]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(_screen(line)) <= MAX_WIDTH for line in lines), max(lines, key=len)
    cities = ds.load_province("hunan").cities
    counties = ds.load_province("hunan").county_table["parent_code"].value_counts()
    for code, name in cities["name"].items():
        (row,) = [line for line in lines if line.startswith(name)]
        assert row.split()[1] == str(counties[code]), row
    wrapped = [line for line in lines if line.startswith("    ")]
    assert wrapped  # the long prose lines of the summary continue, indented

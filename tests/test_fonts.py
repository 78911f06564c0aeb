"""Chinese text without system CJK fonts: the packaged Noto Sans CJK face and the web font.

"No system CJK font" is simulated by forcing the packaged font (``DUDAO_SIM_FONT=packaged``)
or by hiding the system fonts from matplotlib's font list; system fonts are never removed.
"""

from __future__ import annotations

import base64
import html
import io
import re
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTCollection, TTFont
from matplotlib import font_manager
from matplotlib.figure import Figure

import dudao_sim as ds
from dudao_sim.experiments import summarize
from dudao_sim.report import CJKFontWarning, fonts, use_cjk_fonts, write_report
from dudao_sim.report.figures import CITY_METRICS, fig_by_city, fig_indices, figure_png

GLYPH_MISSING = "Glyph .* missing"
SCENARIOS = ["pre_reform", "reform_2021"]
FACE = re.compile(
    r'@font-face\{font-family:"(?P<family>[^"]+)";'
    r"src:url\(data:(?P<mime>[^;]+);base64,(?P<data>[A-Za-z0-9+/=]+)\)"
)


@pytest.fixture
def packaged(monkeypatch):
    """Force the packaged font, as on a machine without system CJK fonts."""
    monkeypatch.setenv(fonts.FONT_ENV, "packaged")
    with mpl.rc_context():
        yield
    _clear_font_cache()


@pytest.fixture
def no_system_fonts(monkeypatch, tmp_path):
    """Hide every CJK font from matplotlib (the font list keeps DejaVu Sans only)."""
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    latin = [f for f in font_manager.fontManager.ttflist if f.name == "DejaVu Sans"]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    monkeypatch.setattr(fonts, "SYSTEM_FONT_DIRS", (tmp_path,))  # nothing to find here
    _clear_font_cache()
    with mpl.rc_context():
        yield
    _clear_font_cache()


def _clear_font_cache():
    clear = getattr(font_manager.fontManager._findfont_cached, "cache_clear", None)
    if clear is not None:
        clear()


def _hunan_by_city() -> pd.DataFrame:
    """A :func:`city_summary`-shaped frame with Hunan's 14 市州 names (incl. 郴州, 湘西州)."""
    cities = ds.load_province("hunan").cities
    rng = np.random.default_rng(0)
    rows = [
        {
            "scenario": sc,
            "code": str(code),
            "name": name,
            "metric": metric,
            "mean": rng.uniform(0.2, 0.9),
            "ci_low": 0.1,
            "ci_high": 1.0,
            "n_seeds": 2,
        }
        for sc in SCENARIOS
        for code, name in cities["name"].items()
        for metric in CITY_METRICS
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def runs():
    prov = ds.synthetic_province(n_counties=4, n_cities=2, seed=1)
    frames, regional = [], []
    for sc in SCENARIOS:
        m = ds.SupervisionModel(
            prov, scenario=sc, months=24, warmup_months=12, rng=1, create_agents=False
        )
        m.run()
        f = m.metrics().drop(columns="phase").melt(id_vars="month", var_name="metric")
        f["scenario"], f["seed"] = sc, 1
        frames.append(f)
        r = m.metrics_by("city")
        r["scenario"], r["seed"] = sc, 1
        regional.append(r)
    manifest = {
        "province": "示例省",
        "scenarios": list(SCENARIOS),
        "seeds": [1],
        "baseline": "pre_reform",
        "months": 24,
        "synthesized": prov.synthesized_columns(),
        "version": ds.__version__,
        "created": "2025-06-01T12:00:00+08:00",
    }
    return pd.concat(frames, ignore_index=True), pd.concat(regional, ignore_index=True), manifest


def _families(fig: Figure) -> set[tuple[str, ...]]:
    return {tuple(t.get_fontfamily()) for t in fig.findobj(mpl.text.Text) if t.get_text()}


# --- the packaged font --------------------------------------------------------------------


def test_packaged_font_is_installed_with_its_ofl_licence():
    font = fonts.packaged_font()
    assert font is not None, "pip install noto-cjk-sans-otc (a dependency of dudao_sim)"
    assert font.path.is_file() and font.path.suffix == ".ttc"
    assert font.dist == "noto-cjk-sans-otc"
    assert font.license == "OFL-1.1"
    assert "SIL OPEN FONT LICENSE Version 1.1" in font.license_text
    collection = TTCollection(str(font.path), lazy=True)
    try:
        names = [f["name"].getDebugName(1) for f in collection.fonts]
        licence = collection.fonts[names.index("Noto Sans CJK SC")]["name"].getDebugName(13)
    finally:
        collection.close()
    assert "Noto Sans CJK SC" in names
    assert "SIL Open Font License, Version 1.1" in licence


def test_font_source_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    assert fonts.font_source() == "auto"
    monkeypatch.setenv(fonts.FONT_ENV, " Packaged ")
    assert fonts.font_source() == "packaged"
    assert fonts.font_source("system") == "system"  # the argument wins
    monkeypatch.setenv(fonts.FONT_ENV, "simhei")
    with pytest.raises(ValueError, match=r"DUDAO_SIM_FONT='simhei': expected one of auto"):
        fonts.font_source()
    with pytest.raises(ValueError, match="source='x'"):
        fonts.available_cjk_fonts("x")


def test_forcing_the_packaged_font_uses_the_packaged_file(packaged):
    name = fonts.PACKAGED_FONT_NAME
    assert fonts.available_cjk_fonts() == [name]
    assert fonts.font_rc("zh")["font.sans-serif"] == [name, "DejaVu Sans"]
    rc = fonts.font_rc("en")
    assert rc["font.sans-serif"] == rc["font.family"] == ["DejaVu Sans", name]
    assert rc["axes.unicode_minus"] is False
    prop = font_manager.FontProperties(family=[name])
    found = font_manager.findfont(prop, fallback_to_default=False)
    assert Path(found).resolve() == fonts.packaged_font_path().resolve()
    assert use_cjk_fonts() is True
    assert mpl.rcParams["font.sans-serif"] == [name, "DejaVu Sans"]


def test_without_system_fonts_auto_falls_back_to_the_packaged_font(no_system_fonts):
    assert fonts.available_cjk_fonts("system") == []
    with warnings.catch_warnings():
        warnings.simplefilter("error", CJKFontWarning)
        assert use_cjk_fonts() is True
    assert fonts.available_cjk_fonts() == [fonts.PACKAGED_FONT_NAME]
    assert mpl.rcParams["font.sans-serif"][0] == fonts.PACKAGED_FONT_NAME
    assert mpl.rcParams["axes.unicode_minus"] is False


# --- figures --------------------------------------------------------------------------------


def test_chinese_figure_renders_with_the_packaged_font(packaged, runs):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        fig = fig_indices(summarize(runs[0]), lang="zh")
        labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert labels == ["全面覆盖", "运转高效", "结果权威", "问责有力"]
        assert _families(fig) == {(fonts.PACKAGED_FONT_NAME, "DejaVu Sans")}
        png = figure_png(fig, lang="zh")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


@pytest.mark.hunan
def test_english_figure_shows_chinese_city_names_with_the_packaged_font(packaged):
    by_city = _hunan_by_city()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        fig = fig_by_city(by_city, lang="en", scenarios=SCENARIOS)
        rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert "郴州市" in rows and "湘西土家族苗族自治州" in rows and len(rows) == 14
        assert fig.axes[0].get_title().isascii()  # English text, Latin font first
        assert _families(fig) == {("DejaVu Sans", fonts.PACKAGED_FONT_NAME)}
        png = figure_png(fig)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_a_missing_glyph_does_fail_these_tests():
    """The warning filter above is not vacuous: Chinese in a Latin-only font fails."""
    fig = Figure()
    fig.text(0.5, 0.5, "郴州", family=["DejaVu Sans"])
    with warnings.catch_warnings(), pytest.raises(UserWarning, match=GLYPH_MISSING):
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        fig.savefig(io.BytesIO(), format="png")


# --- the HTML report's web font -------------------------------------------------------------


def _full_cmap() -> set[int]:
    font = TTFont(str(fonts.packaged_font_path()), fontNumber=2, lazy=True)
    try:
        assert font["name"].getDebugName(1) == "Noto Sans CJK SC"
        return set(font.getBestCmap())
    finally:
        font.close()


def _embedded_font(page: str) -> tuple[str, str, TTFont]:
    faces = list(FACE.finditer(page))
    assert len(faces) == 1, "one @font-face"
    face = faces[0]
    font = TTFont(io.BytesIO(base64.b64decode(face["data"])))
    return face["family"], face["mime"], font


def _page_text(page: str) -> str:
    """The page's characters outside ``<style>`` blocks and data URLs, entities resolved."""
    text = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    text = re.sub(r"data:[^\"')]+", "", text)
    return html.unescape(text)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.slow
def test_report_embeds_a_web_font_covering_every_chinese_character(packaged, runs, lang, tmp_path):
    path = write_report(*runs, tmp_path, lang=lang)
    page = path.read_text(encoding="utf-8")
    family, mime, font = _embedded_font(page)
    assert family == fonts.PACKAGED_FONT_NAME
    assert mime == "font/woff2" and font.flavor == "woff2"
    body = re.search(r"body\{font-family:([^;]+);", page)[1]
    assert f'"{family}"' in body and body.endswith("sans-serif")
    assert font["name"].getDebugName(1) == "Noto Sans CJK SC"
    assert "Open Font License" in font["name"].getDebugName(13)
    cmap = font.getBestCmap()
    text = _page_text(page)
    cjk = {c for c in text if ord(c) >= 0x2E80}
    assert cjk and {c for c in ("市", "州") if lang == "en"} <= cjk
    missing = sorted(c for c in cjk if ord(c) not in cmap)
    assert not missing, f"Chinese characters on the page missing from the web font: {missing}"
    # Other non-ASCII characters (±, –, ✓ ...) are kept wherever Noto Sans CJK has them.
    full = _full_cmap()
    dropped = sorted(c for c in set(text) if ord(c) in full and ord(c) not in cmap)
    assert not dropped, dropped
    assert all(ord(c) in cmap for c in fonts.WEB_FONT_BASE)
    css = re.search(r"<style>\n(/\* Noto Sans CJK SC.*?)</style>", page, flags=re.S)[1]
    assert "SIL Open Font License 1.1" in css
    limit = 400_000 if lang == "zh" else 120_000  # bytes added to the page
    assert len(css.encode()) < limit, len(css.encode())


def test_web_font_falls_back_to_opentype_without_brotli(monkeypatch):
    monkeypatch.setattr(fonts, "_woff2_available", lambda: False)
    css = fonts.web_font_css("督导")
    assert "data:font/otf;base64," in css and 'format("opentype")' in css
    font = TTFont(io.BytesIO(base64.b64decode(FACE.search(css)["data"])))
    assert font.flavor is None and {ord("督"), ord("导")} <= set(font.getBestCmap())


def test_pages_without_chinese_get_no_web_font():
    page = "<html><head><style>body{}</style></head><body>plain &amp; ASCII</body></html>"
    assert fonts.embed_web_font(page) == page


def test_use_cjk_fonts_en_draws_chinese_place_names(monkeypatch):
    """The global setting notebooks use: English first, Chinese names still render."""
    import matplotlib.pyplot as plt

    from dudao_sim.report import use_cjk_fonts

    monkeypatch.setenv("DUDAO_SIM_FONT", "packaged")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing")
        use_cjk_fonts("en")
        fig, ax = plt.subplots()
        ax.set_title("长沙市 Changsha")
        ax.plot([0, 1], [-1, 1])
        fig.canvas.draw()
        plt.close(fig)

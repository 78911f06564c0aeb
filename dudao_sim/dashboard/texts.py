"""The dashboard's words, read from the one text catalogue (table ``dashboard``).

The strings live in ``dudao_sim/i18n/zh.toml`` and ``en.toml`` under ``[dashboard]``, with
the same keys in both; lever, group, metric and scenario labels come from their own metadata
(``levers.toml``, the metric catalogue, the scenario files) and the key findings from
:mod:`dudao_sim.report.findings`. This module only prefixes the table.

Example:
    >>> text("run", "zh")
    '运行'
    >>> text("done", "en", n=3, cached=1, seconds=2.0)
    'Done: 3 runs (1 from the cache) in 2.0 s.'
"""

from __future__ import annotations

from dudao_sim.i18n import LANGS, section
from dudao_sim.i18n import text as catalogue_text

#: Table of the text catalogue holding the dashboard's words.
TEXT_TABLE = "dashboard"


def text(key: str, lang: str, **values: object) -> str:
    """The dashboard text ``key`` in ``lang``, formatted with ``values``.

    Args:
        key: A key of the catalogue's ``dashboard`` table, e.g. ``"run"``.
        lang: ``"zh"`` or ``"en"``.
        **values: Values for the text's placeholders.

    Returns:
        The text.

    Raises:
        ValueError: For an unknown language.
        MissingTextError: For an unknown key (a ``KeyError`` naming the key and the file).
    """
    return catalogue_text(f"{TEXT_TABLE}.{key}", lang, **values)


#: Language toggle options: (each language's name in itself, language code).
LANG_OPTIONS: tuple[tuple[str, str], ...] = tuple(
    (text(f"language.{code}", code), code) for code in LANGS
)


def all_text(lang: str) -> str:
    """Every dashboard text in ``lang``, joined (for subsetting the web font)."""
    return "".join(section(TEXT_TABLE, lang).values())

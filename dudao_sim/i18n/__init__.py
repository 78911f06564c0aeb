"""The interface text of dudao_sim in Chinese and English, one catalogue per language.

``zh.toml`` and ``en.toml`` beside this module hold every string the report, its figures, the
command line, the hierarchy summary, the vocabulary labels and the lever and metric groups
show — the same keys in both files, grouped in TOML tables (``report``, ``status``,
``target``, ``figure``, ``sensitivity``, ``hierarchy``, ``vocab``, ``lever_group``,
``metric_group``, ``cli``). A key is the dotted path, e.g. ``"report.sec-costs"`` or
``"hierarchy.level.city"``. Placeholders are :meth:`str.format` fields and are the same in
both languages.

Labels of single items stay with the items: metrics in ``metrics/catalogue.toml``, levers in
``policy/levers.toml``, scenarios in ``policy/scenarios/``, targets in ``policy/targets.toml``.

This module imports nothing from the rest of the package, so every layer may use it.

Example:
    >>> from dudao_sim.i18n import text
    >>> text("status.within_noise", "zh")
    '不显著'
    >>> text("report.cap-by-city", "en", n=12)
    'Mean of the last 12 months by 市州.'
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

#: Languages with a catalogue.
LANGS: tuple[str, ...] = ("zh", "en")

_FOLDER = Path(__file__).resolve().parent


class MissingTextError(KeyError):
    """A key that is not in the text catalogue."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"zh"`` or ``"en"``.

    Raises:
        ValueError: Naming the bad value and the allowed ones.
    """
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not allowed; use 'zh' or 'en'")
    return lang


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, path + "."))
        elif isinstance(value, str):
            out[path] = value
        else:
            raise ValueError(f"{path}: text must be a string, got {value!r}")
    return out


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Every text of one language: ``{dotted key: text}`` (read once from ``<lang>.toml``).

    Args:
        lang: ``"zh"`` or ``"en"``.

    Returns:
        The texts, unformatted.
    """
    check_lang(lang)
    with (_FOLDER / f"{lang}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def has_text(key: str) -> bool:
    """Whether ``key`` is in the catalogue (of both languages; a test keeps them equal)."""
    return key in catalogue("en")


def text(key: str, lang: str = "en", **values: object) -> str:
    """The text of ``key`` in ``lang``, its ``{fields}`` filled with ``values``.

    Args:
        key: Dotted key, e.g. ``"report.title"``.
        lang: ``"zh"`` or ``"en"``.
        **values: Values of the text's format fields.

    Returns:
        The text.

    Raises:
        ValueError: If ``lang`` is not ``"zh"`` or ``"en"``.
        MissingTextError: If ``key`` is not in the catalogue (naming the key and file).
        KeyError: If a format field has no value.
    """
    texts = catalogue(lang)
    try:
        template = texts[key]
    except KeyError:
        section = key.rsplit(".", 1)[0] + "." if "." in key else ""
        near = sorted(k for k in texts if section and k.startswith(section))[:5]
        hint = f"; keys of {section[:-1]!r} include {near}" if near else ""
        raise MissingTextError(
            f"text: {key!r} is not in the {lang} catalogue (dudao_sim/i18n/{lang}.toml){hint}"
        ) from None
    return template.format(**values)


def section(prefix: str, lang: str = "en") -> dict[str, str]:
    """The texts under one table, by their last key part, e.g. ``section("lever_group")``.

    Args:
        prefix: A table's dotted name.
        lang: ``"zh"`` or ``"en"``.

    Returns:
        ``{key without the prefix: text}`` (sub-tables included with their dotted rest).
    """
    head = prefix.rstrip(".") + "."
    return {k[len(head) :]: v for k, v in catalogue(lang).items() if k.startswith(head)}


__all__ = ["LANGS", "MissingTextError", "catalogue", "check_lang", "has_text", "section", "text"]

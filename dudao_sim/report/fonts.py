"""Fonts for Chinese figure labels: a fallback list of CJK fonts for matplotlib.

Matplotlib renders a missing glyph as an empty box ("tofu") and only warns. Setting one font
name (``sns.set_theme(font="SimHei")``) silently falls back to DejaVu Sans when that font is
absent, so :func:`use_cjk_fonts` sets a fallback **list** instead and reports whether any
CJK font is actually available; callers fall back to English labels when it is not.

Example:
    >>> from dudao_sim.report import use_cjk_fonts
    >>> lang = "zh" if use_cjk_fonts() else "en"  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

#: CJK fonts tried in order (Debian: fonts-noto-cjk, fonts-wqy-zenhei; macOS; Windows).
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
)

#: The ``font.sans-serif`` fallback list: the CJK fonts, then matplotlib's bundled font.
FONT_FALLBACK: tuple[str, ...] = (*CJK_FONTS, "DejaVu Sans")

#: Folders searched for CJK font files not yet in matplotlib's font cache.
SYSTEM_FONT_DIRS: tuple[Path, ...] = (Path("/usr/share/fonts"),)

_FONT_SUFFIXES = {".ttf", ".ttc", ".otf"}
_warned = False


class CJKFontWarning(UserWarning):
    """No CJK font is available to matplotlib; Chinese figure labels would show as boxes."""


def font_rc() -> dict[str, object]:
    """Matplotlib rc settings for figures with Chinese labels.

    Returns:
        ``font.family`` (sans-serif), the ``font.sans-serif`` fallback list and
        ``axes.unicode_minus = False`` (an ASCII minus sign, present in every font).
    """
    return {
        "font.family": ["sans-serif"],
        "font.sans-serif": list(FONT_FALLBACK),
        "axes.unicode_minus": False,
    }


def _is_cjk_file(path: Path) -> bool:
    name = path.name.lower()
    return path.suffix.lower() in _FONT_SUFFIXES and (
        "wqy" in name or "wenquanyi" in name or ("noto" in name and "cjk" in name)
    )


def register_system_cjk_fonts(dirs: Sequence[Path] | None = None) -> int:
    """Add CJK font files (Noto CJK, WenQuanYi) found under ``dirs`` to matplotlib.

    Needed when the fonts were installed after matplotlib built its font cache.

    Args:
        dirs: Folders searched recursively (default :data:`SYSTEM_FONT_DIRS`).

    Returns:
        The number of font files added.
    """
    dirs = SYSTEM_FONT_DIRS if dirs is None else dirs
    known = {Path(f.fname) for f in font_manager.fontManager.ttflist}
    added = 0
    for folder in map(Path, dirs):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not _is_cjk_file(path) or path in known:
                continue
            try:
                font_manager.fontManager.addfont(str(path))
            except (OSError, RuntimeError, ValueError):  # unreadable or unsupported file
                continue
            added += 1
    return added


def available_cjk_fonts() -> list[str]:
    """CJK fonts of :data:`CJK_FONTS` that matplotlib can use, in preference order.

    If none is in matplotlib's font list, the system font folders are searched once more
    (:func:`register_system_cjk_fonts`) before giving up.

    Returns:
        Font names; empty when no CJK font is available.
    """

    def found() -> list[str]:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return [name for name in CJK_FONTS if name in names]

    fonts = found()
    if not fonts and register_system_cjk_fonts():
        fonts = found()
    return fonts


def use_cjk_fonts() -> bool:
    """Configure matplotlib to draw Chinese labels with a fallback list of CJK fonts.

    Sets ``font.sans-serif`` to :data:`FONT_FALLBACK` and ``axes.unicode_minus = False``.
    Does not call ``sns.set_theme`` (which would reset the fonts); call this again after
    ``sns.set_theme()`` if you use it.

    Returns:
        ``True`` if a CJK font is available; otherwise ``False`` after warning once with
        :class:`CJKFontWarning`, and callers should use English labels.
    """
    global _warned
    mpl.rcParams.update(font_rc())
    if available_cjk_fonts():
        return True
    if not _warned:
        _warned = True
        warnings.warn(
            "no CJK font found for matplotlib (tried "
            + ", ".join(CJK_FONTS)
            + "); figures use English labels. On Debian/Ubuntu install fonts-noto-cjk or "
            "fonts-wqy-zenhei (make sysdeps).",
            CJKFontWarning,
            stacklevel=2,
        )
    return False

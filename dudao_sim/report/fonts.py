"""Fonts for Chinese text: matplotlib font lists for the figures, a web font for the report.

Matplotlib renders a missing glyph as an empty box ("tofu") and only warns. Setting one font
name (``sns.set_theme(font="SimHei")``) silently falls back to DejaVu Sans when that font is
absent, so :func:`use_cjk_fonts` sets a fallback **list** instead and reports whether any
CJK font is actually available; callers fall back to English labels when it is not.

Where the CJK font comes from (:func:`font_source`, environment variable ``DUDAO_SIM_FONT``):

- ``auto`` (default): a system CJK font (:data:`CJK_FONTS`) when one is installed, else the
  packaged face: Noto Sans CJK from the PyPI package ``noto-cjk-sans-otc`` (SIL Open Font
  License 1.1, a dependency of dudao_sim), registered with matplotlib at run time under the
  name :data:`PACKAGED_FONT_NAME` (no font-cache rebuild, no root, no Debian package);
- ``packaged``: the packaged face even where system fonts exist (what the tests use);
- ``system``: system fonts only.

English figures list the Latin font first and the CJK font after it, so English text keeps
its font while Chinese place names still render; Chinese figures list the CJK font first.

The HTML report embeds a web font (:func:`embed_web_font`): the packaged face subset to the
characters of the page, as base64 WOFF2 in an ``@font-face`` rule, so a browser without any
CJK font shows the Chinese text too.

Example:
    >>> from dudao_sim.report import use_cjk_fonts
    >>> lang = "zh" if use_cjk_fonts() else "en"  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import html
import importlib.metadata
import importlib.resources
import io
import os
import warnings
from collections.abc import Iterable, Sequence
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

#: The Latin font (matplotlib's bundled font, present everywhere).
LATIN_FONT = "DejaVu Sans"

#: Environment variable choosing the CJK font source: ``auto``, ``packaged`` or ``system``.
FONT_ENV = "DUDAO_SIM_FONT"

#: The values :data:`FONT_ENV` (and the ``source`` arguments) accept.
FONT_SOURCES: tuple[str, ...] = ("auto", "packaged", "system")

#: PyPI distribution, import name and file of the packaged font (SIL OFL 1.1).
PACKAGED_FONT_DIST = "noto-cjk-sans-otc"
PACKAGED_FONT_MODULE = "noto_cjk_sans_otc"
PACKAGED_FONT_FILE = "NotoSansCJK-Regular.ttc"

#: Face of the collection used: Simplified Chinese forms. Matplotlib < 3.11 reads only the
#: first face of a ``.ttc`` (Noto Sans CJK JP, which covers simplified Chinese as well).
PACKAGED_FACES: tuple[str, ...] = ("Noto Sans CJK SC", "Noto Sans CJK JP")

#: The name the packaged face is registered under (in matplotlib and in the report's CSS),
#: and its only name there: distinct from the system fonts' names, so that forcing it really
#: uses the packaged file and a system font of the same name is never shadowed.
PACKAGED_FONT_NAME = "dudao_sim CJK"

#: Folders searched for CJK font files not yet in matplotlib's font cache.
SYSTEM_FONT_DIRS: tuple[Path, ...] = (Path("/usr/share/fonts"),)

_FONT_SUFFIXES = {".ttf", ".ttc", ".otf"}
_warned = False


class CJKFontWarning(UserWarning):
    """No CJK font is available to matplotlib; Chinese figure labels would show as boxes."""


@dataclasses.dataclass(frozen=True)
class PackagedFont:
    """The packaged CJK font file and where it comes from.

    Attributes:
        path: The font file (an OpenType collection).
        dist: PyPI distribution that ships it.
        version: That distribution's version.
        license: Its licence expression (``OFL-1.1``).
        license_text: The licence text shipped with it.
    """

    path: Path
    dist: str
    version: str
    license: str
    license_text: str


def font_source(source: str | None = None) -> str:
    """The CJK font source in force.

    Args:
        source: ``"auto"``, ``"packaged"`` or ``"system"``; ``None`` reads the environment
            variable :data:`FONT_ENV` (``DUDAO_SIM_FONT``), default ``"auto"``.

    Returns:
        One of :data:`FONT_SOURCES`.

    Raises:
        ValueError: For any other value.
    """
    value = os.environ.get(FONT_ENV, "") if source is None else source
    value = value.strip().lower() or "auto"
    if value not in FONT_SOURCES:
        where = f"{FONT_ENV}={value!r}" if source is None else f"source={value!r}"
        raise ValueError(f"{where}: expected one of {', '.join(FONT_SOURCES)}")
    return value


def packaged_font_path() -> Path | None:
    """The packaged CJK font file, or ``None`` when ``noto-cjk-sans-otc`` is not installed."""
    try:
        path = Path(str(importlib.resources.files(PACKAGED_FONT_MODULE) / PACKAGED_FONT_FILE))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def packaged_font() -> PackagedFont | None:
    """The packaged CJK font with its distribution, version and licence.

    Returns:
        ``None`` when the font package is not installed.
    """
    path = packaged_font_path()
    if path is None:
        return None
    dist = importlib.metadata.distribution(PACKAGED_FONT_DIST)
    meta = dist.metadata
    files = [f for f in dist.files or () if f.name.upper().startswith(("LICENSE", "OFL"))]
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    return PackagedFont(
        path=path,
        dist=PACKAGED_FONT_DIST,
        version=dist.version,
        license=meta.get("License-Expression") or meta.get("License") or "",
        license_text=text,
    )


def font_rc(lang: str = "zh", source: str | None = None) -> dict[str, object]:
    """Matplotlib rc settings for figures that may show Chinese text.

    Args:
        lang: ``"zh"`` puts the CJK font first; ``"en"`` puts the Latin font first and the
            CJK font after it (for Chinese place names in English figures).
        source: CJK font source (:func:`font_source`).

    Returns:
        ``font.family`` and ``font.sans-serif`` set to the font list (concrete names, so
        text keeps its fonts whatever the settings when the figure is drawn), and
        ``axes.unicode_minus = False`` (an ASCII minus sign, present in every font).
    """
    return _rc(lang, available_cjk_fonts(source))


def _rc(lang: str, cjk: Sequence[str]) -> dict[str, object]:
    # One CJK face is enough (each covers simplified Chinese); listing more makes matplotlib
    # look each up and log weight warnings for faces such as WenQuanYi (weight 500 only).
    cjk = list(cjk[:1])
    names = [LATIN_FONT, *cjk] if lang == "en" else [*cjk, LATIN_FONT]
    return {
        "font.family": list(names),
        "font.sans-serif": list(names),
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


def register_packaged_font() -> bool:
    """Register the packaged face with matplotlib as :data:`PACKAGED_FONT_NAME`.

    Uses ``fontManager.addfont`` (no font-cache rebuild); does nothing if already done.

    Returns:
        ``True`` if the packaged face is available to matplotlib.
    """
    manager = font_manager.fontManager
    if any(f.name == PACKAGED_FONT_NAME for f in manager.ttflist):
        return True
    path = packaged_font_path()
    if path is None:
        return False
    fname = os.fsdecode(path)
    try:
        manager.addfont(fname)
    except (OSError, RuntimeError, ValueError):  # unreadable or unsupported file
        return False
    faces = [f for f in manager.ttflist if os.fsdecode(f.fname) == fname]
    if not faces:
        return False
    by_name = {f.name: f for f in reversed(faces)}  # the first entry of each name
    face = next((by_name[n] for n in PACKAGED_FACES if n in by_name), faces[0])
    # Keep one entry, under its own name (addfont registered every face under Noto's names).
    manager.ttflist[:] = [f for f in manager.ttflist if os.fsdecode(f.fname) != fname]
    manager.ttflist.append(dataclasses.replace(face, name=PACKAGED_FONT_NAME))
    clear = getattr(manager._findfont_cached, "cache_clear", None)
    if clear is not None:
        clear()
    return True


def _system_cjk_fonts() -> list[str]:
    def found() -> list[str]:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return [name for name in CJK_FONTS if name in names]

    fonts = found()
    if not fonts and register_system_cjk_fonts():
        fonts = found()
    return fonts


def available_cjk_fonts(source: str | None = None) -> list[str]:
    """CJK fonts that matplotlib will use, in preference order.

    With the ``auto`` source: the fonts of :data:`CJK_FONTS` known to matplotlib (searching
    the system font folders once more if none is, :func:`register_system_cjk_fonts`), else
    the packaged face (:data:`PACKAGED_FONT_NAME`). ``packaged``: only the packaged face;
    ``system``: only system fonts.

    Args:
        source: CJK font source (:func:`font_source`; default from ``DUDAO_SIM_FONT``).

    Returns:
        Font names; empty when no CJK font is available.
    """
    mode = font_source(source)
    if mode != "packaged":
        fonts = _system_cjk_fonts()
        if fonts or mode == "system":
            return fonts
    return [PACKAGED_FONT_NAME] if register_packaged_font() else []


def use_cjk_fonts(lang: str = "zh", source: str | None = None) -> bool:
    """Configure matplotlib to draw Chinese text with a fallback list of fonts.

    Sets ``font.family`` and ``font.sans-serif`` to the concrete font list of :func:`font_rc`
    (a generic ``sans-serif`` family would not fall back to the CJK face for Chinese names in
    English figures) and ``axes.unicode_minus = False``. Does not call ``sns.set_theme``
    (which would reset the fonts); call this again after ``sns.set_theme()`` if you use it.

    Args:
        lang: ``"zh"`` (CJK font first) or ``"en"`` (Latin font first, CJK after it).
        source: CJK font source (:func:`font_source`; default from ``DUDAO_SIM_FONT``).

    Returns:
        ``True`` if a CJK font is available; otherwise ``False`` after warning once with
        :class:`CJKFontWarning`, and callers should use English labels.
    """
    global _warned
    cjk = available_cjk_fonts(source)
    mpl.rcParams.update(_rc(lang, cjk))
    if cjk:
        return True
    if not _warned:
        _warned = True
        warnings.warn(
            "no CJK font found for matplotlib (tried "
            + ", ".join(CJK_FONTS)
            + f" and the packaged Noto Sans CJK of {PACKAGED_FONT_DIST}); figures use "
            f"English labels. Install dudao_sim's dependencies (pip install "
            f"{PACKAGED_FONT_DIST}), or a system font (Debian/Ubuntu: make sysdeps), and "
            f"check {FONT_ENV} (now {font_source(source)!r}).",
            CJKFontWarning,
            stacklevel=2,
        )
    return False


# --- web font for the HTML report -----------------------------------------------------------

#: Characters always put in the web font besides the page's: printable ASCII.
WEB_FONT_BASE = "".join(chr(c) for c in range(0x20, 0x7F))

#: Name records kept in the web font: family/style/version (1-6), copyright (0) and the
#: licence description and URL (13, 14).
_WEB_FONT_NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]


@functools.lru_cache(maxsize=4)
def _face_index(path: str) -> int:
    from fontTools.ttLib import TTCollection

    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    collection = TTCollection(path, lazy=True)
    try:
        names = [f["name"].getDebugName(1) for f in collection.fonts]
    finally:
        collection.close()
    return next((names.index(n) for n in PACKAGED_FACES if n in names), 0)


def _woff2_available() -> bool:
    try:
        import brotli  # noqa: F401
    except ImportError:
        return False
    return True


def subset_font(chars: Iterable[str], flavor: str | None = "woff2") -> bytes | None:
    """The packaged face (Simplified Chinese forms) cut down to ``chars`` and ASCII.

    Args:
        chars: Characters to keep (strings of any length; duplicates are fine).
        flavor: ``"woff2"`` (needs ``brotli``), ``"woff"`` or ``None`` (plain OpenType).

    Returns:
        The font file's bytes, or ``None`` when the packaged font is not installed.
    """
    path = packaged_font_path()
    if path is None:
        return None
    wanted = frozenset({ord(c) for text in chars for c in text} | {ord(c) for c in WEB_FONT_BASE})
    return _subset(str(path), wanted, flavor)


@functools.lru_cache(maxsize=8)
def _subset(path: str, wanted: frozenset[int], flavor: str | None) -> bytes:
    # Cached: reports in one language mostly share their characters (numbers are ASCII).
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=_face_index(path), lazy=True)
    try:
        options = subset.Options()
        options.name_IDs = list(_WEB_FONT_NAME_IDS)
        options.name_languages = [0x409]
        options.hinting = False
        options.desubroutinize = True
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(wanted))
        subsetter.subset(font)
        font.flavor = flavor
        buffer = io.BytesIO()
        font.save(buffer)
    finally:
        font.close()
    return buffer.getvalue()


def web_font_css(chars: Iterable[str]) -> str:
    """An ``@font-face`` rule for :data:`PACKAGED_FONT_NAME` covering ``chars`` (and ASCII).

    The font is embedded as base64 WOFF2 (plain OpenType without ``brotli``).

    Args:
        chars: The characters the page shows.

    Returns:
        The CSS rule, or ``""`` when the packaged font is not installed.
    """
    font = packaged_font()
    if font is None:
        return ""
    flavor, mime, fmt = (
        ("woff2", "font/woff2", "woff2") if _woff2_available() else (None, "font/otf", "opentype")
    )
    data = subset_font(chars, flavor=flavor)
    if data is None:
        return ""
    b64 = base64.b64encode(data).decode("ascii")
    return (
        f"/* Noto Sans CJK SC ({font.dist} {font.version}), subset to this page's characters;"
        f" {font.license}: SIL Open Font License 1.1 */\n"
        f'@font-face{{font-family:"{PACKAGED_FONT_NAME}";'
        f'src:url(data:{mime};base64,{b64}) format("{fmt}");'
        "font-weight:400;font-style:normal}\n"
    )


def _needs_web_font(text: str) -> bool:
    return any(ord(c) >= 0x2E80 for c in text)  # CJK radicals onward


def embed_web_font(page: str) -> str:
    """Add a ``<style>`` with :func:`web_font_css` for the page's characters before ``</head>``.

    The page's CSS should list :data:`PACKAGED_FONT_NAME` in its ``font-family`` (after any
    system fonts preferred). Pages without CJK characters, or without ``</head>``, or when
    the packaged font is not installed, are returned unchanged.

    Args:
        page: The HTML page.

    Returns:
        The page with the web font embedded.
    """
    text = html.unescape(page)
    if "</head>" not in page or not _needs_web_font(text):
        return page
    css = web_font_css(sorted(set(text)))
    if not css:
        return page
    return page.replace("</head>", f"<style>\n{css}</style>\n</head>", 1)

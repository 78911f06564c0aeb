r"""Terminal tables that fit the screen: display widths, wrapping and column layout.

It sits with the text catalogue because how much room a text takes depends on its language,
and below every layer that prints (the command line, the structure summary) so that each lays
out Chinese and English text by the same rules.

A terminal shows East-Asian wide and fullwidth characters (Chinese, fullwidth punctuation)
in two columns, everything else in one (:func:`display_width`), so Chinese labels are padded
by display width, not by ``len``. :func:`render` lays out a table of text cells within a
width (:data:`MAX_WIDTH`, 100 columns): titles wrap to their column; a *flex* column (a label)
wraps its cells too when the table would be wider; numbers never wrap. :func:`chunks` splits
many value columns into tables that fit side by side with the row labels.

Characters of ambiguous width (``—``, ``×``, ``·``, arrows) count as one column, as most
terminals show them; the tables draw their rules with ASCII ``-`` so they stay straight in
terminals that show ambiguous characters wide.

Example:
    >>> display_width("全面覆盖 index")
    14
    >>> print("\n".join(render([Column("指标"), Column("值", "right")], [["全面覆盖", "0.5"]])))
    指标       值
    --------  ---
    全面覆盖  0.5
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

#: Widest line the command line prints, in display columns.
MAX_WIDTH = 100
#: Spaces between columns.
GAP = 2
#: Narrowest a flex column becomes.
MIN_WRAP = 10
#: A title wider than its cells widens the column up to this many columns, then wraps.
TITLE_WIDTH = 26


def char_width(char: str) -> int:
    """Display columns of one character.

    2 for East-Asian wide (W) and fullwidth (F), 0 for combining marks and zero-width format
    characters, else 1.
    """
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (one line; see :func:`char_width`).

    Example:
        >>> display_width("年督导成本（元）"), display_width("cost"), len("年督导成本（元）")
        (16, 4, 8)
    """
    return sum(char_width(c) for c in text)


def pad(text: str, width: int, align: str = "left") -> str:
    """``text`` padded with spaces to ``width`` display columns (left or right aligned)."""
    fill = " " * max(width - display_width(text), 0)
    return fill + text if align == "right" else text + fill


def _tokens(text: str) -> list[str]:
    """Words with their trailing spaces; each wide character is a token of its own."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if char_width(char) == 2:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        elif char == " " or not word or not word.endswith(" "):
            word += char
        else:
            tokens.append(word)
            word = char
    if word:
        tokens.append(word)
    return tokens


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` display columns.

    Latin text breaks at spaces, Chinese between any two characters; a word wider than
    ``width`` is cut. Existing line breaks are kept.

    Example:
        >>> wrap("Fake rectification share", 12)
        ['Fake', 'rectificatio', 'n share']
        >>> wrap("虚假整改比例", 8)
        ['虚假整改', '比例']
    """
    if width < 1:
        raise ValueError(f"width: {width} is not allowed; must be >= 1")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if display_width((line + token).rstrip()) <= width:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = token.lstrip()
            while display_width(line.rstrip()) > width:  # a word wider than the line: cut
                cut, used = "", 0
                for char in line:
                    if used + char_width(char) > width:
                        break
                    cut += char
                    used += char_width(char)
                lines.append(cut)
                line = line[len(cut) :]
        lines.append(line.rstrip())
    return lines


@dataclass(frozen=True)
class Column:
    r"""A column of a table.

    Attributes:
        title: Heading (may hold ``\n``; wraps to the column's width).
        align: ``"left"`` or ``"right"`` (numbers).
        flex: The cells may wrap when the table is too wide (labels, not numbers).
    """

    title: str
    align: str = "left"
    flex: bool = False


def _widest(lines: Sequence[str]) -> int:
    return max((display_width(line) for line in lines), default=0)


def _title_width(title: str) -> int:
    return max((display_width(t.strip()) for t in _tokens(title.replace("\n", " "))), default=0)


def column_widths(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int = MAX_WIDTH
) -> list[int]:
    r"""Display width of each column: its widest cell, its title wrapped if that is wider.

    A title wider than the cells widens the column up to :data:`TITLE_WIDTH` columns (or its
    longest word), then wraps. When the table is wider than ``width``, flex columns shrink
    (wrapping their cells) down to :data:`MIN_WRAP`.

    Args:
        columns: The columns.
        rows: Cell texts, one sequence per row (cells may hold ``\n``).
        width: The widest the table may be.

    Returns:
        One width per column.
    """
    widths = []
    for i, column in enumerate(columns):
        cells = max((_widest(row[i].split("\n")) for row in rows), default=0)
        title = _widest(column.title.split("\n"))
        floor = max(cells, min(title, max(TITLE_WIDTH, _title_width(column.title))))
        widths.append(max(floor, 1))
    excess = sum(widths) + GAP * (len(widths) - 1) - width
    flexible = [i for i, c in enumerate(columns) if c.flex]
    while excess > 0 and flexible:
        i = max(flexible, key=lambda k: widths[k])
        if widths[i] <= MIN_WRAP:
            break
        step = min(excess, widths[i] - MIN_WRAP)
        widths[i] -= step
        excess -= step
    return widths


def render(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int = MAX_WIDTH,
    widths: Sequence[int] | None = None,
    header: bool = True,
) -> list[str]:
    """Lay out a table: headings (bottom-aligned), a rule of ``-`` and the rows.

    Every line has each column padded to its display width and :data:`GAP` spaces between
    columns (trailing spaces removed), so the columns line up in Chinese as in English.

    Args:
        columns: The columns.
        rows: Cell texts, one sequence per row, as many cells as columns.
        width: The widest the table should be (flex columns wrap to stay within it).
        widths: Column widths to use instead of :func:`column_widths` (to continue a table
            in blocks that line up).
        header: Include the headings and the rule.

    Returns:
        The lines.

    Raises:
        ValueError: If a row has a different number of cells than there are columns.
    """
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row {list(row)!r}: {len(row)} cells for {len(columns)} columns")
    widths = list(widths) if widths is not None else column_widths(columns, rows, width)
    lines = []
    if header:
        titles = [wrap(c.title, w) for c, w in zip(columns, widths, strict=True)]
        height = max(len(t) for t in titles)
        titles = [[""] * (height - len(t)) + t for t in titles]
        lines += [_line(columns, widths, [t[k] for t in titles]) for k in range(height)]
        lines.append(_line(columns, widths, ["-" * w for w in widths]))
    for row in rows:
        cells = [
            wrap(cell, w) if c.flex else cell.split("\n")
            for c, w, cell in zip(columns, widths, row, strict=True)
        ]
        tall = max(len(c) for c in cells)
        for k in range(tall):
            lines.append(_line(columns, widths, [c[k] if k < len(c) else "" for c in cells]))
    return lines


def _line(columns: Sequence[Column], widths: Sequence[int], cells: Sequence[str]) -> str:
    parts = [pad(cell, w, c.align) for c, w, cell in zip(columns, widths, cells, strict=True)]
    return (" " * GAP).join(parts).rstrip()


def chunks(lead: int, widths: Sequence[int], width: int = MAX_WIDTH) -> list[list[int]]:
    """Split value columns into tables that fit beside the row-label columns.

    Args:
        lead: Display width the row-label columns take (gaps included).
        widths: Width of each value column.
        width: The widest a table may be.

    Returns:
        Lists of column indices, in order, as evenly sized as fits; a column too wide to
        share a table gets one of its own.

    Example:
        >>> chunks(17, [25, 25, 25, 25])
        [[0, 1], [2, 3]]
    """
    greedy: list[list[int]] = []
    used = lead
    for i, w in enumerate(widths):
        if greedy and used + GAP + w <= width:
            greedy[-1].append(i)
            used += GAP + w
        else:
            greedy.append([i])
            used = lead + GAP + w
    n = len(greedy)
    size = -(-len(widths) // n) if n else 0
    even = [list(range(k, min(k + size, len(widths)))) for k in range(0, len(widths), size or 1)]
    fits = all(lead + sum(GAP + widths[i] for i in part) <= width for part in even)
    return even if len(even) == n and fits else greedy

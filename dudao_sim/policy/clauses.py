"""The source document, clause by clause.

``opinions_zh.txt`` beside this module is the text of Hunan's 关于深化新时代教育督导体制机制改革的
实施意见. :func:`clauses` splits it into its numbered clauses (一)…(二十五), so that levers,
scenario files and documentation can cite a clause and show its title and text.

Example:
    >>> from dudao_sim.policy.clauses import clauses
    >>> clauses()["十七"].title
    '充实教育督导力量'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

OPINIONS_FILE = Path(__file__).with_name("opinions_zh.txt")
_CLAUSE = re.compile(r"（([一二三四五六七八九十]{1,3})）([^。]*)。")


@dataclass(frozen=True)
class Clause:
    """One numbered clause of the document.

    Attributes:
        number: Chinese numeral, e.g. ``"十七"``.
        title: The clause's first sentence (its heading).
        text: The whole clause.
    """

    number: str
    title: str
    text: str


@cache
def clauses() -> dict[str, Clause]:
    """Every numbered clause of the document, in order.

    Returns:
        ``{number: Clause}`` for (一)…(二十五).
    """
    text = OPINIONS_FILE.read_text(encoding="utf-8")
    matches = list(_CLAUSE.finditer(text))
    out = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[match.start() : end]
        body = re.split(r"\s+[一二三四五六]、", body)[0].strip()  # drop the next part's heading
        out[match.group(1)] = Clause(match.group(1), match.group(2).strip(), body)
    return out

"""Keyed citations: the ``refs`` field of data files and ``[@key]`` markers in text.

Works are cited by key. A TOML record (a lever, an assumption, a scenario value, a target, a
data provenance entry) lists its keys in ``refs = ["allen_2012"]`` beside its free-text
``source`` or ``note``; Markdown and docstrings write ``[@allen_2012]`` (pandoc style, several
keys as ``[@a_2001; @b_2002]``). The keys resolve to entries of ``docs/references.toml``,
rendered into ``docs/references.md`` by ``tools/render_references.py``; the test suite checks
that every key resolves (this module's own examples excepted). This module checks only the
syntax, so loaders can validate ``refs`` without reading the documentation.

Example:
    >>> check_refs(["allen_2012", "luginbuhl_2009"], "conditions.toml, quality_gain")
    ('allen_2012', 'luginbuhl_2009')
    >>> cited_keys("a gain of 0.1 SD [@allen_2012; @luginbuhl_2009]")
    ['allen_2012', 'luginbuhl_2009']
"""

from __future__ import annotations

import re

#: A reference key: lowercase ASCII words joined by underscores, at least two of them
#: (``firstauthor_year`` or ``issuer_year_topic``).
REF_KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")

#: A citation marker in text: ``[@key]`` or ``[@key1; @key2]`` (any text up to the bracket is
#: taken as keys, so a misspelt key is reported rather than overlooked).
MARKER = re.compile(r"\[@([^\]\n]+)\]")


def check_refs(value: object, where: str) -> tuple[str, ...]:
    """Return ``value`` as a tuple of reference keys, or raise if it is not a list of keys.

    Args:
        value: The ``refs`` value read from a file.
        where: Where it was read (file and record), for the message.

    Returns:
        The keys, in the order given.

    Raises:
        ValueError: Naming ``where``, the value and the expected form.
    """
    if not isinstance(value, list | tuple) or not all(isinstance(k, str) for k in value):
        raise ValueError(
            f"{where}: refs = {value!r} is not allowed; write a list of reference keys, e.g. "
            'refs = ["allen_2012"]'
        )
    bad = [k for k in value if not REF_KEY.fullmatch(k)]
    if bad:
        raise ValueError(
            f"{where}: refs key {bad[0]!r} is not a reference key (lowercase words joined by "
            "underscores, e.g. allen_2012; see docs/references.toml)"
        )
    return tuple(value)


def cited_keys(text: str) -> list[str]:
    """Keys cited by ``[@key]`` markers in ``text``, in order of appearance (repeats kept).

    Args:
        text: Markdown, a docstring or any text.

    Returns:
        The cited keys.
    """
    return [
        key.strip().lstrip("@")
        for group in MARKER.findall(text)
        for key in group.split(";")
        if key.strip()
    ]

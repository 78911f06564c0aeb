"""What the report's findings rest on: synthesized inputs, seed noise, unconfirmed assumptions.

Everything here is read from the repository's own records, not written by hand per report:
which input columns are synthesized (the province's provenance, in the report manifest),
which behavioural assumptions cite evidence (their ``source`` in
``policy/assumptions/*.toml``) and which metrics the validation compares with published
figures (:data:`VALIDATED_METRICS`, the bands of ``tests/test_validity.py``).

Example:
    >>> counts = uncited_by_submodel()
    >>> sum(counts.values()) <= len(ASSUMPTIONS)
    True
    >>> is_cited("assumption; gains build over 2-3 years (Allen & Burgess 2012)")
    True
    >>> is_cited("assumption (clause 十三)")
    False
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from dudao_sim.policy.assumptions import ASSUMPTIONS

#: Metrics the validation compares with bands written from published figures
#: (``tests/test_validity.py``: licence revocations against the fall in Hunan's private
#: schools, county heads interviewed after the 2017 province-wide check, school sanctions per
#: 1,000 schools).
VALIDATED_METRICS: tuple[str, ...] = (
    "n_licences_revoked",
    "n_county_heads_interviewed",
    "n_sanction_interview_school",
    "n_sanction_circular_school",
    "n_sanction_accountability_school",
)

# A source cites evidence when it names a work: a year (1900-2099), "et al." or a document
# number such as 湘政办发〔2019〕25号 or a journal reference.
_CITATION = re.compile(r"(19|20)\d\d|et al\.|〔\d{4}〕|\d+:\d+")


def is_cited(source: str, refs: Iterable[str] = ()) -> bool:
    """Whether an assumption's source cites evidence (keyed ``refs``, or a work named).

    A source that only says ``assumption`` (perhaps naming the clause it serves) is a
    modelling choice: nothing outside the model backs its value.
    """
    return bool(list(refs)) or bool(_CITATION.search(source))


def uncited_assumptions() -> list[str]:
    """Names of the behavioural assumptions whose source cites no evidence, in file order."""
    return [
        name
        for name, a in ASSUMPTIONS.items()
        if not is_cited(a.source, getattr(a, "refs", None) or ())
    ]


def uncited_by_submodel() -> dict[str, int]:
    """How many uncited assumptions each submodel (assumption file) holds, largest first."""
    counts: dict[str, int] = {}
    for name in uncited_assumptions():
        submodel = ASSUMPTIONS[name].submodel
        counts[submodel] = counts.get(submodel, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def synthesized_items(synthesized: Mapping[str, Sequence[str]]) -> list[tuple[str, list[str]]]:
    """The manifest's synthesized columns as ``[(table, [columns])]``, tables with columns only."""
    return [(str(t), [str(c) for c in cols]) for t, cols in synthesized.items() if cols]


def unconfirmed(metrics: Iterable[str]) -> list[str]:
    """The metrics of ``metrics`` that the validation does not compare with published figures."""
    return [m for m in metrics if m not in VALIDATED_METRICS]


__all__ = [
    "ASSUMPTIONS",
    "VALIDATED_METRICS",
    "is_cited",
    "synthesized_items",
    "uncited_assumptions",
    "uncited_by_submodel",
    "unconfirmed",
]

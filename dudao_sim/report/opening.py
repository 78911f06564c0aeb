"""The report's first page: key findings, caveats and the table of contents.

The findings come from :mod:`dudao_sim.report.findings` (catalogue directions and paired
intervals), the caveats from :mod:`dudao_sim.report.caveats` (the manifest's synthesized
columns, the assumptions' sources, the validated metrics); both are generated from the data,
never written per report.
"""

from __future__ import annotations

from collections.abc import Callable

from dudao_sim.i18n import has_text, text
from dudao_sim.policy.assumptions import ASSUMPTIONS
from dudao_sim.report.caveats import (
    VALIDATED_METRICS,
    synthesized_items,
    uncited_assumptions,
    uncited_by_submodel,
    unconfirmed,
)
from dudao_sim.report.cells import esc, join_words, note, section
from dudao_sim.report.findings import findings_html, headline
from dudao_sim.report.labels import metric_label
from dudao_sim.report.levers import unresolved
from dudao_sim.report.sections import SECTIONS, ReportInputs

#: Table of the text catalogue holding the page's text (:meth:`ReportInputs.t`).
TEXT_TABLE = "report"


def submodel_label(name: str, lang: str) -> str:
    """A submodel's (assumption file's) name in ``lang`` (the file name if not listed)."""
    key = f"report.submodels.{name}"
    return text(key, lang) if has_text(key) else name


def findings_section(r: ReportInputs) -> str:
    """Key findings per scenario against the baseline, in plain words."""
    base = r.labels[r.baseline]
    blocks = []
    for name, found in r.findings.items():
        title = r.t("findings-title", scenario=r.labels[name], base=base)
        block = findings_html(
            found,
            base,
            r.lang,
            title=title,
            heading="h3",
            one_per_line=name == r.main,
            summary=headline(found, r.lang),
        )
        blocks.append(f'<div class="finding" data-scenario="{esc(name)}">{block}</div>')
    if not blocks:
        blocks.append(note(r.t("findings-none")))
    intro = r.t(
        "findings-intro",
        n=r.last_months,
        k=len(r.manifest["seeds"]),  # type: ignore[arg-type]
        level=f"{100 * r.level:g}",
        base=base,
    )
    return section("section-findings", r.t("sec-findings"), note(intro) + "\n" + "\n".join(blocks))


def caveats_section(r: ReportInputs) -> str:
    """What the findings rest on: synthesized inputs, seed noise, unconfirmed assumptions."""
    lang = r.lang
    items = []
    synthesized = synthesized_items(r.manifest["synthesized"])  # type: ignore[arg-type]
    if synthesized:
        listed = "; ".join(f"{t}: {', '.join(cols)}" for t, cols in synthesized)
        items.append(
            ("synthesized", r.t("caveat-synth", province=r.manifest["province"], listed=listed))
        )
    else:
        items.append(("synthesized", r.t("caveat-synth-none", province=r.manifest["province"])))
    items.append(
        (
            "noise",
            r.t(
                "caveat-noise",
                level=f"{100 * r.level:g}",
                k=len(r.manifest["seeds"]),  # type: ignore[arg-type]
            ),
        )
    )
    moved = list(
        dict.fromkeys(f.metric for found in r.findings.values() for f in found if f.bin != "noise")
    )
    resting = unconfirmed(moved)
    confirmed = [m for m in moved if m in VALIDATED_METRICS]
    by_submodel = join_words(
        [f"{submodel_label(k, lang)} {v}" for k, v in uncited_by_submodel().items()], lang
    )
    items.append(
        (
            "assumptions",
            r.t(
                "caveat-assumptions",
                uncited=len(uncited_assumptions()),
                total=len(ASSUMPTIONS),
                by_submodel=by_submodel,
                validated=join_words([metric_label(m, lang) for m in VALIDATED_METRICS], lang),
            ),
        )
    )
    if resting:
        items.append(
            (
                "unconfirmed",
                r.t(
                    "caveat-unconfirmed",
                    n=len(resting),
                    listed=join_words([metric_label(m, lang) for m in resting], lang),
                ),
            )
        )
    if confirmed:
        items.append(
            (
                "confirmed",
                r.t(
                    "caveat-confirmed",
                    listed=join_words([metric_label(m, lang) for m in confirmed], lang),
                ),
            )
        )
    if r.lever_overrides:
        listed = ", ".join(f"{k} = {v}" for k, v in r.lever_overrides.items())
        items.append(("overrides", r.t("caveat-overrides", listed=listed)))
    missing = unresolved(r.names)
    if missing:
        items.append(("levers", r.t("caveat-levers", listed=", ".join(missing))))
    body = "<ul>" + "".join(f'<li data-caveat="{k}">{esc(v)}</li>' for k, v in items) + "</ul>"
    return section("section-caveats", r.t("sec-caveats"), body)


#: Sections before the table of contents, in order: ``(id, title key, builder)``.
OPENING: tuple[tuple[str, str, Callable[[ReportInputs], str]], ...] = (
    ("section-findings", "sec-findings", findings_section),
    ("section-caveats", "sec-caveats", caveats_section),
)


def contents(r: ReportInputs) -> str:
    """The table of contents: a link to every section."""
    items = "".join(
        f'<li><a href="#{sec_id}">{esc(r.t(key))}</a></li>'
        for sec_id, key, _ in (*OPENING, *SECTIONS)
    )
    return f'<nav id="toc"><h2>{esc(r.t("toc"))}</h2><ol>{items}</ol></nav>'

"""Reform-comparison report: figures and a self-contained HTML page, in Chinese or English.

Example:
    >>> from dudao_sim.report import write_report
    >>> path = write_report(runs, regional, manifest, "out/", lang="zh")  # doctest: +SKIP

:func:`use_cjk_fonts` configures matplotlib for Chinese labels; the figures are in
:mod:`dudao_sim.report.figures`.
"""

from dudao_sim.report.fonts import CJKFontWarning, use_cjk_fonts
from dudao_sim.report.html import write_report

__all__ = ["CJKFontWarning", "use_cjk_fonts", "write_report"]

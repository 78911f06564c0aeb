"""The monthly calendar of a run.

Month 0 is a January; plans are made in January, governments evaluated in November, and
ratings and confirmations happen in December.

Example:
    >>> cal = Calendar(warmup_months=24)
    >>> cal.month_of_year(13), cal.year(13), cal.is_january(24)
    (2, 1, True)
"""

from __future__ import annotations

from dataclasses import dataclass

#: Months in a year (structural: the calendar, rolling 12-month windows, monthly rates).
MONTHS_PER_YEAR = 12
#: Calendar month of the annual government evaluations (their results enter December's ratings).
EVALUATION_MONTH = 11
#: Default length of the shared pre-reform warm-up (two years).
DEFAULT_WARMUP_MONTHS = 24


@dataclass(frozen=True)
class Calendar:
    """Monthly calendar of a run (month 0 is a January).

    Attributes:
        warmup_months: Months of the shared pre-reform warm-up.
    """

    warmup_months: int = DEFAULT_WARMUP_MONTHS

    @staticmethod
    def month_of_year(t: int) -> int:
        """Calendar month 1-12 of model month ``t``."""
        return t % MONTHS_PER_YEAR + 1

    @staticmethod
    def year(t: int) -> int:
        """Year index of model month ``t`` (0 = first year of the warm-up)."""
        return t // MONTHS_PER_YEAR

    def is_january(self, t: int) -> bool:
        """Annual plans are made and reported upward (四)."""
        return self.month_of_year(t) == 1

    def is_december(self, t: int) -> bool:
        """Annual evaluations, ratings and consequences."""
        return self.month_of_year(t) == MONTHS_PER_YEAR

    def is_evaluation_month(self, t: int) -> bool:
        """Governments are evaluated in November (results enter December's ratings)."""
        return self.month_of_year(t) == EVALUATION_MONTH

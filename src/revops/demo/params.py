"""What the demo company generator is asked for: size, span, seed, defect rates and the
market's regimes (a slowdown, a recovery)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DefectRates(BaseModel):
    """Shares of records that get each realistic defect (ground truth keeps every one)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    duplicate_person: float = Field(0.04, ge=0, le=1, description="People entered twice.")
    duplicate_account: float = Field(0.03, ge=0, le=1, description="Companies entered twice.")
    missing_required: float = Field(0.01, ge=0, le=1, description="Required fields left empty.")
    invalid_email: float = Field(0.01, ge=0, le=1, description="Malformed email addresses.")
    invalid_phone: float = Field(0.02, ge=0, le=1, description="Malformed phone numbers.")
    inconsistent_country: float = Field(
        0.05, ge=0, le=1, description="Countries spelled other than ISO codes (USA, U.S., ...)."
    )
    inconsistent_industry: float = Field(
        0.05, ge=0, le=1, description="Industries spelled other than the canonical names."
    )
    orphan_reference: float = Field(
        0.005, ge=0, le=1, description="References to records that do not exist."
    )


class Regime(BaseModel):
    """The market from a day on: every deal that would be won from `start` is won with its
    chance × `win_rate` (the chance it had in the market before any regime × the factor)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date = Field(description="First day of the regime (deals closing from then).")
    win_rate: float = Field(
        gt=0, le=2, description="Factor on every deal's chance of being won (1: the usual)."
    )


class DemoParams(BaseModel):
    """Parameters of one generated company; written to truth/params.json."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accounts: int = Field(2_000, ge=50, description="Companies in the market the CRM knows.")
    years: int = Field(3, ge=1, le=10, description="Fiscal years of history.")
    seed: int = Field(42, ge=0, description="Random seed: same seed, same bytes.")
    as_of: date = Field(description="The 'today' of the company: history ends with its quarter.")
    fiscal_year_start_month: int = Field(2, ge=1, le=12, description="Fiscal year start month.")
    defects: DefectRates = Field(default_factory=DefectRates, description="Defect rates.")
    one_off_buyers: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Share of the companies that never subscribe that order now and then, "
        "invoiced without a subscription (revops.demo.world.orders); 0: none.",
    )
    regimes: tuple[Regime, ...] = Field(
        (),
        description="Changes of the market, in order of their start: a slowdown "
        "(win_rate < 1), a recovery (win_rate 1). None: the same market throughout.",
    )

    @model_validator(mode="after")
    def _regimes_in_order(self) -> DemoParams:
        starts = [r.start for r in self.regimes]
        if starts != sorted(set(starts)):
            raise ValueError(f"regimes must start on distinct days in order, not {starts}")
        return self

    def win_rate_on(self, day: date) -> float:
        """The factor on win chances of a deal closing on `day`.

        Examples:
            >>> params = DemoParams(as_of=date(2026, 11, 22), regimes=[
            ...     Regime(start=date(2025, 7, 1), win_rate=0.8),
            ...     Regime(start=date(2026, 2, 1), win_rate=1.0)])
            >>> [params.win_rate_on(date(y, m, 1)) for y, m in ((2025, 6), (2025, 7), (2026, 2))]
            [1.0, 0.8, 1.0]
        """
        factor = 1.0
        for regime in self.regimes:
            if regime.start <= day:
                factor = regime.win_rate
        return factor


def history_start(params: DemoParams) -> date:
    """First day of the company's history: the start of the fiscal quarter `4 × years - 1`
    quarters before the one holding `as_of`, so history spans `years` fiscal years of
    quarters ending with the current one.

    Examples:
        >>> history_start(DemoParams(as_of=date(2026, 11, 22), years=3))
        datetime.date(2024, 2, 1)
    """
    from revops.core import FiscalCalendar

    calendar = FiscalCalendar(params.fiscal_year_start_month)
    current = calendar.period_of(params.as_of, "quarter")
    return current.shift(-(4 * params.years - 1)).start

"""What the demo company generator is asked for: size, span, seed and defect rates."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


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


class DemoParams(BaseModel):
    """Parameters of one generated company; written to truth/params.json."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accounts: int = Field(2_000, ge=50, description="Companies in the market the CRM knows.")
    years: int = Field(3, ge=1, le=10, description="Fiscal years of history.")
    seed: int = Field(42, ge=0, description="Random seed: same seed, same bytes.")
    as_of: date = Field(description="The 'today' of the company: history ends with its quarter.")
    fiscal_year_start_month: int = Field(2, ge=1, le=12, description="Fiscal year start month.")
    defects: DefectRates = Field(default_factory=DefectRates, description="Defect rates.")


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

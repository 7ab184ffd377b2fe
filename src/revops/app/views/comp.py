"""Commission pages: a statement (every line names its deal, linked, with rule, rate, base
and amount) and the payout summary. A rep sees their own statements, a manager their
team's, finance and RevOps everyone's: the row scope is applied here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page
from revops.app.views.records import RecordLink, link
from revops.comp.statement import SUMMARY_COLUMNS
from revops.errors import CompError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.comp.statement import Statement


class CompLine(BaseModel):
    """One line of a statement; amounts are exact decimal strings."""

    no: int = Field(description="Line number, as disputes name it.")
    kind: str = Field(
        description="commission, cap, spif, clawback, draw, draw_recovery, adjustment."
    )
    deal: RecordLink | None = Field(description="The deal, named, linked to its page.")
    rule: str = Field(description="The rule of the plan applied.")
    rate: str | None
    base: str
    amount: str
    earned_period: str | None
    adjusts_period: str | None
    note: str


class CompStatement(BaseModel):
    """One statement."""

    plan: str
    period: str
    participant: RecordLink
    quota: str | None
    credited: str
    attainment: str | None
    total: str
    locked: bool = Field(description="The period is closed: these are the locked lines.")
    lines: list[CompLine]
    held: list[CompLine] = Field(description="Earned, held until the deal's invoice is paid.")


class CompStatementView(Page):
    """The statement page and its JSON twin `/api/v1/comp/statement`."""

    period: str
    rep: str | None = Field(description="The rep asked for (id, email or name); None: yours.")
    statements: list[CompStatement]
    problem: str | None = None


class PayoutRow(BaseModel):
    """One statement's totals."""

    participant: RecordLink
    plan: str
    period: str
    quota: str | None
    credited: str
    attainment: str | None
    held: str
    total: str
    locked: bool


class PayoutSummaryView(Page):
    """The payout summary page and its JSON twin `/api/v1/comp/summary`."""

    period: str
    rows: list[PayoutRow]
    total: str
    problem: str | None = None


def default_period(state: AppState) -> str:
    """The cockpit day's fiscal quarter."""
    return state.workspace.calendar.period_of(state.today, "quarter").label


def _rep(user_id: str, name: str) -> RecordLink:
    found = link("rep", user_id, name)
    assert found is not None
    return found


def _lines(lines: list[Any]) -> list[CompLine]:
    return [
        CompLine(
            no=number,
            kind=ln.kind,
            deal=link("deal", ln.deal_id, ln.deal_name),
            rule=ln.rule,
            **{
                k: v
                for k, v in ln.as_dict().items()
                if k in ("rate", "base", "amount", "earned_period", "adjusts_period", "note")
            },
        )
        for number, ln in enumerate(lines, start=1)
    ]


def _statement(found: Statement) -> CompStatement:
    summary = found.summary()
    return CompStatement(
        plan=found.plan,
        period=found.period,
        participant=_rep(found.participant_id, found.participant_name),
        quota=_text(summary["quota"]),
        credited=str(summary["credited"]),
        attainment=_text(summary["attainment"]),
        total=str(summary["total"]),
        locked=found.locked,
        lines=_lines(found.lines),
        held=_lines(found.held),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def own_user(state: AppState, principal: Principal) -> str | None:
    """The viewer's CRM user id, found by their e-mail."""
    email = principal.account.email.lower()
    for user_id, _, address, _ in state.workspace.metrics.crm_users():
        if (address or "").lower() == email:
            return user_id
    return None


class CompWhatIfView(Page):
    """What a deal would pay its rep, under each of their plans."""

    deal: str | None = Field(description="The open deal asked about (opportunity_id).")
    results: list[dict[str, Any]] = Field(
        description="Per plan: the period's statement total without and with the deal, "
        "attainment before and after, and the lines the deal adds."
    )


def whatif_rows(
    state: AppState,
    principal: Principal,
    amount: Decimal,
    close_date: date,
    rep: str | None = None,
    deal: str | None = None,
) -> list[dict[str, object]]:
    """What a deal would pay `rep` (default: the viewer) under each of their plans if it
    closed at `amount` on `close_date`; only for reps in the viewer's rows (nothing is
    recorded). 422 for a day more than five years away, 404 for a rep or deal unknown or
    outside the rows."""
    from fastapi import HTTPException

    if abs((close_date - state.today).days) > 366 * 5:
        raise HTTPException(422, "close_date must be within five years of today")
    with state.reading():
        who = rep or own_user(state, principal)
        if who is None:
            raise HTTPException(404, f"no CRM user has the e-mail {principal.account.email}")
        try:
            found = state.workspace.comp.whatif(who, amount, close_date, deal=deal,
                                                as_of=state.today)  # fmt: skip
        except CompError as exc:
            raise HTTPException(404, str(exc)) from None
    owners = principal.scope.owners
    shown = [r.as_dict() for r in found if owners is None or r.after.participant_id in owners]
    if not shown:
        raise HTTPException(404, "that rep's statements are not among the rows you may see")
    return shown


def build_statement(
    state: AppState, principal: Principal, rep: str | None, period: str | None
) -> CompStatementView:
    """The statements of `rep` (default: the viewer) for `period` (default: this quarter),
    within the viewer's rows."""
    label = period or default_period(state)
    problem = None
    statements: list[CompStatement] = []
    with state.reading():
        who = rep or own_user(state, principal)
        if who is None:
            problem = f"No CRM user has the e-mail {principal.account.email}: pick a rep."
        else:
            try:
                found = state.workspace.comp.statements(
                    label, rep=who, as_of=state.today, scope=principal.scope
                )
                statements = [_statement(s) for s in found]
            except CompError as exc:
                problem = str(exc)
    if who is not None and not statements and problem is None:
        problem = f"{who}'s statements are not among the rows you may see."
    return CompStatementView(
        **page(state, principal), period=label, rep=rep, statements=statements, problem=problem
    )


def build_summary(state: AppState, principal: Principal, period: str | None) -> PayoutSummaryView:
    """Every statement of `period` within the viewer's rows, with totals."""
    from decimal import Decimal

    label = period or default_period(state)
    problem = None
    rows: list[PayoutRow] = []
    key = ("comp-summary", label, principal.scope, state.files_version("plans/comp"))
    with state.reading():
        try:
            found = state.memo(
                key,
                lambda: state.workspace.comp.statements(
                    label, as_of=state.today, scope=principal.scope
                ),
            )
        except CompError as exc:
            found, problem = [], str(exc)
    for item in found:
        summary = item.summary()
        rows.append(
            PayoutRow(
                participant=_rep(item.participant_id, item.participant_name),
                plan=item.plan,
                period=item.period,
                quota=_text(summary["quota"]),
                credited=str(summary["credited"]),
                attainment=_text(summary["attainment"]),
                held=str(summary["held"]),
                total=str(summary["total"]),
                locked=item.locked,
            )
        )
    paid = sum((Decimal(r.total) for r in rows), Decimal(0))
    return PayoutSummaryView(
        **page(state, principal), period=label, rows=rows, total=f"{paid:.2f}", problem=problem
    )


def summary_table(view: PayoutSummaryView) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The summary as a header and rows, for CSV and XLSX (names beside ids)."""
    rows = [
        [
            r.participant.name,
            r.participant.id,
            r.plan,
            r.period,
            r.quota,
            r.credited,
            r.attainment,
            r.held,
            r.total,
            r.locked,
        ]
        for r in view.rows
    ]
    return SUMMARY_COLUMNS, rows

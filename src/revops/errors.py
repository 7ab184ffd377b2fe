"""The one exception tree of revops.

Every error a user can cause or meet derives from :class:`RevOpsError`; the CLI turns it
into one red line and exit code 1 (``--debug`` shows the traceback)::

    RevOpsError
    ├── ConfigError          a workspace or definition file is missing or invalid (file, key)
    ├── WorkspaceError       no workspace where one was expected, or one already there
    ├── ModelError           an unknown entity or column of the canonical model
    ├── WarehouseError       a warehouse cannot be reached, is locked, or a load is refused
    │   ├── LoadError        a batch does not fit its table (table, column, key)
    │   └── QueryTimeout     a query ran past the statement timeout of the query budget
    ├── CalendarError        an impossible period or fiscal-calendar setting
    ├── MoneyError           an amount in the wrong currency, or no FX rate for a date
    ├── MetricError          an unknown metric, dimension or window, or one it cannot take
    │   └── BudgetError      a request over the query budget (window length, periods × slices)
    ├── QualityError         an unknown rule, entity or record to check, or no quality run yet
    ├── PipelineError        a pipeline question that cannot be answered (dates out of order, ...)
    ├── ForecastError        a forecast or backtest that cannot be made (history, period, method)
    │   └── CallError        a forecast call submission that cannot be stored (field)
    │       └── CallRefusedError a call for someone outside the submitter's row scope
    ├── IdentityError        identity resolution cannot run, a record or merge is unknown
    ├── LeadsError           a lead score, model or qualification that cannot be made
    ├── RoutingError         a routing request that cannot be answered (lead, slice, days)
    ├── AutomateError        a workflow, run or delivery that cannot be planned, applied or undone
    ├── CompError            a comp statement, close, what-if or dispute that cannot be made
    ├── DeskError            a desk request or audit that cannot be made (row, field)
    ├── PlanError            no activation plan, or an annotation that cannot be added
    ├── TerritoryError       a territory design that cannot be solved, applied or reverted
    ├── ConnectorError       a source API refused or failed a sync (source, object)
    ├── SuccessError         a CLV, churn-model or risk request that cannot be answered
    └── AppError             the app database, a user or a token operation (cockpit)
"""

from __future__ import annotations

from pathlib import Path


class RevOpsError(Exception):
    """Base class of every error revops raises on purpose."""


class ConfigError(RevOpsError):
    """A configuration file is missing or invalid.

    Args:
        file: the file that holds the problem.
        key: dotted path of the offending key (``opportunity_stages[2].probability``),
            or ``None`` when the problem is the file as a whole.
        problem: what is wrong, in words a user can act on.
    """

    def __init__(self, file: Path | str, key: str | None, problem: str) -> None:
        self.file = Path(file)
        self.key = key
        self.problem = problem
        where = f"{self.file}: {key}" if key else str(self.file)
        super().__init__(f"{where}: {problem}")


class WorkspaceError(RevOpsError):
    """No workspace where one is expected, or a workspace where a new one should go."""


class ModelError(RevOpsError):
    """An unknown entity or column of the canonical model."""


class WarehouseError(RevOpsError):
    """A warehouse cannot be reached, is locked by another process, or refuses an operation."""


class QueryTimeout(WarehouseError):  # noqa: N818 - reads as what happened, like TimeoutError
    """A query ran longer than the query budget's statement timeout and was stopped."""


class LoadError(WarehouseError):
    """A batch cannot be loaded into its table.

    Args:
        table: qualified name of the target table.
        problem: what is wrong with the batch.
    """

    def __init__(self, table: str, problem: str) -> None:
        self.table = table
        self.problem = problem
        super().__init__(f"load into {table}: {problem}")


class CalendarError(RevOpsError):
    """An impossible period or fiscal-calendar setting."""


class MoneyError(RevOpsError):
    """Amounts in mismatched currencies, or no FX rate for a currency at a date."""


class MetricError(RevOpsError):
    """A metric query that cannot be answered: unknown metric or dimension, bad window."""


class BudgetError(MetricError):
    """A request over the query budget (`query_budget` in revops.yaml); names the limit."""


class QualityError(RevOpsError):
    """A data-quality request that cannot be answered: unknown rule or record, no run yet."""


class PipelineError(RevOpsError):
    """A pipeline analytics request that cannot be answered: days out of order, a day after
    the as-of day, an unknown slice."""


class ForecastError(RevOpsError):
    """A forecast or backtest that cannot be made: no history, bad period or method."""


class CallError(ForecastError):
    """A rep's or manager's forecast call that cannot be stored.

    Args:
        field: the input at fault (``commit``, ``period``, ``owner``...).
        problem: what is wrong with it.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class CallRefusedError(CallError):
    """A call for a CRM user outside the submitter's row scope (a rep for another rep)."""


class IdentityError(RevOpsError):
    """Identity resolution cannot run, or names a record, pair or merge that does not exist."""


class LeadsError(RevOpsError):
    """A lead cannot be scored or qualified: no history to learn from, an unknown lead."""


class RoutingError(RevOpsError):
    """A routing or speed-to-lead request that cannot be answered: an unknown lead or
    slice, a replay of no days."""


class AutomateError(RevOpsError):
    """A workflow, run or delivery that cannot be planned, applied or undone: an unknown
    column or run, a run already undone, a message that could not be sent."""


class CompError(RevOpsError):
    """A compensation request that cannot be answered: an unknown rep, plan or line, a
    period already closed or not over yet."""


class DeskError(RevOpsError):
    """A desk request that cannot be stored or changed (a field, a status move, a CSV row)
    or an audit that cannot be made."""


class PlanError(RevOpsError):
    """No activation plan where one is needed, or an annotation that cannot be added or
    removed (no text, an unknown metric or note)."""


class TerritoryError(RevOpsError):
    """A territory design that cannot be made (no reps, an account no rep may own, caps
    no assignment meets), or a version that cannot be applied or reverted."""


class SuccessError(RevOpsError):
    """A customer-success request that cannot be answered: too few customers or churns to
    fit a model, a model that did not converge, an unknown segment or CLV method."""


class AppError(RevOpsError):
    """The app database cannot be reached, or a user or token operation is refused."""


class ConnectorError(RevOpsError):
    """A source's API refused or failed a sync: bad or revoked credentials, a missing
    permission, errors that outlasted the retries, a page that could not be loaded.

    Args:
        source: the source system (``stripe``).
        object: the object being synced (``customers``), or ``None`` for the connection.
        problem: what is wrong, in words a user can act on.
    """

    def __init__(self, source: str, object: str | None, problem: str) -> None:
        self.source = source
        self.object = object
        self.problem = problem
        where = f"{source} {object}" if object else source
        super().__init__(f"{where}: {problem}")

"""The façade every surface calls: a workspace folder with its config and warehouse."""

from __future__ import annotations

import os
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.config import CONFIG_FILE, RevOpsConfig, config_template, load_config
from revops.core import FiscalCalendar
from revops.errors import WorkspaceError
from revops.model import ENTITIES

if TYPE_CHECKING:
    from revops.automate import Automate
    from revops.coaching import Coaching
    from revops.comp import Comp
    from revops.desk import Desk
    from revops.forecast import Forecasting
    from revops.identity import Identity
    from revops.leads.component import Leads
    from revops.metrics import Metrics
    from revops.pack import Pack
    from revops.pipeline import Pipeline
    from revops.plan import Annotations, Plan
    from revops.quality.component import Quality
    from revops.quotas import Quotas
    from revops.routing import Routing
    from revops.success import Success
    from revops.territories import Territories
    from revops.warehouse import Warehouse

WORKSPACE_ENV = "REVOPS_WORKSPACE"
DEFINITION_FOLDERS = ("metrics", "rules", "plans")


class Workspace:
    """A revops workspace: `revops.yaml`, definition folders, warehouse and app database.

    Open one with :meth:`open`, create one with :meth:`create`. The warehouse connects on
    first use, so commands that only read the config stay fast.
    """

    def __init__(
        self,
        root: Path,
        config: RevOpsConfig,
        spark_session: Any = None,
        *,
        read_only: bool = False,
    ) -> None:
        self.root = root
        self.config = config
        self._spark_session = spark_session
        self.read_only = read_only
        self._readers: threading.local | None = None
        self._opened: list[Warehouse] = []
        self._opening = threading.Lock()

    @classmethod
    def locate(cls, path: Path | str | None = None) -> Path:
        """The workspace folder: `path`, else `$REVOPS_WORKSPACE`, else the current folder."""
        chosen = path or os.environ.get(WORKSPACE_ENV) or Path.cwd()
        return Path(chosen).expanduser().resolve()

    @classmethod
    def open(
        cls, path: Path | str | None = None, *, spark_session: Any = None, read_only: bool = False
    ) -> Workspace:
        """Open the workspace at `path` (see :meth:`locate`); with `read_only` its embedded
        warehouse is opened for reading only (the web app does so).

        Raises:
            WorkspaceError: the folder holds no `revops.yaml`.
            ConfigError: `revops.yaml` is invalid.
        """
        root = cls.locate(path)
        config_file = root / CONFIG_FILE
        if not config_file.is_file():
            raise WorkspaceError(
                f"{root} is not a revops workspace (no {CONFIG_FILE}); "
                "run `revops init` there or pass --workspace"
            )
        return cls(root, load_config(config_file), spark_session, read_only=read_only)

    @classmethod
    def create(cls, path: Path | str, *, fiscal_year_start_month: int = 1) -> Workspace:
        """Write a new workspace with the commented default `revops.yaml`.

        Args:
            path: the folder; created when missing.
            fiscal_year_start_month: the month (1-12) the company's fiscal year starts.

        Raises:
            WorkspaceError: the folder already holds a workspace.
        """
        root = Path(path).expanduser().resolve()
        config_file = root / CONFIG_FILE
        if config_file.exists():
            raise WorkspaceError(f"{root} is already a revops workspace ({CONFIG_FILE} exists)")
        root.mkdir(parents=True, exist_ok=True)
        config_file.write_text(config_template(fiscal_year_start_month), encoding="utf-8")
        for folder in DEFINITION_FOLDERS:
            (root / folder).mkdir(exist_ok=True)
        return cls.open(root)

    def for_writing(self) -> Workspace:
        """This workspace (its config and any Spark session) with a warehouse connection of
        its own that may write (the web app's jobs write through one)."""
        return type(self)(self.root, self.config, self._spark_session)

    @property
    def config_file(self) -> Path:
        """Path of `revops.yaml`."""
        return self.root / CONFIG_FILE

    @property
    def warehouse_url_display(self) -> str:
        """The warehouse URL without its password, for messages."""
        from revops.warehouse import WarehouseURL

        return WarehouseURL.parse(self.config.warehouse.url, self.root).display

    @cached_property
    def calendar(self) -> FiscalCalendar:
        """The fiscal calendar of the workspace."""
        fiscal = self.config.fiscal
        return FiscalCalendar(fiscal.year_start_month, fiscal.year_named_by)

    @cached_property
    def warehouse(self) -> Warehouse:
        """The warehouse, connected on first use."""
        from revops.warehouse import connect

        settings = self.config.warehouse
        return connect(
            settings.url,
            self.root,
            schema_prefix=settings.schema_prefix,
            spark_session=self._spark_session,
            read_only=self.read_only,
        )

    def read_concurrently(self) -> None:
        """From now on every thread reads through a connection of its own
        (:meth:`Warehouse.reader`) where the backend allows, instead of sharing one that
        would serve one query at a time (the web app does so)."""
        self._readers = threading.local()

    def reading_warehouse(self) -> Warehouse:
        """The warehouse the calling thread reads through: its own connection after
        :meth:`read_concurrently` on a backend that reads concurrently, else the one."""
        warehouse = self.warehouse
        if self._readers is None or not warehouse.concurrent_readers:
            return warehouse
        found: Warehouse | None = getattr(self._readers, "warehouse", None)
        if found is None:
            with self._opening:
                found = warehouse.reader()
                self._opened.append(found)
            self._readers.warehouse = found
        return found

    @cached_property
    def metrics(self) -> Metrics:
        """The metric layer: the KPI catalog and its query interface."""
        from revops.metrics import Metrics

        return Metrics(self.root, self.config, self.calendar, self.reading_warehouse)

    @cached_property
    def quality(self) -> Quality:
        """Data quality: the rules of the workspace, their scores, runs and reports."""
        from revops.quality.component import Quality

        return Quality(self.root, self.config, self.reading_warehouse)

    @cached_property
    def pipeline(self) -> Pipeline:
        """Pipeline analytics: snapshots as of any day, stalled deals, bottlenecks, waterfall."""
        from revops.pipeline import Pipeline

        return Pipeline(self.metrics)

    @cached_property
    def coaching(self) -> Coaching:
        """Coaching: reps against their team's benchmarks, sales plays compared."""
        from revops.coaching import Coaching

        return Coaching(self.metrics)

    @cached_property
    def forecast(self) -> Forecasting:
        """Revenue forecasting: the call, the methods and their backtest."""
        from revops.forecast import Forecasting

        return Forecasting(self.metrics, self.reading_warehouse)

    @cached_property
    def identity(self) -> Identity:
        """Identity resolution: crosswalk of people and companies, lead-to-account matches."""
        from revops.identity import Identity

        return Identity(self.config.identity, lambda: self.warehouse)

    @cached_property
    def leads(self) -> Leads:
        """Leads: fit, engagement and learned scores with reasons, qualification,
        acceptance; `ws.leads.routing` routes them."""
        from revops.leads.component import Leads

        return Leads(self.root, self.config, self.reading_warehouse, lambda: self.routing)

    @cached_property
    def routing(self) -> Routing:
        """Lead routing by `rules/routing.yaml`, its simulation and audit, speed to lead."""
        from revops.routing import Routing

        return Routing(self.root, self.config, self.calendar, self.reading_warehouse)

    @cached_property
    def automate(self) -> Automate:
        """Automation: workflows planned, applied and undone; deliveries of metrics."""
        from revops.automate import Automate

        return Automate(
            self.root, self.config, lambda: self.warehouse, lambda: self.metrics,
            lambda: self.routing,
        )  # fmt: skip

    @cached_property
    def comp(self) -> Comp:
        """Sales compensation by `plans/comp/*.yaml`: statements, close, what-if, disputes."""
        from revops.comp import Comp

        return Comp(self.root, self.calendar, self.metrics, lambda: self.warehouse)

    @cached_property
    def success(self) -> Success:
        """Customer success: lifetime value of both business models, the learned churn
        model with reasons, accounts at risk and renewals."""
        from revops.success import Success

        return Success(self.config, lambda: self.metrics, self.root)

    @cached_property
    def desk(self) -> Desk:
        """The RevOps desk: the request queue ranked by value, the stack and journey audits."""
        from revops.desk import Desk

        return Desk(self.root, self.config, self.calendar, self.reading_warehouse,
                    lambda: self.metrics)  # fmt: skip

    @cached_property
    def plan(self) -> Plan:
        """The activation plan of `plans/activation.yaml`: each target against the measured
        value month by month, on track, at risk or missed."""
        from revops.plan import Plan

        return Plan(self.root, lambda: self.metrics, self.reading_warehouse)

    @cached_property
    def territories(self) -> Territories:
        """Territory design by `plans/territories.yaml`: balanced by potential and
        workload, compared with greedy and today, applied and reverted as versions."""
        from revops.territories import Territories

        return Territories(self.root, lambda: self.metrics, lambda: self.warehouse)

    @cached_property
    def quotas(self) -> Quotas:
        """Quota plans by `plans/quotas.yaml` (top-down against bottom-up, applied as
        quota records attainment reads, reverted) and capacity plans (hires to a target)."""
        from revops.quotas import Quotas

        return Quotas(self.root, self.calendar, lambda: self.metrics, lambda: self.warehouse,
                      lambda: self.territories)  # fmt: skip

    @cached_property
    def annotations(self) -> Annotations:
        """Dated notes on metrics and pages (`plans/annotations.yaml`)."""
        from revops.plan import Annotations

        return Annotations(self.root, lambda: self.metrics.catalog)

    @cached_property
    def pack(self) -> Pack:
        """The revenue meeting pack by `plans/pack.yaml`: HTML, PDF and its numbers."""
        from revops.pack import Pack

        return Pack(self.root, self.config, self)

    def init_warehouse(self) -> tuple[list[str], list[str]]:
        """Create the canonical model's namespaces and tables that are missing.

        Returns:
            The tables created and the tables already there.
        """
        return self.warehouse.init(ENTITIES.values())

    def interrupt(self) -> None:
        """Stop the queries the threads' own connections run now (the app stopping)."""
        with self._opening:
            readers = list(self._opened)
        for reader in readers:
            reader.interrupt()

    def close(self) -> None:
        """Release the warehouse connection, if one was made, and the threads' own."""
        with self._opening:
            for reader in self._opened:
                reader.close()
            self._opened.clear()
            if self._readers is not None:
                self._readers = threading.local()
        if "warehouse" in self.__dict__:
            self.warehouse.close()
            del self.__dict__["warehouse"]

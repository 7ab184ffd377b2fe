"""Compiled SQL reused across queries that differ only in their dates.

Compiling an ibis expression to SQL costs more than running it: on the cockpit's
questions 0.1-1 s of CPU per query against 0.05-0.25 s in the warehouse. Yet most queries
a page asks for differ from one asked before only in their dates: the same metric for
another month of a series, the period compared with, another as-of day. So each
connection's compiler is wrapped with a cache of SQL by the query's *shape*: the
expression with every date and timestamp literal taken out.

- The shape is read off the expression graph (a walk of its nodes, cheap beside a
  compile). Everything but date and timestamp literals is part of it: tables, columns,
  operations, other literals (ids of a row scope, numbers), limits. Two expressions of one
  shape compile to the same SQL but for their dates.
- The first expression of a shape is compiled as it is. The second makes the shape's
  template: the expression compiled once with each date replaced by a distinct sentinel
  date, whose places in the SQL become slots. The template is trusted only if filling it
  with the first expression's dates gives exactly the first expression's SQL; otherwise
  the shape is always compiled.
- A query of a known shape is the template with its own dates written in, each rendered
  by the backend's compiler. Nothing else is shared, so the SQL is what the compiler would
  have written.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

Compile = Callable[..., str]
_FIRST_SENTINEL = date(1001, 1, 1)


@dataclass(frozen=True)
class _Template:
    """SQL cut at each date's places: `pieces[0] slot[0] pieces[1] … slot[-1] pieces[-1]`."""

    pieces: tuple[str, ...]
    slots: tuple[int, ...]

    def fill(self, renderings: list[str]) -> str:
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out.append(renderings[slot])
            out.append(piece)
        return "".join(out)


@dataclass
class _Seen:
    """A shape compiled once: its dates and SQL, to check a template against."""

    values: tuple[Any, ...]
    sql: str


_UNTEMPLATABLE = object()
_SHARED: CompiledQueries | None = None
_SHARED_LOCK = threading.Lock()


class CompiledQueries:
    """SQL by shape for one database (shared by its connections), at most `size` shapes.

    Attributes:
        hits: queries answered from a template.
        compiles: expressions compiled (a template's sentinel compile included).
    """

    def __init__(self, size: int = 4000) -> None:
        self.size = size
        self._shapes: OrderedDict[Hashable, _Template | _Seen | object] = OrderedDict()
        self._renderings: dict[tuple[str, Any, Any], str] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.compiles = 0

    @classmethod
    def shared(cls) -> CompiledQueries:
        """The process's cache, which every warehouse uses unless given its own.

        A query's SQL depends on its expression and the compiler of its backend only (the
        table's connection is not part of it), and both are in the shape's key: so the
        warehouses a process opens one after another (a test suite's, a benchmark's)
        share their shapes.
        """
        with _SHARED_LOCK:
            global _SHARED
            if _SHARED is None:
                _SHARED = cls()
            return _SHARED

    def clear(self) -> None:
        """Forget every shape (the counters stay)."""
        with self._lock:
            self._shapes.clear()

    def install(self, con: BaseBackend, before: Callable[[], None] | None = None) -> None:
        """Make `con.compile` go through this cache (idempotent); `before` is called first,
        before every query the connection compiles (and may refuse it by raising)."""
        original: Compile = con.compile
        if getattr(original, "_revops_cached", False):
            return

        def compile(expr: ir.Expr, /, *, limit: Any = None, params: Any = None, **kw: Any) -> str:
            if before is not None:
                before()
            if params or kw.get("pretty"):
                return original(expr, limit=limit, params=params, **kw)
            return self.compile(con, original, expr, limit)

        compile._revops_cached = True  # type: ignore[attr-defined]
        setattr(con, "compile", compile)  # noqa: B010 - an instance's method, wrapped

    def compile(self, con: BaseBackend, original: Compile, expr: ir.Expr, limit: Any) -> str:
        """The SQL of `expr` (with `limit`), from its shape's template when it has one."""
        if limit == "default":  # what `expr.execute()` passes: the option's limit
            import ibis

            limit = ibis.options.sql.default_limit
        shape, literals = _shape(expr.op())
        key = (con.name, limit, shape)
        values = tuple(literal.value for literal in literals)
        with self._lock:
            known = self._shapes.get(key)
            if known is not None:
                self._shapes.move_to_end(key)
        if isinstance(known, _Template):
            renderings = self._renderings_of(con, original, literals)
            if renderings is not None:
                with self._lock:
                    self.hits += 1
                return known.fill(renderings)
        if isinstance(known, _Seen) and known.values == values:
            with self._lock:
                self.hits += 1
            return known.sql
        if isinstance(known, _Seen):
            template = self._template(con, original, expr, literals, known)
            with self._lock:
                self._remember(key, template if template is not None else _UNTEMPLATABLE)
            renderings = self._renderings_of(con, original, literals)
            if template is not None and renderings is not None:
                with self._lock:
                    self.hits += 1
                return template.fill(renderings)
        sql = original(expr, limit=limit)
        with self._lock:
            self.compiles += 1
            if known is None:
                self._remember(key, _Seen(values, sql))
        return sql

    def _remember(self, key: Hashable, entry: object) -> None:
        self._shapes[key] = entry
        self._shapes.move_to_end(key)
        while len(self._shapes) > self.size:
            self._shapes.popitem(last=False)

    def _template(
        self,
        con: BaseBackend,
        original: Compile,
        expr: ir.Expr,
        literals: list[Any],
        seen: _Seen,
    ) -> _Template | None:
        """The shape's template, checked against the SQL compiled for `seen`; None when
        filling it with `seen`'s dates does not give that SQL."""
        import ibis.expr.operations as ops

        sentinels = [
            ops.Literal(_sentinel(i, lit.dtype), lit.dtype) for i, lit in enumerate(literals)
        ]
        stand_in = expr.op().replace(dict(zip(literals, sentinels, strict=True))).to_expr()
        sentinel_sql = original(stand_in)
        with self._lock:
            self.compiles += 1
        marked = self._renderings_of(con, original, sentinels)
        first = [ops.Literal(v, lit.dtype) for v, lit in zip(seen.values, literals, strict=True)]
        expected = self._renderings_of(con, original, first)
        if marked is None or expected is None:
            return None
        marks = {text: i for i, text in enumerate(marked)}
        if len(marks) < len(marked):
            return None
        pattern = re.compile("|".join(re.escape(m) for m in sorted(marks, key=len, reverse=True)))
        pieces: list[str] = []
        slots: list[int] = []
        start = 0
        for match in pattern.finditer(sentinel_sql):
            pieces.append(sentinel_sql[start : match.start()])
            slots.append(marks[match.group(0)])
            start = match.end()
        pieces.append(sentinel_sql[start:])
        template = _Template(tuple(pieces), tuple(slots))
        return template if template.fill(expected) == seen.sql else None

    def _renderings_of(
        self, con: BaseBackend, original: Compile, literals: list[Any]
    ) -> list[str] | None:
        """How the backend writes each of `literals`; None if one cannot be read."""
        renderings = []
        for literal in literals:
            text = self._render(con, original, literal)
            if text is None:
                return None
            renderings.append(text)
        return renderings

    def _render(self, con: BaseBackend, original: Compile, literal: Any) -> str | None:
        """How the backend writes one date or timestamp literal in SQL (None when its SQL
        is not the one-column select it should be)."""
        key = (con.name, literal.value, literal.dtype)  # each dialect writes its own
        with self._lock:
            found = self._renderings.get(key)
        if found is not None:
            return found
        sql = original(literal.to_expr().name("v"))
        match = re.fullmatch(r"SELECT\s+(.*?)\s+AS\s+[\"`]?v[\"`]?", sql.strip(), re.DOTALL)
        if match is None:
            return None
        with self._lock:
            if len(self._renderings) > 10_000:
                self._renderings.clear()
            self._renderings[key] = match.group(1)
        return match.group(1)


def _sentinel(index: int, dtype: Any) -> date | datetime:
    day = _FIRST_SENTINEL + timedelta(days=index)
    if dtype.is_date():
        return day
    at = datetime(day.year, day.month, day.day)
    return at.replace(tzinfo=UTC) if dtype.timezone else at


def _shape(root: Any) -> tuple[Hashable, list[Any]]:
    """The shape of the expression graph under `root` and its date and timestamp
    literals in order of first appearance (each distinct literal once)."""
    import ibis.expr.operations as ops
    from ibis.common.graph import Node

    index: dict[Any, int] = {}
    literals: dict[Any, int] = {}
    selves: dict[int, int] = {}
    parts: list[Hashable] = []

    def encode(value: Any) -> Hashable:
        if isinstance(value, Node):
            return ("n", index[value])
        if isinstance(value, tuple):
            return tuple(encode(v) for v in value)
        if hasattr(value, "items") and not isinstance(value, type):
            return ("m", tuple((k, encode(v)) for k, v in value.items()))
        if isinstance(value, Hashable):
            return (type(value).__name__, value)
        return ("r", repr(value))

    def add(node: Node) -> None:
        if isinstance(node, ops.Literal) and (node.dtype.is_date() or node.dtype.is_timestamp()):
            slot = literals.setdefault(node, len(literals))
            part: Hashable = ("date", node.dtype, slot)
        elif isinstance(node, ops.DatabaseTable):
            # The connection is not part of the SQL: every cursor of the database shares it.
            part = ("table", node.name, node.namespace, node.schema)
        elif isinstance(node, ops.SelfReference):
            # A self-join's number is drawn from a process-wide counter: only which
            # references are the same matters.
            number = selves.setdefault(node.identifier, len(selves))
            part = ("self", index[node.parent], number)
        else:
            part = (type(node).__name__, tuple(encode(arg) for arg in node.__args__))
        index[node] = len(parts)
        parts.append(part)

    # Children before parents, without recursion: a metric's graph can be deep.
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if node in index:
            continue
        if ready:
            add(node)
            continue
        stack.append((node, True))
        if not isinstance(node, ops.DatabaseTable):
            stack.extend((child, False) for child in reversed(node.__children__))
    return tuple(parts), list(literals)

"""The two small languages of metric definitions, parsed with Python's own grammar.

A *filter* is a condition over a source's columns (``is_won and type == 'new'``); it
compiles to an Ibis boolean, so it runs in the warehouse. A *formula* is arithmetic over
other metrics' names (``bookings / won_deals``); it runs on the small table of computed
values. Anything else Python allows (calls, attributes, subscripts) is refused, so a
definition file can never run code.

Examples:
    >>> formula_names("(bookings - churn) / bookings")
    ('bookings', 'churn')
    >>> filter_columns("is_won and type in ('new', 'expansion')")
    ('is_won', 'type')
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from functools import reduce
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

_CONSTANTS = {"True": True, "False": False, "None": None}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class ExpressionError(ValueError):
    """A filter or formula that is not valid; the message says where and why."""


def _parse(text: str, what: str) -> ast.expr:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"{what} {text!r} is not valid syntax: {exc.msg}") from None


def _names(node: ast.AST) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and child.id not in _CONSTANTS:
            found[child.id] = None
    return tuple(found)


def formula_names(formula: str) -> tuple[str, ...]:
    """The metric names a formula uses, in order of first use."""
    node = _parse(formula, "formula")
    _check_formula(node, formula)
    return _names(node)


def filter_columns(condition: str) -> tuple[str, ...]:
    """The columns a filter reads, in order of first use."""
    node = _parse(condition, "filter")
    _check_filter(node, condition)
    return _names(node)


def _check_formula(node: ast.expr, text: str) -> None:
    for child in ast.walk(node):
        allowed = (
            ast.BinOp,
            ast.UnaryOp,
            ast.Name,
            ast.Constant,
            ast.Load,
            ast.USub,
            ast.UAdd,
            *_ARITHMETIC,
        )
        if not isinstance(child, allowed):
            raise ExpressionError(
                f"formula {text!r}: only metric names, numbers and + - * / ( ) are allowed, "
                f"not {type(child).__name__}"
            )
        if isinstance(child, ast.Constant) and not isinstance(child.value, int | float):
            raise ExpressionError(f"formula {text!r}: {child.value!r} is not a number")


def _check_filter(node: ast.expr, text: str) -> None:
    allowed = (
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.UnaryOp,
        ast.Not,
        ast.USub,
        ast.Compare,
        ast.Name,
        ast.Constant,
        ast.Load,
        ast.Tuple,
        ast.List,
        ast.In,
        ast.NotIn,
        ast.Is,
        ast.IsNot,
        *_COMPARE,
    )
    for child in ast.walk(node):
        if not isinstance(child, allowed):
            raise ExpressionError(
                f"filter {text!r}: only columns, constants, comparisons, `in`, `is None`, "
                f"and/or/not are allowed, not {type(child).__name__}"
            )


def compile_filter(condition: str, table: ir.Table) -> ir.BooleanValue:
    """The Ibis boolean that `condition` means on `table`.

    Raises:
        ExpressionError: bad syntax, a construct that is not allowed, or an unknown column.
    """
    node = _parse(condition, "filter")
    _check_filter(node, condition)
    missing = [name for name in _names(node) if name not in table.columns]
    if missing:
        raise ExpressionError(f"filter {condition!r}: no column {', '.join(missing)}")
    return _FilterCompiler(table, condition).visit(node)


class _FilterCompiler(ast.NodeVisitor):
    def __init__(self, table: ir.Table, text: str) -> None:
        self.table = table
        self.text = text

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        return self.table[node.id]

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Tuple(self, node: ast.Tuple | ast.List) -> Any:
        values = [self.visit(element) for element in node.elts]
        if any(not isinstance(v, str | int | float | bool) for v in values):
            raise ExpressionError(f"filter {self.text!r}: a list holds constants only")
        return values

    def visit_List(self, node: ast.List) -> Any:
        return self.visit_Tuple(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        return ~operand if not isinstance(operand, bool) else not operand

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        values = [_as_condition(self.visit(v)) for v in node.values]
        combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
        return reduce(combine, values)

    def visit_Compare(self, node: ast.Compare) -> Any:
        import ibis

        left = self.visit(node.left)
        parts = []
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            parts.append(self._compare(op, left, right))
            left = right
        return reduce(operator.and_, [ibis.literal(True) & p for p in parts])

    def _compare(self, op: ast.cmpop, left: Any, right: Any) -> Any:
        if isinstance(op, ast.In | ast.NotIn):
            if not isinstance(right, list):
                raise ExpressionError(f"filter {self.text!r}: `in` needs a list of values")
            test = left.isin(right)
            return test if isinstance(op, ast.In) else ~test
        if isinstance(op, ast.Is | ast.IsNot):
            if right is not None:
                raise ExpressionError(f"filter {self.text!r}: `is` compares with None only")
            return left.isnull() if isinstance(op, ast.Is) else left.notnull()
        return _COMPARE[type(op)](left, right)


def _as_condition(value: Any) -> Any:
    import ibis

    return ibis.literal(value) if isinstance(value, bool) else value


def evaluate_formula(formula: str, values: Mapping[str, pd.Series]) -> pd.Series:
    """The formula computed row by row over `values` (metric name → series of values).

    A division by zero or by a missing value gives a missing value, never infinity.
    """
    import numpy as np
    import pandas as pd

    node = _parse(formula, "formula")
    _check_formula(node, formula)

    def visit(n: ast.expr) -> Any:
        if isinstance(n, ast.Name):
            return pd.to_numeric(values[n.id], errors="coerce").astype("float64")
        if isinstance(n, ast.Constant):
            assert isinstance(n.value, int | float)
            return float(n.value)
        if isinstance(n, ast.UnaryOp):
            operand = visit(n.operand)
            return -operand if isinstance(n.op, ast.USub) else operand
        assert isinstance(n, ast.BinOp)
        left, right = visit(n.left), visit(n.right)
        if isinstance(n.op, ast.Div):
            if isinstance(right, pd.Series):
                right = right.where(right != 0)
            elif right == 0:
                right = np.nan
        return _ARITHMETIC[type(n.op)](left, right)

    result = visit(node)
    if not isinstance(result, pd.Series):
        index = next(iter(values.values())).index if values else pd.RangeIndex(1)
        result = pd.Series(result, index=index, dtype="float64")
    return result.replace([np.inf, -np.inf], np.nan)

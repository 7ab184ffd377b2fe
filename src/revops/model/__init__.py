"""The canonical model: every entity of the warehouse, one module per entity family.

Examples:
    >>> from revops.model import get_entity
    >>> get_entity("opportunity").column("amount").type
    'decimal(18, 2)'
    >>> from revops.model import FAMILIES
    >>> FAMILIES["billing"]
    ('product', 'subscription_line', 'invoice', 'order', 'fx_rate')
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from revops.errors import ModelError
from revops.model import (
    accounts,
    billing,
    desk,
    marketing,
    org,
    quality,
    sales,
    stack,
    success,
)
from revops.model.base import Column, Entity

__all__ = ["ENTITIES", "FAMILIES", "Column", "Entity", "get_entity", "references_to"]

_MODULES = (accounts, sales, marketing, billing, success, org, stack, desk, quality)

FAMILIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {module.FAMILY: tuple(e.name for e in module.ENTITIES) for module in _MODULES}
)
"""Family name → names of its entities, in model order."""

ENTITIES: Mapping[str, Entity] = MappingProxyType(
    {e.name: e for module in _MODULES for e in module.ENTITIES}
)
"""Entity name → entity, ordered by family, then as each family module lists them."""


def get_entity(name: str) -> Entity:
    """The entity called `name`.

    Raises:
        ModelError: no such entity; the message suggests the closest name.

    Examples:
        >>> get_entity("oportunity")
        Traceback (most recent call last):
        ...
        revops.errors.ModelError: unknown entity 'oportunity'; did you mean 'opportunity'?
    """
    try:
        return ENTITIES[name]
    except KeyError:
        close = difflib.get_close_matches(name, ENTITIES, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"one of {', '.join(ENTITIES)}"
        raise ModelError(f"unknown entity {name!r}; {hint}") from None


def references_to(name: str) -> tuple[tuple[str, str], ...]:
    """Every (entity, column) whose column holds ids of entity `name` (its `ref`).

    Examples:
        >>> ("support_ticket", "contact_id") in references_to("contact")
        True
    """
    return tuple(
        (entity.name, column.name)
        for entity in ENTITIES.values()
        for column in entity.columns
        if name in column.ref
    )

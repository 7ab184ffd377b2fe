"""Write a :class:`~revops.ingest.propose.Proposal` into `revops.yaml`, keeping its
comments and layout (ruamel.yaml's round trip), and show the change as a diff."""

from __future__ import annotations

import difflib
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from revops.ingest.propose import Proposal

if TYPE_CHECKING:
    from revops.config import RevOpsConfig


def apply_proposal(text: str, proposal: Proposal, config: RevOpsConfig) -> str:
    """`text` (a `revops.yaml`) with the proposal's stages, types, currency and fiscal
    year written in; the keys it has nothing to say about are left as they are."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # a stage per line, never wrapped
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(text) or CommentedMap()

    def flow(items: dict[str, Any]) -> CommentedMap:
        item = CommentedMap(items)
        item.fa.set_flow_style()
        return item

    def values(items: tuple[str, ...]) -> CommentedSeq:
        seq = CommentedSeq(items)
        seq.fa.set_flow_style()
        return seq

    if proposal.stages:
        stages = CommentedSeq()
        for stage in proposal.stages:
            item: dict[str, Any] = {
                "name": stage.name,
                "probability": _number(stage.probability),
                "category": stage.category,
            }
            if stage.source_values:
                item["source_values"] = values(stage.source_values)
            stages.append(flow(item))
        _replace(data, "opportunity_stages", stages)
    if proposal.types:
        types = CommentedSeq()
        for kind in config.opportunity_types:
            extra = tuple(
                v for v in proposal.types.get(kind.name, ()) if v not in kind.source_values
            )
            types.append(
                flow({"name": kind.name, "source_values": values((*kind.source_values, *extra))})
            )
        _replace(data, "opportunity_types", types)
    if len(proposal.currencies) == 1 and proposal.currencies[0] != config.reporting_currency:
        data["reporting_currency"] = proposal.currencies[0]
    if proposal.fiscal_year_start_month is not None:
        fiscal = data.get("fiscal")
        if not isinstance(fiscal, dict):
            fiscal = data["fiscal"] = CommentedMap()
        fiscal["year_start_month"] = proposal.fiscal_year_start_month
        if proposal.fiscal_year_named_by is not None:
            fiscal["year_named_by"] = proposal.fiscal_year_named_by
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _replace(data: Any, key: str, items: Any) -> None:
    """Set `data[key]` to the list `items`, in place where a list is there already: its
    comments (the one after its last item introduces the next key) stay."""
    old = data.get(key)
    if old is None or not hasattr(old, "ca"):
        data[key] = items
        return
    trailing = old.ca.items.get(len(old) - 1) if len(old) else None
    del old[:]
    old.ca.items.clear()
    old.extend(items)
    if trailing is not None and len(old):
        old.ca.items[len(old) - 1] = trailing


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def config_diff(before: str, after: str, name: str = "revops.yaml") -> str:
    """A unified diff of the two texts of `name` ("" when they are the same)."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"{name} (now)",
            tofile=f"{name} (proposed)",
        )
    )


@dataclass(frozen=True)
class ConfigProposal:
    """The proposal for one workspace: the config now, as proposed, and the diff."""

    proposal: Proposal
    before: str
    after: str
    diff: str
    written: Path | None = None
    backup: Path | None = None


def propose_config(
    config_file: Path, paths: Sequence[Path | str], *, apply: bool = False
) -> ConfigProposal:
    """Propose `config_file`'s stages, types, currency and fiscal year from the exports
    at `paths`; with `apply`, write it (the old file kept beside it as `.bak`).

    Without a `config_file` the proposal is shown against the default config.

    Raises:
        ConfigError: the proposed config would not be valid (it is not written).
        WorkspaceError: `apply` without a workspace.
    """
    from revops.config import RevOpsConfig, config_template, load_config
    from revops.errors import ConfigError, WorkspaceError
    from revops.ingest.propose import propose

    exists = config_file.is_file()
    before = config_file.read_text(encoding="utf-8") if exists else config_template()
    config = load_config(config_file) if exists else RevOpsConfig()
    proposal = propose(paths, config)
    after = apply_proposal(before, proposal, config)
    try:
        RevOpsConfig.model_validate(yaml.safe_load(after))
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ConfigError(config_file, key, f"the proposal is not valid: {first['msg']}") from None
    result = ConfigProposal(proposal, before, after, config_diff(before, after, config_file.name))
    if not apply or after == before:
        return result
    if not exists:
        raise WorkspaceError(f"{config_file.parent} is not a revops workspace; run `revops init`")
    backup = config_file.with_name(config_file.name + ".bak")
    backup.write_text(before, encoding="utf-8")
    config_file.write_text(after, encoding="utf-8")
    return replace(result, written=config_file, backup=backup)

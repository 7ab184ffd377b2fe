"""Trained models kept in the workspace, per as-of day, so a page or a request scores with
the model `revops success train` fitted instead of training again:
`.revops/models/success/<day>/churn.pkl` (the churn model, its scikit-learn pipeline
included, pickled: only files the workspace wrote are read) and `model.json` (training
day, features, rows, events, coefficients, and the sBG fits per segment), written
together.

A model trained as of a day is used for that day and later ones (it saw nothing after
its day): :func:`latest` picks the newest stored on or before the day asked. The catalog's
churn-risk metrics (the `churn_risk` engine) read it too. :func:`prune` keeps the newest
few, so the folder does not grow with every training.
"""

from __future__ import annotations

import json
import logging
import pickle
import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.errors import SuccessError

if TYPE_CHECKING:
    from revops.stats.churn import ChurnModel
    from revops.stats.sbg import SBG

log = logging.getLogger(__name__)

MODELS = Path(".revops") / "models" / "success"


def stored_days(root: Path) -> list[date]:
    """The days a model was stored for, oldest first."""
    folder = root / MODELS
    if not folder.is_dir():
        return []
    days = []
    for item in folder.iterdir():
        try:
            day = date.fromisoformat(item.name)
        except ValueError:
            continue
        if (item / "churn.pkl").is_file() and (item / "model.json").is_file():
            days.append(day)
    return sorted(days)


def save(root: Path, model: ChurnModel, fits: dict[str, SBG]) -> Path:
    """Store `model` (and the sBG `fits` of the same day) under its training day."""
    folder = root / MODELS / model.trained_as_of.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "churn.pkl").open("wb") as out:
        pickle.dump(model, out, protocol=pickle.HIGHEST_PROTOCOL)
    meta = {
        **model.as_dict(),
        "features": list(model.features),
        "sbg": {segment: fit.as_dict() for segment, fit in fits.items()},
    }
    (folder / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log.info("stored the success models of %s in %s", model.trained_as_of, folder)
    return folder


def latest(root: Path, day: date) -> date | None:
    """The newest stored day on or before `day`."""
    chosen = [d for d in stored_days(root) if d <= day]
    return chosen[-1] if chosen else None


def load(root: Path, day: date) -> tuple[ChurnModel, dict[str, Any]]:
    """The churn model stored for `day` and its description.

    Raises:
        SuccessError: nothing stored for the day, or a file that cannot be read.
    """
    from revops.stats.churn import ChurnModel

    folder = root / MODELS / day.isoformat()
    try:
        with (folder / "churn.pkl").open("rb") as stored:
            # The workspace's own file, written by `save`: trusted like its config.
            model = pickle.load(stored)
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SuccessError(f"no model stored for {day} in {root / MODELS}") from None
    except Exception as exc:  # a truncated or foreign file: say which
        raise SuccessError(f"cannot read the model stored in {folder}: {exc}") from None
    if not isinstance(model, ChurnModel):
        raise SuccessError(f"{folder / 'churn.pkl'} does not hold a churn model")
    return model, meta


def describe(root: Path) -> list[dict[str, Any]]:
    """What each stored model says of itself (`model.json`), oldest first, with its `day`;
    a description that cannot be read says so in `error`."""
    found: list[dict[str, Any]] = []
    for day in stored_days(root):
        path = root / MODELS / day.isoformat() / "model.json"
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            found.append({"day": day.isoformat(), "error": f"cannot read {path}: {exc}"})
            continue
        found.append({"day": day.isoformat(), **(meta if isinstance(meta, dict) else {})})
    return found


def prune(root: Path, keep: int) -> list[date]:
    """Remove all but the newest `keep` stored models; the days removed.

    Raises:
        SuccessError: `keep` below 1 (the newest is always kept).
    """
    if keep < 1:
        raise SuccessError(f"keep at least 1 stored model, not {keep}")
    days = stored_days(root)
    removed = days[:-keep] if len(days) > keep else []
    for day in removed:
        shutil.rmtree(root / MODELS / day.isoformat())
        log.info("removed the success models of %s", day)
    return removed

"""Loading an experiment file into the typed model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faultdrill.errors import InvalidInput
from faultdrill.experiment.model import Experiment
from faultdrill.validation import parse_model, read_document


@dataclass(frozen=True)
class LoadedExperiment:
    """The validated model, the raw document Chaos Toolkit runs, and its file."""

    path: Path
    model: Experiment
    document: dict[str, Any]


def load_experiment(path: Path) -> LoadedExperiment:
    """Read and validate one experiment file; every problem is reported."""
    document = read_document(path)
    if not isinstance(document, dict):
        kind = type(document).__name__ if document is not None else "an empty file"
        raise InvalidInput.single(
            str(path),
            "(top level)",
            f"must be a mapping of keys (title, method, ...), got {kind}",
        )
    model = parse_model(Experiment, document, str(path))
    return LoadedExperiment(path=path, model=model, document=document)

"""The SLOs that form an experiment's hypothesis."""

from __future__ import annotations

from pathlib import Path

from faultdrill.experiment.loader import LoadedExperiment
from faultdrill.slo.model import Slo, SloFile, default_slo_file, load_slo_file


def hypothesis_slos(loaded: LoadedExperiment, override: Path | None) -> list[Slo]:
    """``--slo-file``, else the experiment's ``slo.file``, else the shipped SLOs."""
    section = loaded.model.slo
    if override is not None:
        slo_file: SloFile = load_slo_file(override)
    elif section.file:
        slo_file = load_slo_file((loaded.path.parent / section.file).resolve())
    else:
        slo_file = default_slo_file()
    return [slo_file.get(name) for name in section.hypothesis]

"""The SLOs that form an experiment's hypothesis."""

from __future__ import annotations

from pathlib import Path

from faultdrill.errors import InvalidInput
from faultdrill.experiment.loader import LoadedExperiment
from faultdrill.slo.model import Slo, SloFile, default_slo_file, load_slo_file


def slo_file_for(loaded: LoadedExperiment, override: Path | None) -> SloFile:
    """``--slo-file``, else the experiment's ``slo.file``, else the shipped SLOs."""
    section = loaded.model.slo
    if override is not None:
        return load_slo_file(override)
    if section.file:
        return load_slo_file((loaded.path.parent / section.file).resolve())
    return default_slo_file()


def hypothesis_slos(loaded: LoadedExperiment, override: Path | None) -> list[Slo]:
    """The SLOs the experiment's ``slo.hypothesis`` names."""
    slo_file = slo_file_for(loaded, override)
    known = set(slo_file.names)
    unknown = [name for name in loaded.model.slo.hypothesis if name not in known]
    if unknown:
        raise InvalidInput.single(
            str(loaded.path),
            "slo.hypothesis",
            f"{', '.join(map(repr, unknown))} not in the SLO file {slo_file.source}; "
            f"known: {', '.join(sorted(known))}",
        )
    return [slo_file.get(name) for name in loaded.model.slo.hypothesis]

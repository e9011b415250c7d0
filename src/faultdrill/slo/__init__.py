"""SLOs: the SLO file, the statistics behind a claim, and verdicts."""

from faultdrill.slo.model import Slo, SloFile, default_slo_file, load_slo_file
from faultdrill.slo.verdict import SloVerdict, VerdictStatus, evaluate

__all__ = [
    "Slo",
    "SloFile",
    "SloVerdict",
    "VerdictStatus",
    "default_slo_file",
    "evaluate",
    "load_slo_file",
]

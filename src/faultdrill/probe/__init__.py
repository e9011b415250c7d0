"""The open-model SLI prober: requests on a fixed schedule, honest latency."""

from faultdrill.probe.dispatch import Dispatcher, Schedule, Sender
from faultdrill.probe.prober import Prober
from faultdrill.probe.sample import ProbeSample

__all__ = ["Dispatcher", "ProbeSample", "Prober", "Schedule", "Sender"]

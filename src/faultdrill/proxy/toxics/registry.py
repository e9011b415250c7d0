"""The toxic types by name: Toxiproxy's registry (toxics/*.go ``Register``)."""

from __future__ import annotations

from faultdrill.proxy.toxics.bandwidth import Bandwidth
from faultdrill.proxy.toxics.base import Toxic
from faultdrill.proxy.toxics.latency import Latency
from faultdrill.proxy.toxics.limit_data import LimitData
from faultdrill.proxy.toxics.noop import Noop
from faultdrill.proxy.toxics.reset_peer import ResetPeer
from faultdrill.proxy.toxics.slicer import Slicer
from faultdrill.proxy.toxics.slow_close import SlowClose
from faultdrill.proxy.toxics.timeout import Timeout

TOXIC_TYPES: dict[str, type[Toxic]] = {
    cls.type_name: cls
    for cls in (
        Noop,
        Latency,
        Bandwidth,
        SlowClose,
        Timeout,
        ResetPeer,
        Slicer,
        LimitData,
    )
}

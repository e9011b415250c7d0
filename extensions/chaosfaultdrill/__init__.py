"""Chaos Toolkit extension of faultdrill.

Its actions and probes are usable from a faultdrill experiment and from a
plain ``chaos run`` alike:

- ``chaosfaultdrill.network``: network faults through the Toxiproxy HTTP API.
- ``chaosfaultdrill.stress``: CPU and memory stress in child processes.
- ``chaosfaultdrill.load``: Locust load, rate-limit validation, capacity steps.
"""

__version__ = "0.1.0"

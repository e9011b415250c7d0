"""CPU and memory stress that hits its target and always stops.

A *stressor* is one process group of child processes that load the host:

- CPU: a share of N cores, one busy/sleep worker per core
  (:mod:`faultdrill.stress.cpuload`), or ``stress-ng --cpu-load``;
- memory: a resident size, optionally ramped up
  (:mod:`faultdrill.stress.memload`), or ``stress-ng --vm``.

How a stressor is sure to stop:

- it stops itself when its duration is over;
- every process of it watches its parent and exits when the parent is gone
  (:mod:`faultdrill.stress.parentwatch`);
- it is killed as a whole process group on stop (:mod:`faultdrill.stress.procgroup`);
- it is written down in a registry under the state home before it loads
  anything, so that a later process can kill what a crashed one left behind
  (:mod:`faultdrill.stress.recovery`).

:class:`faultdrill.stress.supervisor.Supervisor` starts, measures and stops
stressors; the Chaos Toolkit actions in ``chaosfaultdrill.stress`` use it.
"""

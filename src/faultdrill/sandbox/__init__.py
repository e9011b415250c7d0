"""The LocalizeVideos sandbox: a small service on loopback to aim experiments at.

Three processes, each in its own session, logging to ``home()/sandbox/``::

    web app  :8780  --->  proxy "catalog" :8782  --->  catalog :8781
                          (Toxiproxy API :8474)

The web app (:mod:`.webapp`) serves the homepage, a rate-limited login and a
video API that calls the catalog (:mod:`.catalog`) through the fault proxy,
so network faults on proxy ``catalog`` reach the API. The proxy is
faultdrill's embedded Toxiproxy-compatible server, or a ``catalog`` proxy
created on an outside Toxiproxy when its URL is given.

Other code uses :mod:`.control`: ``up``, ``down``, ``status`` and the
``running_sandbox`` context manager; people use ``faultdrill sandbox``.
"""

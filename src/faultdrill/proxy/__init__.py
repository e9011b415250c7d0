"""The embedded Toxiproxy-compatible fault proxy.

It speaks the HTTP API of Toxiproxy 2.12.0, so Toxiproxy clients and the
chaostoolkit-toxiproxy extension work against it unchanged. Entry points:

- ``faultdrill.proxy.embedded.EmbeddedProxy``: the server in a background
  thread, for tests and for ``faultdrill run`` when no Toxiproxy is given;
- ``faultdrill proxy serve``: the server as a process (``proxy.serve``).

How it is built: one asyncio event loop (uvloop when installed) runs the
API (``api``, ``httpcompat``) and every proxy (``proxy``). A connection
(``connection``) has two directions (``direction``); each passes reads
straight to the other socket until a toxic is added, then through a chain
of stages (``stage``), one per toxic (``toxics/``), that keep the data in
order while toxics come and go.

Where it differs from Toxiproxy on purpose (it hangs, crashes or surprises
there; see the upstream issues in the tests):

- ``bandwidth`` with rate 0 holds data and hands all of it on when removed;
  a negative rate is refused with 400 instead of a panic (#210);
- ``slicer`` with ``average_size`` 0 is refused with 400 instead of
  recursing forever; a variation larger than the average is handled (#541);
- ``reset_peer`` sends a TCP RST exactly when it applies: also on
  connections opened before it, never when its toxicity draw says no (#603);
- toxicity is drawn when a connection opens and when its toxic is added
  or updated, not again whenever a neighbouring toxic comes or goes;
- the upstream is dialled without holding up other accepts;
- a listen address of ``0.0.0.0:N`` and the stored ``[::]:N`` count as the
  same address in updates and ``/populate``;
- ``faultdrill proxy serve --config`` refuses a file naming a proxy twice.
"""

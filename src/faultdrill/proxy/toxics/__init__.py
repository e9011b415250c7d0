"""The toxics: one module per type, each a frozen set of attributes plus the
behaviour it applies to a stream (``pipe``)."""

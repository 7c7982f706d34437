"""The domain: one sub-package per document, and the applications that save them.

Imports eventsourcing, the standard library and ``bonded.errors`` only: no I/O, no
logging. Storage is chosen by the applications' environment at run time.
"""

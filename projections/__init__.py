"""Read models: a pure projector per query table and its PostgreSQL storage.

Empty until the projections land.
"""

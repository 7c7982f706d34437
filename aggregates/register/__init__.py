"""The enterprise register: reference data behind R-DOC-7."""

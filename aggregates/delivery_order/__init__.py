"""The delivery order (提货单), R-DLV-1."""

"""The HTTP API for portals, ERPs, customs and analysts (``/v1``)."""

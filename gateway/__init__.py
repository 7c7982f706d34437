"""The edges: HTTP API, customs adapters and the data sub-centre fan-out.

Empty until the gateway lands.
"""

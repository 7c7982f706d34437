"""The logistics ledger (物流账册): part-level stock of a zone enterprise."""

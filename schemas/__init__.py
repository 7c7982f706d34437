"""Wire contracts: settings, command and event models, customs messages."""

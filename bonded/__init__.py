"""Composition root of the bonded-logistics backbone: errors, bootstrap, CLI."""

"""The Faust app: relay, projection agents and process managers.

Empty until the relay and the agents land: nothing here yet publishes or consumes.
"""

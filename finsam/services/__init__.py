"""Use cases in plain Python, each one transaction. The CLI, the flows and the tests call these."""

"""Prefect flows: the kansli's checklists. Thin: they call tasks, which call finsam's services."""

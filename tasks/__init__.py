"""Prefect tasks: one side effect each, thin wrappers over finsam's services."""

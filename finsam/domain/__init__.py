"""The domain: model, rules and lifecycle. Pure Python and SQLAlchemy, no clock."""

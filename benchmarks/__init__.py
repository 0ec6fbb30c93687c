"""Benchmarks and chaos runs (make bench, make chaos): figures anyone can reproduce."""

import sys as _sys
from pathlib import Path as _Path

# The tests' helpers (a real SMTP server, the mail tools) are imported by their own module names: a dependency
# (spylls) ships a top-level package called `tests`, which would shadow `tests.smtp_servers`.
_TESTS = str(_Path(__file__).resolve().parent.parent / "tests")
if _TESTS not in _sys.path:
    _sys.path.append(_TESTS)

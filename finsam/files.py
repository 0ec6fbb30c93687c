"""Files that hold personal data are created readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path


def private_file(path: Path, content: str | bytes) -> None:
    """Write `path` new (or replace it) with mode 0600."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            fd = -1
            f.write(data)
    finally:
        if fd != -1:
            os.close(fd)

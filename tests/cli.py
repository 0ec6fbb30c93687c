"""Running the real `finsam` command against a test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent


def finsam(db_url: str, *args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FINSAM_DATABASE_URL": db_url, "FINSAM_AKTOR": "test", "COLUMNS": "200",
           # this checkout's code, also when cwd is elsewhere (the venv may have another checkout installed)
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-m", "finsam", *args], capture_output=True, text=True, env=env, cwd=cwd or PROJECT, timeout=120
    )
    if check and result.returncode != 0:
        raise AssertionError(f"finsam {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def finsam_json(db_url: str, *args: str) -> Any:
    return json.loads(finsam(db_url, *args, "--json").stdout)

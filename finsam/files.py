"""Files that hold personal data (stored and refused reports, crash reports) are the owner's alone
(files 0600, folders finsam creates 0700, whatever the umask), and no file ever overwrites another."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> Path:
    """The folder, created owner-only if it is new (an existing one keeps the mode its owner gave it)."""
    if not folder.is_dir():
        folder.mkdir(parents=True, mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is narrowed by the umask, never widened
    return folder


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, owner-only; FileExistsError if it does."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb", closefd=False) as file:
            file.write(data)
            file.flush()
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def store_once(path: Path, data: bytes) -> None:
    """Keep `data` at `path` (named by its content hash) unless it is there already; never half-written."""
    if path.exists():
        return
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    write_new(partial, data)
    os.replace(partial, path)  # the same content under the same name: replacing a twin is harmless


def _candidates(name: str):
    stem, suffix = Path(name).stem, Path(name).suffix
    yield name
    for counter in range(2, 10_000):
        yield f"{stem}-{counter}{suffix}"


def move_without_overwriting(source: Path, folder: Path, *, private: bool = False, companion: str | None = None) -> Path:
    """Move `source` into `folder` under its own name, or `name-2.ext`, `name-3.ext`… when that is taken.

    With `companion` (a suffix such as `.orsak.txt`), a name is only taken if the companion file's
    name is free too, so the two stay a pair. The move is a hard link (which fails rather than
    replace an existing file) and an unlink; across file systems, an exclusive copy and an unlink.
    """
    for name in _candidates(source.name):
        target = folder / name
        if companion and (folder / f"{name}{companion}").exists():
            continue
        try:
            os.link(source, target)
        except FileExistsError:
            continue
        except OSError as e:
            if e.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE if private else 0o644)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as out, source.open("rb") as inp:
                shutil.copyfileobj(inp, out)
        if private:
            os.chmod(target, FILE_MODE)
        source.unlink()
        return target
    raise FileExistsError(errno.EEXIST, "inget ledigt namn", str(folder / source.name))

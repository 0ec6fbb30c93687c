"""finsam touches only its own files.

Every folder finsam reads or writes (the report inbox and its subfolders, the report store, the
output folders, the mail sink) is held open as a directory descriptor, and every entry in it is opened
*relative to that descriptor* with O_NOFOLLOW: a symbolic link dropped into a folder is never followed,
whatever it points at, and a name cannot climb out (`..`, `/`, NUL, line breaks are refused before any
system call sees them). What was opened is checked, not the name: only a regular file with one link
is read (a FIFO is opened non-blocking, so it cannot hang the run, and then refused; a device, a
socket, a directory or a hard-linked file is refused), and a file that changes while it is read is
refused rather than half-read.

finsam never changes the mode of a file it did not create: the files it writes are created 0600 from
the start (O_CREAT|O_EXCL, so an existing name or a planted link makes the create fail instead of
writing through it), folders it creates 0700, and an output is written to a fresh file and renamed
into place, so a link at the output's name is replaced, never written through.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from finsam.errors import FinsamError

FILE_MODE = 0o600
FOLDER_MODE = 0o700
MAX_NAME_BYTES = 200  # a name finsam keeps or shows; room is left for `-2` and `.orsak.txt` (NAME_MAX is 255)
_OPEN_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
CHUNK = 1024 * 1024


class UnsafeFile(FinsamError):
    """An entry finsam will not read or write: a link, not a regular file, a name that climbs out, or changed
    while read. Its message names the entry and says why, in Swedish."""


# ---------------------------------------------------------------------------------------------- names

def shown_name(name: str | bytes) -> str:
    """A file name as finsam shows and keeps it: bytes that are not UTF-8 as U+FFFD, control characters as
    spaces, and no longer than MAX_NAME_BYTES in UTF-8 (shortened in the middle, its extension kept)."""
    if isinstance(name, bytes):
        text = name.decode("utf-8", errors="replace")
    else:
        text = os.fsencode(name).decode("utf-8", errors="replace")  # a name read with surrogateescape
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)
    return shorten_name(text)


def shorten_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """`name` cut to `limit` bytes of UTF-8 in the middle with "…", its extension (up to 20 bytes) kept."""
    if len(name.encode("utf-8")) <= limit:
        return name
    suffix = Path(name).suffix
    if len(suffix.encode("utf-8")) > 20:
        suffix = ""
    room = limit - len(suffix.encode("utf-8")) - len("…".encode("utf-8"))
    stem = name[: len(name) - len(suffix)] if suffix else name
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut + "…" + suffix


def name_problem(name: str) -> str | None:
    """Why an entry's name is not one finsam opens (in Swedish), or None."""
    raw = os.fsencode(name)
    if not raw or name in (".", ".."):
        return "namnet är tomt eller pekar ut ur mappen"
    if b"/" in raw or b"\x00" in raw:
        return "namnet innehåller / eller NUL och kan peka ut ur mappen"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "namnet innehåller radbrytningar eller andra styrtecken; byt namn på filen"
    if len(raw) > MAX_NAME_BYTES:
        return f"namnet är {len(raw)} byte långt; finsam tar filer med namn på högst {MAX_NAME_BYTES} byte"
    return None


# ---------------------------------------------------------------------------------------------- kinds

@dataclass(frozen=True)
class Entry:
    """One name in a folder and what it is, as lstat sees it (a link is a link, never what it points at)."""

    name: str  # as the OS gives it (undecodable bytes kept as surrogates, so it can be opened again)
    kind: str  # fil / mapp / lank / fifo / enhet / uttag / okand
    links: int

    @property
    def shown(self) -> str:
        return shown_name(self.name)

    def problem(self) -> str | None:
        """Why finsam will not read this entry as a file of its own, or None for a regular file it may read."""
        if why := name_problem(self.name):
            return why
        return kind_problem(self.kind, self.links)


KIND_WORDS = {
    "lank": "är en symbolisk länk; finsam följer inga länkar (lägg in själva filen)",
    "mapp": "är en mapp",
    "fifo": "är en namngiven rörledning (FIFO), ingen fil",
    "enhet": "är en enhetsfil, ingen vanlig fil",
    "uttag": "är ett uttag (socket), ingen vanlig fil",
    "okand": "är ingen vanlig fil",
}


def kind_of(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "fil"
    if stat.S_ISLNK(mode):
        return "lank"
    if stat.S_ISDIR(mode):
        return "mapp"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "enhet"
    if stat.S_ISSOCK(mode):
        return "uttag"
    return "okand"


def kind_problem(kind: str, links: int) -> str | None:
    if kind != "fil":
        return KIND_WORDS[kind]
    if links > 1:
        return f"har {links} hårda länkar; finsam läser bara filer som bara finns på ett ställe (lägg in en kopia)"
    return None


# --------------------------------------------------------------------------------------------- folders

def _refuse(where: str, why: str) -> UnsafeFile:
    return UnsafeFile(f"{where} {why}.")


# A test seam: called with the open descriptor between opening a file and reading it (a no-op here).
_opened: Callable[[int, str], None] = lambda fd, name: None  # noqa: E731


class Folder:
    """A folder held open by its descriptor: every entry is listed, opened, created, moved and removed
    relative to it, so nothing that replaces a name or plants a link can make finsam act elsewhere."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self.fd = fd

    # -- opening and closing

    @classmethod
    def open(cls, path: Path, *, create: bool = False, private: bool = False) -> Folder:
        """The folder at `path` (the operator's setting: a link *to* it is theirs to make), created if asked:
        0700 when `private`, else as the umask allows."""
        path = Path(path)
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise FinsamError(f"Kan inte skapa mappen {path.parent}: {e.strerror}.") from None
            created = _mkdir(lambda mode: os.mkdir(path, mode), private)
        else:
            created = False
        try:
            fd = os.open(path, _OPEN_DIR)
        except FileNotFoundError:
            raise FinsamError(f"Mappen {path} finns inte.") from None
        except NotADirectoryError:
            raise FinsamError(f"{path} är ingen mapp.") from None
        except OSError as e:
            raise FinsamError(f"Kan inte öppna mappen {path}: {e.strerror}.") from None
        folder = cls(path, fd)
        if created and private:
            os.fchmod(fd, FOLDER_MODE)  # mkdir's mode is narrowed by the umask; this folder is ours
        return folder

    def sub(self, name: str, *, create: bool = True, private: bool = False) -> Folder:
        """A folder inside this one, created if missing; a link or a file at its name is refused, never followed."""
        if why := name_problem(name):
            raise _refuse(str(self.path / shown_name(name)), why)
        created = _mkdir(lambda mode: os.mkdir(name, mode, dir_fd=self.fd), private) if create else False
        try:
            fd = os.open(name, _OPEN_DIR | os.O_NOFOLLOW, dir_fd=self.fd)
        except FileNotFoundError:
            raise FinsamError(f"Mappen {self.path / name} finns inte.") from None
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.ENOTDIR):
                kind = self.entry(name).kind if self.exists(name) else "okand"
                raise _refuse(f"{self.path / name}", KIND_WORDS.get(kind, "är ingen mapp")
                              + "; finsam skriver bara i egna mappar") from None
            raise FinsamError(f"Kan inte öppna mappen {self.path / name}: {e.strerror}.") from None
        folder = Folder(self.path / name, fd)
        if created and private:
            os.fchmod(fd, FOLDER_MODE)
        return folder

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- looking

    def entries(self) -> Iterator[Entry]:
        """Every name in the folder, in name order, with what it is (links not followed)."""
        names = sorted(os.listdir(self.fd), key=lambda n: os.fsencode(n))
        for name in names:
            try:
                yield self.entry(name)
            except FileNotFoundError:  # gone since it was listed
                continue

    def entry(self, name: str) -> Entry:
        info = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        return Entry(name, kind_of(info.st_mode), info.st_nlink)

    def exists(self, name: str) -> bool:
        try:
            os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return True

    def identity(self, name: str) -> tuple[int, int] | None:
        """(device, inode) of what the name is now, or None if nothing is there."""
        try:
            info = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None
        return info.st_dev, info.st_ino

    # -- reading

    def read(self, name: str, *, max_bytes: int, too_big: Callable[[int], Exception]) -> ReadFile:
        """The whole of a regular file of this folder, read once through one descriptor.

        Refused (UnsafeFile) for a name that climbs out, a link, anything but a regular file with one link,
        and a file that changed while it was read (it grew, shrank or was written to: a copy still arriving
        is taken on the next run). `too_big(size)` is raised for a file over `max_bytes`, before it is read.
        """
        where = str(self.path / shown_name(name))
        if why := name_problem(name):
            raise _refuse(where, why)
        entry = self.entry(name)  # a device or a FIFO is refused before it is opened at all (FileNotFoundError if gone)
        if entry.kind != "fil":
            raise _refuse(where, KIND_WORDS[entry.kind])
        try:
            fd = os.open(name, _OPEN_READ, dir_fd=self.fd)
        except FileNotFoundError:
            raise
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise _refuse(where, KIND_WORDS["lank"]) from None
            if e.errno in (errno.ENXIO, errno.EISDIR):  # a FIFO with no writer / a directory
                raise _refuse(where, KIND_WORDS["fifo" if e.errno == errno.ENXIO else "mapp"]) from None
            raise FinsamError(f"Kan inte läsa {where}: {e.strerror}.") from None
        try:
            return _read_open(fd, where, name, max_bytes, too_big)
        finally:
            os.close(fd)

    # -- writing

    def create(self, name: str, data: bytes) -> None:
        """A new file, 0600 from the start; FileExistsError if the name is taken (by a file or a link)."""
        if why := name_problem(name):
            raise _refuse(str(self.path / shown_name(name)), why)
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), FILE_MODE,
                     dir_fd=self.fd)
        try:
            os.fchmod(fd, FILE_MODE)  # the umask could only narrow it; this is our own new file
            _write_all(fd, data)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            os.unlink(name, dir_fd=self.fd)
            raise
        os.close(fd)

    def replace(self, name: str, data: bytes) -> None:
        """Write `name` whole, 0600: a fresh file renamed into place. What stands at the name must be a
        regular file of one link (finsam's own output of an earlier run) or nothing: a link, a FIFO, a
        folder or a hard-linked file there is refused, never written through."""
        where = str(self.path / shown_name(name))
        if why := name_problem(name):
            raise _refuse(where, why)
        if self.exists(name):
            entry = self.entry(name)
            if why := kind_problem(entry.kind, entry.links):
                raise _refuse(where, why + "; finsam skriver inte över den")
        partial = f".{name[:100]}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        self.create(partial, data)
        try:
            os.replace(partial, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            os.unlink(partial, dir_fd=self.fd)
            raise

    def store_once(self, name: str, data: bytes) -> None:
        """Keep `data` under `name` (its content hash) unless a file of ours is there already."""
        if self.exists(name):
            entry = self.entry(name)
            if kind_problem(entry.kind, entry.links) is None:
                return
        self.replace(name, data)

    # -- moving

    def move_into(self, name: str, target: Folder, *, as_name: str | None = None, companion: str | None = None) -> str:
        """Move the entry `name` (whatever it is: its content and mode are not touched, a link is moved as the
        link) into `target` under `as_name` or its own name, `name-2.ext`… when taken; the new name.

        With `companion` (a suffix such as `.orsak.txt`), a name is only taken if the companion's name is
        free too, so the two stay a pair. The move is a hard link of the entry itself (which fails rather
        than replace anything) and an unlink; across file systems a regular file is copied (0600) instead.
        """
        wanted = as_name or name
        for candidate in candidate_names(wanted):
            if companion and target.exists(candidate + companion):
                continue
            try:
                os.link(name, candidate, src_dir_fd=self.fd, dst_dir_fd=target.fd, follow_symlinks=False)
            except FileExistsError:
                continue
            except OSError as e:
                if e.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                if not self._copy(name, target, candidate):
                    continue
            os.unlink(name, dir_fd=self.fd)
            return candidate
        raise FileExistsError(errno.EEXIST, "inget ledigt namn", str(target.path / wanted))

    def _copy(self, name: str, target: Folder, candidate: str) -> bool:
        """A regular file copied into `target` (a file system that cannot link): False if the name is taken."""
        entry = self.entry(name)
        if entry.kind != "fil":
            raise OSError(errno.EXDEV, "kan bara flytta vanliga filer mellan filsystem")
        data = self.read(name, max_bytes=1 << 40, too_big=lambda size: OSError(errno.EFBIG, "för stor"))
        try:
            target.create(candidate, data.data)
        except FileExistsError:
            return False
        return True

    def unlink(self, name: str) -> None:
        os.unlink(name, dir_fd=self.fd)


@dataclass(frozen=True)
class ReadFile:
    data: bytes
    identity: tuple[int, int]  # (device, inode) of what was read: to move that file and no other


def _read_open(fd: int, where: str, name: str, max_bytes: int, too_big: Callable[[int], Exception]) -> ReadFile:
    before = os.fstat(fd)
    if why := kind_problem(kind_of(before.st_mode), before.st_nlink):
        raise _refuse(where, why)
    if before.st_size > max_bytes:
        raise too_big(before.st_size)
    os.set_blocking(fd, True)
    _opened(fd, name)
    chunks, read = [], 0
    while read <= max_bytes and (chunk := os.read(fd, min(CHUNK, max_bytes + 1 - read))):
        chunks.append(chunk)
        read += len(chunk)
    if read > max_bytes:
        raise too_big(read)
    after = os.fstat(fd)
    # Its content, not its names: a file renamed over this one's name leaves what was opened whole.
    if read != before.st_size or after.st_size != before.st_size or after.st_mtime_ns != before.st_mtime_ns:
        raise _refuse(where, "ändrades medan den lästes (den kanske kopieras in just nu); den tas in vid nästa körning")
    return ReadFile(b"".join(chunks), (before.st_dev, before.st_ino))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _mkdir(make: Callable[[int], None], private: bool) -> bool:
    """True if the folder was made now (so it is ours to set the mode of), False if it was there."""
    try:
        make(FOLDER_MODE if private else 0o777)
    except FileExistsError:
        return False
    except OSError as e:
        raise FinsamError(f"Kan inte skapa mappen: {e.strerror}.") from None
    return True


def candidate_names(name: str) -> Iterator[str]:
    """`name`, then `stem-2.ext`, `stem-3.ext`…: the names tried in turn where one is taken."""
    stem, suffix = Path(name).stem, Path(name).suffix
    yield name
    for counter in range(2, 10_000):
        yield f"{stem}-{counter}{suffix}"


# ---------------------------------------------------------------------------------------- single paths

def read_regular(path: Path, *, max_bytes: int, too_big: Callable[[int], Exception], follow_links: bool = False) -> bytes:
    """A file named by the user (an import), read as `Folder.read` reads one: through its folder's descriptor,
    never through a link at its own name, never hanging on a FIFO. `follow_links` is for the operator's own
    configuration (the rules file), which deployments often put in place as a link: the link is resolved
    first, and what it leads to must still be a regular file of one link."""
    path = Path(os.path.realpath(path)) if follow_links else Path(path)
    if not path.parent.is_dir():  # said as the file's own absence, as a plain open would
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path))
    with Folder.open(path.parent) as folder:
        return folder.read(path.name, max_bytes=max_bytes, too_big=too_big).data


def write_output(path: Path, data: bytes) -> None:
    """An output file the user named (Bilaga 1, a calendar export): written whole, 0600, by `Folder.replace`."""
    path = Path(path)
    with Folder.open(path.parent, create=True) as folder:
        folder.replace(path.name, data)


def write_in(root: Path, relative: str, data: bytes) -> Path:
    """A file under finsam's own output folder `root` (the demo's, say): every folder on the way below `root` is
    opened without following links (created if missing), and the file is written by `Folder.replace`."""
    *folders, name = Path(relative).parts
    opened = [Folder.open(root, create=True)]
    try:
        for part in folders:
            opened.append(opened[-1].sub(part))
        opened[-1].replace(name, data)
    finally:
        for folder in reversed(opened):
            folder.close()
    return Path(root, relative)


def private_folder(folder: Path) -> Path:
    """The folder, created owner-only if it is new (an existing one keeps the mode its owner gave it).
    A link or a file at its name is refused."""
    folder = Path(folder)
    with Folder.open(folder.parent, create=True) as parent:
        parent.sub(folder.name, private=True).close()
    return folder


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, owner-only; FileExistsError if it does (a link at the name too)."""
    path = Path(path)
    with Folder.open(path.parent) as folder:
        folder.create(path.name, data)


def check_database_file(path: Path) -> None:
    """A SQLite database file (and its -wal/-shm companions) must be a regular file of one link: finsam
    never opens a database through a link or into someone else's file."""
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = os.lstat(candidate)
        except FileNotFoundError:
            continue
        if why := kind_problem(kind_of(info.st_mode), info.st_nlink):
            raise UnsafeFile(f"Databasfilen {candidate} {why}; finsam öppnar bara en egen databasfil.")

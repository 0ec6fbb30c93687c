"""How the CLI fails: usage errors in Swedish (exit 2), refusals with their reason (exit 1),
and real bugs with a crash report on disk (exit 70) that the kansli can send on.

A crash report holds what a developer needs (traceback, version, the command's shape) and no
personal data: option values and exception messages (which may quote a name or an address)
are left out.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import traceback
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from typer._click import exceptions as click_exceptions

from finsam.errors import in_swedish as _swedish
from finsam.files import private_folder, write_new

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_BUG = 70  # EX_SOFTWARE: an internal error

UsageError = click_exceptions.UsageError
ClickException = click_exceptions.ClickException

def _hint(e: click_exceptions.BadParameter) -> str:
    if e.param_hint is not None:
        hint = e.param_hint if isinstance(e.param_hint, str) else " / ".join(repr(h) for h in e.param_hint)
        return hint
    if e.param is not None:
        return e.param.get_error_hint()
    return "ett värde"


def usage_message(e: click_exceptions.UsageError) -> str:
    if isinstance(e, click_exceptions.MissingParameter):
        return f"{_hint(e)} saknas"
    if isinstance(e, click_exceptions.BadParameter):
        return f"ogiltigt värde för {_hint(e)}: {_swedish(e.message)}"
    if isinstance(e, click_exceptions.NoSuchOption):
        text = f"det finns inget alternativ {e.option_name}"
        if e.possibilities:
            text += f" (menade du {', '.join(sorted(e.possibilities))}?)"
        return text
    return _swedish(e.message)


def show_usage_error(e: click_exceptions.UsageError) -> None:
    out = sys.stderr
    if isinstance(e, click_exceptions.NoArgsIsHelpError):
        print(e.format_message(), file=out)
        return
    if e.ctx is not None:
        print(e.ctx.get_usage().replace("Usage:", "Användning:", 1), file=out)
        print(f"Skriv '{e.ctx.command_path} --help' för hjälp.\n", file=out)
    else:  # click knows no command here (e.g. an option without its value)
        print("Användning: finsam KOMMANDO [ALTERNATIV] [ARGUMENT]…", file=out)
        print("Skriv 'finsam KOMMANDO --help' för hjälp.\n", file=out)
    try:
        message = usage_message(e)
    except Exception:  # a form of the message we do not know: click's own words, never a traceback
        message = e.format_message()
    print(f"Fel: {message}", file=out)


def _command_shape(argv: list[str], commands: set[str]) -> str:
    """The command with its values left out: `finsam ansokan <värde> --epost <värde>`. Only the
    command's own names and option names are kept; anything typed (a name, an address) is not."""
    words = ["finsam"]
    for arg in argv[1:]:
        option = re.fullmatch(r"(--?[a-z][a-z0-9-]*)(=.*)?", arg)
        if option:
            words.append(option.group(1) + ("=<värde>" if option.group(2) else ""))
        else:
            words.append(arg if arg in commands else "<värde>")
    return " ".join(words)


def write_crash_report(error: BaseException, argv: list[str], folder: Path, commands: set[str] = frozenset()) -> Path:
    """A report of a real bug: traceback frames and exception types, never their messages."""
    moment = datetime.now(timezone.utc)
    try:
        version = metadata.version("finsam")
    except metadata.PackageNotFoundError:
        version = "okänd"
    lines = [
        "finsam felrapport",
        f"tid: {moment.isoformat(timespec='seconds')}",
        f"version: finsam {version}, Python {platform.python_version()}, {platform.platform()}",
        f"kommando: {_command_shape(argv, commands)}",
        "",
        "Spårning (felmeddelandena är utelämnade: de kan innehålla personuppgifter):",
    ]
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for exc in reversed(chain):
        lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}")
        for frame in traceback.extract_tb(exc.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line}")
    path = private_folder(folder) / f"felrapport-{moment.strftime('%Y%m%dT%H%M%SZ')}-{os.getpid()}.txt"
    write_new(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path

"""A real IMAP server for the tests: Debian's Dovecot, started with a configuration of the test's own."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from smtp_servers import free_port

USER, PASSWORD = "kansliet", "hemligt"


def dovecot_problem() -> str | None:
    if shutil.which("dovecot") is None and not Path("/usr/sbin/dovecot").exists():
        return "Dovecot is not installed (Debian's package dovecot-imapd)"
    if os.geteuid() != 0:
        return "Dovecot's test instance needs root here (it drops to its own users)"
    return None


@contextmanager
def dovecot() -> Iterator[int]:
    problem = dovecot_problem()
    if problem:
        if os.environ.get("FINSAM_TEST_REQUIRE_IMAP") == "1":
            pytest.fail(f"the IMAP test is required (FINSAM_TEST_REQUIRE_IMAP=1): {problem}")
        pytest.skip(f"IMAP test skipped: {problem}")
    import tempfile

    port = free_port()
    # Dovecot's own users must reach these files: a folder of its own, not pytest's private tmp.
    base = Path(tempfile.mkdtemp(prefix="finsam-dovecot-"))
    (base / "run").mkdir(parents=True)
    (base / "mail").mkdir()
    os.chmod(base, 0o755)
    shutil.chown(base / "mail", "dovecot", "dovecot")
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    config = base / "dovecot.conf"
    config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/run
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{base}/mail/%u
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {base}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={base}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
""")
    process = subprocess.Popen(["dovecot", "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        import socket

        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
                raise AssertionError(f"Dovecot did not start: {process.stdout.read().decode() if process.stdout else ''}{log}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(base, ignore_errors=True)


def deliver(port: int, message: bytes) -> None:
    """Put a message in the kansli's inbox, unseen, as the mail system would."""
    import imaplib

    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    status, _ = client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), message)
    assert status == "OK"
    client.logout()


def seen_flags(port: int) -> list[bool]:
    import imaplib

    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.select("INBOX")
    _, data = client.fetch("1:*", "(FLAGS)")
    client.logout()
    return [b"\\Seen" in line for line in data if line]

"""A real IMAP server on loopback for the poller's tests: Dovecot from Debian's packages.

``dovecot`` starts ``/usr/sbin/dovecot -F`` with a generated configuration in a
temporary directory: IMAP on 127.0.0.1 on a free port, no TLS, plaintext login allowed,
one user from a passwd-file, Maildir storage in the same directory. It points the
``IMAP_*`` settings at it for one test and stops it afterwards.

Missing or failing Dovecot fails the test (never a skip): ``bin/ensure-test-tools``
installs it.
"""

from __future__ import annotations

import getpass
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
USER = "support"
PASSWORD = "imap-test-password"
START_TIMEOUT = 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class DovecotServer:
    root: Path
    host: str = "127.0.0.1"
    port: int = field(default_factory=_free_port)
    user: str = USER
    password: str = PASSWORD
    process: subprocess.Popen | None = None

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _config(self) -> str:
        if os.geteuid() == 0:
            # Dovecot never gives mail access to root: the mailbox belongs to "nobody",
            # the internal processes to Dovecot's own users from the package.
            internal, login = "dovecot", "dovenull"
            mail_user = pwd.getpwnam("nobody")
        else:
            internal = login = getpass.getuser()
            mail_user = pwd.getpwuid(os.geteuid())
        return f"""
protocols = imap
listen = {self.host}
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = casetracker-test-{self.port}
log_path = {self.root}/dovecot.log
info_log_path = {self.root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{self.root}/mail/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={self.root}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""

    def start(self) -> None:
        if not os.path.exists(DOVECOT):
            pytest.fail(f"{DOVECOT} is missing: run bin/ensure-test-tools (installs dovecot-imapd)", pytrace=False)
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)  # Dovecot's unprivileged processes read their config and sockets here
        (self.root / "mail").mkdir(exist_ok=True)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root / "mail", nobody.pw_uid, nobody.pw_gid)
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        (self.root / "users").chmod(0o644)
        config = self.root / "dovecot.conf"
        config.write_text(self._config())
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""
                pytest.fail(f"Dovecot exited at start ({self.process.returncode}): {output}\n{self.log}", pytrace=False)
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as probe:
                    if probe.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(
            f"Dovecot did not answer on {self.host}:{self.port} within {START_TIMEOUT}s\n{self.log}", pytrace=False
        )

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()
        self.process = None

    # --- A mail client's view of the mailbox, for the tests -------------------------

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a mail in a folder, as the MTA's delivery would (IMAP APPEND)."""
        client = self.client()
        try:
            status, data = client.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def messages(self, folder: str) -> list[bytes]:
        """The raw mails in a folder (an unknown folder has none)."""
        client = self.client()
        try:
            status, _data = client.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _status, data = client.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
                found.append(b"".join(item[1] for item in fetched if isinstance(item, tuple)))
            return found
        finally:
            client.logout()


@pytest.fixture
def dovecot(settings):  # type: ignore[no-untyped-def]
    root = Path(tempfile.mkdtemp(prefix="casetracker-dovecot-"))
    server = DovecotServer(root=root)
    server.start()
    settings.IMAP_HOST = server.host
    settings.IMAP_PORT = server.port
    settings.IMAP_USER = server.user
    settings.IMAP_PASSWORD = server.password
    settings.IMAP_SSL = False
    settings.IMAP_FOLDER = "INBOX"
    settings.IMAP_PROCESSED_FOLDER = "Processed"
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)

"""A private Dovecot IMAP server for the polling tests, on a free 127.0.0.1 port.

Everything it uses is in its own temporary folder: the configuration (no system file is read),
the accounts (a passwd-file with plaintext passwords), the mail (maildir), sockets, state and
log. A Dovecot the Debian package may have started for the system (ports 143/993, /run/dovecot)
is neither used nor disturbed. Each test takes an account of its own, so tests share one server.

Run as root, Dovecot refuses to run its login and internal processes as root: they run as the
``dovenull`` and ``dovecot`` users the package creates, and the mail belongs to ``nobody``; the
folder is made traversable (0711) for them, which ``tmp_path`` (under a 0700 folder) is not.
Run as anyone else, every process is that user and nothing is chrooted.
"""

import email.policy
import email.utils
import grp
import imaplib
import itertools
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

PASSWORD = "correct horse battery staple"
# Accounts are written before the server starts: Dovecot looks at a changed passwd-file at most
# once a second, so an account added while it runs may be refused for a moment.
ACCOUNTS = 500
# One more account, whose password IMAP LOGIN cannot carry (it takes ASCII only).
UNICODE_USER, UNICODE_PASSWORD = "jurgen@example.com", "Grüne Äpfel für Jürgen"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot", "/sbin/dovecot") if os.access(path, os.X_OK)),
        None,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _users() -> dict[str, str]:
    """Who runs what: Dovecot refuses root for its login and internal processes."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return {
            "internal": me,
            "internal_group": group,
            "login": me,
            "mail": me,
            "mail_group": group,
        }
    try:
        internal = pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
        nobody = pwd.getpwnam("nobody")
    except KeyError as exc:
        raise RuntimeError(
            f"the user {exc} is missing (the dovecot-core package makes it)"
        ) from exc
    return {
        "internal": "dovecot",
        "internal_group": grp.getgrgid(internal.pw_gid).gr_name,
        "login": "dovenull",
        "mail": "nobody",
        "mail_group": grp.getgrgid(nobody.pw_gid).gr_name,
    }


class PrivateDovecot:
    """``tls=False``: plain IMAP, no STARTTLS. ``tls=True``: ``ssl = required`` with a
    self-signed certificate for 127.0.0.1 (``cert_file``), STARTTLS on ``port`` and implicit
    TLS on ``tls_port``."""

    unused_port = staticmethod(_free_port)

    def __init__(self, binary: str, *, tls: bool = False, capability: str = ""):
        self.binary = binary
        self.tls = tls
        self.capability = capability  # what it offers after login, when not Dovecot's own
        self.folder = Path(tempfile.mkdtemp(prefix="sb-dovecot-"))
        self.port = _free_port()
        self.tls_port = _free_port() if tls else 0
        self.cert_file = self.folder / "cert.pem"
        self.process: subprocess.Popen | None = None
        self._stderr = None
        self._numbers = itertools.count(1)

    # --- accounts and mail, as a mail program would see them

    def add_user(self) -> str:
        """An account of its own with an empty INBOX, for one test."""
        number = next(self._numbers)
        if number > ACCOUNTS:
            raise RuntimeError(f"all {ACCOUNTS} accounts of the private Dovecot are taken")
        return f"desk{number}@example.com"

    def client(self, username: str, password: str | None = None) -> imaplib.IMAP4:
        if password is None:
            password = UNICODE_PASSWORD if username == UNICODE_USER else PASSWORD
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        if self.tls:
            context = ssl.create_default_context(cafile=str(self.cert_file))
            conn.starttls(ssl_context=context)
        if password.isascii():
            conn.login(username, password)
        else:
            conn.authenticate("PLAIN", lambda _: f"\0{username}\0{password}".encode())
        return conn

    def append(self, username: str, raw: bytes, folder: str = "INBOX") -> int:
        """Deliver one message; returns its UID."""
        conn = self.client(username)
        try:
            conn.create(folder)  # "already exists" for INBOX and known folders: fine
            typ, data = conn.append(folder, None, None, raw)
            assert typ == "OK", data
            return int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))
        finally:
            conn.logout()

    def messages(self, username: str, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID -> flags of every message in the folder ({} when there is no such folder)."""
        conn = self.client(username)
        try:
            typ, _ = conn.select(folder, readonly=True)
            if typ != "OK":
                return {}
            typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            found = {}
            for line in data:
                uid = re.search(rb"UID (\d+)", line or b"")
                flags = re.search(rb"FLAGS \(([^)]*)\)", line or b"")
                if uid and flags:
                    found[int(uid.group(1))] = set(flags.group(1).decode().split())
            return found
        finally:
            conn.logout()

    def folders(self, username: str) -> set[str]:
        conn = self.client(username)
        try:
            _, data = conn.list()
            return {line.decode().rsplit(" ", 1)[-1].strip('"') for line in data if line}
        finally:
            conn.logout()

    def uidvalidity(self, username: str, folder: str = "INBOX") -> int:
        conn = self.client(username)
        try:
            conn.select(folder, readonly=True)
            return int(conn.response("UIDVALIDITY")[1][0])
        finally:
            conn.logout()

    def recreate(self, username: str, folder: str) -> None:
        """Delete the folder and make it again: the server gives it a new UIDVALIDITY, as
        after a migration or a restore."""
        conn = self.client(username)
        try:
            assert conn.delete(folder)[0] == "OK"
            assert conn.create(folder)[0] == "OK"
        finally:
            conn.logout()

    def make_unreadable(self, username: str, marker: bytes) -> None:
        """Make the file of the message containing ``marker`` unreadable for the server, as
        a damaged disk or a botched restore would: Dovecot hangs up on a FETCH of it."""
        for path in (self.folder / "mail" / username).glob("*/*"):
            if (
                path.is_file()
                and path.parent.name in ("cur", "new")
                and marker in path.read_bytes()
            ):
                path.chmod(0)
                return
        raise LookupError(f"no message with {marker!r} in {username}'s mail")

    # --- running

    def start(self) -> "PrivateDovecot":
        users = _users()
        os.chmod(self.folder, 0o711)
        mail = self.folder / "mail"
        for name in ("run", "state"):
            (self.folder / name).mkdir()
        mail.mkdir()
        passwd = self.folder / "passwd"
        accounts = [(f"desk{n}@example.com", PASSWORD) for n in range(1, ACCOUNTS + 1)]
        accounts.append((UNICODE_USER, UNICODE_PASSWORD))
        passwd.write_text(
            "".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in accounts),
            encoding="utf-8",
        )
        passwd.chmod(0o644)
        if os.geteuid() == 0:
            shutil.chown(mail, users["mail"], users["mail_group"])
        if self.tls:
            self._make_certificate()
        conf = self.folder / "dovecot.conf"
        conf.write_text(self._config(users))
        self._stderr = open(self.folder / "stderr.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=self._stderr
        )
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None
        if self._stderr is not None:
            self._stderr.close()
        # Its imap processes may still write an index file for a moment after the master left.
        for _ in range(50):
            shutil.rmtree(self.folder, ignore_errors=True)
            if not self.folder.exists():
                break
            time.sleep(0.1)

    def log(self) -> str:
        return "".join(
            path.read_text(errors="replace")
            for path in (self.folder / "dovecot.log", self.folder / "stderr.log")
            if path.exists()
        )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    if conn.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer on port {self.port}:\n{self.log()}")

    def _make_certificate(self) -> None:
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
                *("-keyout", str(self.folder / "key.pem"), "-out", str(self.cert_file)),
                *("-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
            ],
            check=True,
            capture_output=True,
        )

    def _config(self, users: dict[str, str]) -> str:
        folder = self.folder
        if self.tls:
            ssl_settings = (
                f"ssl = required\nssl_cert = <{folder}/cert.pem\nssl_key = <{folder}/key.pem"
            )
        else:
            ssl_settings = "ssl = no"
        # Port 0 switches the implicit-TLS listener off.
        imaps = f"port = {self.tls_port}\n    ssl = yes" if self.tls else "port = 0"
        capability = f"imap_capability = {self.capability}" if self.capability else ""
        # Only root may chroot: an unprivileged Dovecot runs its helpers unconfined.
        chroot = "chroot =" if os.geteuid() != 0 else ""
        return f"""# Written by tests/mail/imap_server.py for one test session.
protocols = imap
listen = 127.0.0.1
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
info_log_path = {folder}/dovecot.log
{ssl_settings}
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once, not after the usual two seconds.
auth_failure_delay = 0
default_internal_user = {users["internal"]}
default_internal_group = {users["internal_group"]}
default_login_user = {users["login"]}
first_valid_uid = 1
{capability}
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={users["mail"]} gid={users["mail_group"]} home={folder}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    {imaps}
  }}
  {chroot}
}}
service anvil {{
  {chroot}
  # No growing delay for 127.0.0.1 after a wrong password: the auth process cannot use it.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service ipc {{
  {chroot}
}}
"""


def email_bytes(
    *, sender: str = "rita@example.com", to: str = "help@example.com", subject: str, body: str
) -> bytes:
    """A plain message as a mail program sends it (CRLF, as on the wire: what IMAP gives back)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = email.utils.make_msgid(domain="mail.example.com")
    message.set_content(body)
    return message.as_bytes(policy=email.policy.SMTP)

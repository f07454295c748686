"""A real SMTP server on 127.0.0.1 for the outbox tests: it accepts, refuses or hangs, and counts.

Small on purpose (a socket server speaking the part of SMTP smtplib uses), so a test can say
exactly what the server does: refuse the next connections with a 4xx greeting, answer RCPT for
one address with a 4xx or 5xx, or hang after the message's final dot — the slow server that
answers only after the client gave up or died. A message counts as delivered only once the
server said 250 to it; a client that went away before that delivered nothing.
"""

import email
import select
import socket
import socketserver
import threading
from collections import Counter
from email.message import Message


class SmtpSink:
    def __init__(self):
        self.delivered: list[tuple[str, Message]] = []  # (recipient, message) once per rcpt
        self.connections = 0
        self._greetings: list[str] = []  # replies for the next connections, one each
        self._rcpt: dict[str, list[str | None]] = {}  # address -> replies for its next RCPTs
        self._rcpt_always: dict[str, str] = {}
        self._hang = False
        self._release = threading.Event()
        self.hanging = threading.Event()  # a session is waiting after the final dot
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    # --- what the server does

    def refuse_connections(self, reply: str, *, times: int) -> None:
        """The next ``times`` connections are greeted with ``reply`` (e.g. "421 …") and closed."""
        self._greetings.extend([reply] * times)

    def refuse(self, address: str, reply: str, *, times: int | None = None) -> None:
        """RCPT TO ``address`` is answered ``reply``: ``times`` times, or always."""
        if times is None:
            self._rcpt_always[address.lower()] = reply
        else:
            self._rcpt.setdefault(address.lower(), []).extend([reply] * times)

    def accept_everyone(self) -> None:
        self._rcpt.clear()
        self._rcpt_always.clear()
        self._greetings.clear()

    def hang_after_data(self) -> None:
        self._hang = True
        self._release.clear()

    def recover(self) -> None:
        """Stop hanging; a session that was hanging answers now, if its client is still there."""
        self._hang = False
        self._release.set()

    # --- what it received

    def count(self, address: str) -> int:
        return sum(1 for rcpt, _ in self.delivered if rcpt == address.lower())

    def counts(self) -> Counter:
        return Counter(rcpt for rcpt, _ in self.delivered)

    def messages_to(self, address: str) -> list[Message]:
        return [message for rcpt, message in self.delivered if rcpt == address.lower()]

    # --- running

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> "SmtpSink":
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                sink._session(self)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.recover()
        self._server.shutdown()
        self._server.server_close()

    # --- one SMTP session

    def _session(self, handler) -> None:
        def say(line: str) -> None:
            handler.wfile.write(line.encode() + b"\r\n")
            handler.wfile.flush()

        with self._lock:
            self.connections += 1
            greeting = self._greetings.pop(0) if self._greetings else None
        if greeting:
            say(greeting)
            return
        say("220 sink.test ESMTP ready")
        mail_from, rcpts = None, []
        while True:
            line = handler.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].split(":", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                say("250 sink.test")
            elif verb == "MAIL":
                mail_from, rcpts = command, []
                say("250 2.1.0 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().strip("<>").lower()
                reply = self._rcpt_reply(address)
                if reply:
                    say(reply)
                else:
                    rcpts.append(address)
                    say("250 2.1.5 OK")
            elif verb == "DATA":
                if not (mail_from and rcpts):
                    say("503 5.5.1 RCPT first")
                    continue
                say("354 end with <CRLF>.<CRLF>")
                data = self._read_data(handler)
                if data is None:
                    return
                if self._hang and not self._wait_for_recovery(handler.connection):
                    return  # the client went away before our answer: nothing delivered
                message = email.message_from_bytes(data)
                with self._lock:
                    self.delivered.extend((rcpt, message) for rcpt in rcpts)
                say("250 2.0.0 queued")
                mail_from, rcpts = None, []
            elif verb == "RSET":
                mail_from, rcpts = None, []
                say("250 2.0.0 OK")
            elif verb == "NOOP":
                say("250 2.0.0 OK")
            elif verb == "QUIT":
                say("221 2.0.0 bye")
                return
            else:
                say("502 5.5.2 not implemented")

    def _rcpt_reply(self, address: str) -> str | None:
        with self._lock:
            queued = self._rcpt.get(address)
            if queued:
                return queued.pop(0)
            return self._rcpt_always.get(address)

    @staticmethod
    def _read_data(handler) -> bytes | None:
        lines = []
        while True:
            line = handler.rfile.readline()
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)

    def _wait_for_recovery(self, conn: socket.socket) -> bool:
        """Hang until recover(); then say whether the client is still connected."""
        self.hanging.set()
        while not self._release.wait(0.1):
            pass
        readable, _, _ = select.select([conn], [], [], 0)
        if not readable:
            return True
        try:
            return conn.recv(1, socket.MSG_PEEK) != b""
        except OSError:
            return False

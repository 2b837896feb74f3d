#!/usr/bin/env python3
"""A real SMTP server on loopback for the tests (aiosmtpd), whose behaviour a test can change
while it runs by writing a mode into a file:

  ok          accept every mail (the default)
  slow:S      wait S seconds before answering DATA, then accept
  451         answer 451 (try again later) to DATA
  451x:N      answer 451 to the first N DATA commands from now on, then accept
  550         refuse every recipient with 550 (permanent)
  silent:N    the next N connections are accepted and never greeted (a server that hangs)
  drop:N      the next N messages are read whole, then the connection is closed without a
              reply (the client never learns whether it was taken: it was not)
  slowrcpt:S:N  the next N RCPT commands wait S seconds before their answer

Each accepted message is written atomically to DIR/NNNNNN.eml, and each message refused with
451 at DATA to DIR/NNNNNN.rejected (so tests can compare what every attempt sent). With
--tls CERT KEY the server offers STARTTLS with that certificate. The chosen port is printed as
"listening on PORT" once the server accepts connections. Each RCPT and DATA command is noted
in DIR/events as it arrives ("RCPT <address>", "DATA <addresses>"), so that a test can wait for
a client to be in the middle of a conversation instead of guessing how long that takes.
"""
import argparse
import asyncio
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, mode_file):
        self.directory = directory
        self.mode_file = mode_file
        self.count = 0
        self.rejected = 0
        self.failures_left = None
        self.last_mode = None

    def mode(self):
        try:
            with open(self.mode_file) as f:
                mode = f.read().strip() or "ok"
        except FileNotFoundError:
            mode = "ok"
        if mode != self.last_mode:
            self.last_mode = mode
            counted = mode.split(":")[0] in ("451x", "silent", "drop", "slowrcpt")
            self.failures_left = int(mode.rsplit(":", 1)[1]) if counted else None
        return mode

    def take(self, name):
        """Whether the counted mode `name` applies to this event (and counts it)."""
        mode = self.mode()
        if mode.split(":")[0] == name and self.failures_left:
            self.failures_left -= 1
            return True
        return False

    def note(self, event):
        with open(os.path.join(self.directory, "events"), "a") as f:
            f.write(event + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.note("RCPT <%s>" % address)
        mode = self.mode()
        if mode.startswith("slowrcpt:") and self.take("slowrcpt"):
            await asyncio.sleep(float(mode.split(":")[1]))
        if self.mode() == "550":
            # As Postfix words it, quoting the address (which a stored error must not keep).
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def reject(self, envelope):
        self.rejected += 1
        self.write(envelope, "%06d.rejected" % self.rejected)
        return "451 4.3.0 Try again later"

    def write(self, envelope, filename):
        name = os.path.join(self.directory, filename)
        tmp = os.path.join(self.directory, "." + filename + ".tmp")
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, name)

    async def handle_DATA(self, server, session, envelope):
        self.note("DATA <%s>" % ",".join(envelope.rcpt_tos))
        mode = self.mode()
        if mode.startswith("slow:"):
            await asyncio.sleep(float(mode.split(":", 1)[1]))
        elif mode == "451":
            return self.reject(envelope)
        elif mode.startswith("451x:") and self.failures_left:
            self.failures_left -= 1
            return self.reject(envelope)
        elif self.take("drop"):
            server.transport.close()
            return "421 4.3.0 closing"
        self.count += 1
        self.write(envelope, "%06d.eml" % self.count)
        return "250 OK"


class FaultySMTP(SMTP):
    """aiosmtpd's server, which can also accept a connection and never greet it."""

    def __init__(self, sink, **options):
        super().__init__(sink, **options)
        self.sink = sink

    async def _handle_client(self):
        if self.sink.take("silent"):
            await asyncio.sleep(3600)
            return
        await super()._handle_client()


async def main():
    # A parent may have spawned us with SIGTERM blocked (threads of test runners do): unblock it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    # ... and may have left it ignored (dispositions survive exec): exit on it explicitly.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--auth", help="user:password that clients must log in with (AUTH PLAIN/LOGIN without TLS)")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="offer STARTTLS with this certificate and key (PEM)")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args.dir, os.path.join(args.dir, "mode"))
    options = dict(hostname="sink.test", enable_SMTPUTF8=True, decode_data=False)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)
        options.update(tls_context=context, require_starttls=True)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: FaultySMTP(sink, **options), args.host, args.port)
    port = server.sockets[0].getsockname()[1]
    print("listening on %d" % port, flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

"""A real SMTP server for Custodian's mail tests (aiosmtpd, from PyPI).

Every message it accepts is written to --dir as one .eml file (written whole, then renamed, so a
reader never sees half a message), and only while the client is still there to hear the 250: a
message whose client vanished mid-send was never accepted, as with a mail server that answers
only once it has the message safe. Options make it slow (--delay, to kill something mid-send),
ask for a login (--auth USER:PASSWORD), speak STARTTLS or implicit TLS (--tls starttls|implicit
with --cert and --key), or refuse one recipient for good (--refuse ADDRESS, 550).

Prints "ready PORT" once it listens.
"""

import argparse
import asyncio
import os
import socket
import ssl
import sys
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword, SMTP


class Keeper:
    def __init__(self, folder, delay, refuse):
        self.folder = folder
        self.delay = delay
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and address.lower() == self.refuse.lower():
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # A file saying a message is being received: a test waits for it to kill mid-send.
        marker = os.path.join(self.folder, "receiving")
        with open(marker, "w") as f:
            f.write("1")
        if self.delay:
            await asyncio.sleep(self.delay)
        transport = server.transport
        if transport is None or transport.is_closing():
            return "451 4.3.0 The client went away"
        name = uuid.uuid4().hex
        tmp = os.path.join(self.folder, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.folder, name + ".eml"))
        return "250 2.0.0 Accepted " + name


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--auth", default="")
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--cert", default="")
    p.add_argument("--key", default="")
    p.add_argument("--refuse", default="")
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)

    context = None
    if a.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.cert, a.key)

    kwargs = {}
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            # handled=False: aiosmtpd itself answers (235, or 535 for a wrong password).
            return AuthResult(success=ok, handled=False)

        kwargs.update(
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=a.tls != "none",
        )
    if a.tls == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)

    handler = Keeper(a.dir, a.delay, a.refuse)
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=a.port,
        ssl_context=context if a.tls == "implicit" else None,
        server_hostname="localhost",
        **kwargs,
    )
    # The controller's own readiness check cannot trust a self-signed server: check it here.
    if a.tls == "implicit":

        def trigger():
            unverified = ssl.create_default_context()
            unverified.check_hostname = False
            unverified.verify_mode = ssl.CERT_NONE
            with socket.create_connection(("127.0.0.1", a.port)) as plain:
                with unverified.wrap_socket(plain) as tls:
                    tls.recv(1024)

        controller._trigger_server = trigger
    controller.start()
    print("ready", a.port, flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    controller.stop()


if __name__ == "__main__":
    main()

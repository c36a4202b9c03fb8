"""An SMTP server for the socket.smtp specs: aiosmtpd on 127.0.0.1:<port>, AUTH PLAIN
and LOGIN accepted for user/secret, each message written to <dir>/<n>.eml with its
envelope in <n>.env. Usage: smtpd.py PORT DIR [plain|starttls|implicit]; with TLS, the
certificate and key are DIR/cert.pem and DIR/key.pem."""

import asyncio
import itertools
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

PORT = int(sys.argv[1])
DIR = sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "plain"
COUNTER = itertools.count(1)


class Saver:
    async def handle_DATA(self, server, session, envelope):
        n = next(COUNTER)
        with open(os.path.join(DIR, f"{n}.eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(DIR, f"{n}.env"), "w") as f:
            f.write(envelope.mail_from + "\n")
            f.write("\n".join(envelope.rcpt_tos) + "\n")
            f.write(f"auth={getattr(session, 'authenticated', False)}\n")
            # STARTTLS sets session.ssl; implicit TLS shows on the transport.
            implicit = server.transport.get_extra_info("sslcontext") is not None
            f.write(f"tls={session.ssl is not None or implicit}\n")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"user"
        and auth_data.password == b"secret"
    )
    # handled=False: aiosmtpd itself replies 535 to a refused login.
    return AuthResult(success=ok, handled=False)


tls = {}
if MODE != "plain":
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(os.path.join(DIR, "cert.pem"), os.path.join(DIR, "key.pem"))
    tls = {"tls_context": context} if MODE == "starttls" else {"ssl_context": context}

controller = Controller(
    Saver(),
    hostname="127.0.0.1",
    port=PORT,
    authenticator=authenticator,
    auth_require_tls=False,
    auth_required=False,
    **tls,
)
controller.start()
try:
    asyncio.new_event_loop().run_forever()
finally:
    controller.stop()

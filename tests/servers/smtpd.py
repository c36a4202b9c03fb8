"""An SMTP server for the socket.smtp specs: aiosmtpd on 127.0.0.1:<port>, AUTH PLAIN
and LOGIN accepted for user/secret without TLS, each message written to <dir>/<n>.eml
with its envelope in <n>.env."""

import asyncio
import itertools
import os
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

PORT = int(sys.argv[1])
DIR = sys.argv[2]
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
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"user"
        and auth_data.password == b"secret"
    )
    # handled=False: aiosmtpd itself replies 535 to a refused login.
    return AuthResult(success=ok, handled=False)


controller = Controller(
    Saver(),
    hostname="127.0.0.1",
    port=PORT,
    authenticator=authenticator,
    auth_require_tls=False,
    auth_required=False,
)
controller.start()
try:
    asyncio.new_event_loop().run_forever()
finally:
    controller.stop()

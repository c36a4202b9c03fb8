"""An FTPS server for the socket.ftp specs: pyftpdlib's TLS_FTPHandler (explicit FTPS,
AUTH TLS) on 127.0.0.1:<port>, TLS required on the control and the data connections,
user "user" with password "secret" and full rights on <dir>/root. Usage:
ftpsd.py PORT DIR (the certificate and key are DIR/cert.pem and DIR/key.pem)."""

import os
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer

PORT = int(sys.argv[1])
DIR = sys.argv[2]

authorizer = DummyAuthorizer()
authorizer.add_user("user", "secret", os.path.join(DIR, "root"), perm="elradfmwMT")
handler = TLS_FTPHandler
handler.authorizer = authorizer
handler.certfile = os.path.join(DIR, "cert.pem")
handler.keyfile = os.path.join(DIR, "key.pem")
handler.tls_control_required = True
handler.tls_data_required = True
FTPServer(("127.0.0.1", PORT), handler).serve_forever()

//! A TLS connection over a LuaSocket socket. It implements the same `Transport` as TCP,
//! so the receive buffer and its patterns, partial results and timeouts are the same
//! code. Ciphertext moves through the socket's own timed `recv`/`send`; what could not be
//! sent yet is kept for the next call.

use std::io::{ErrorKind, Read, Write};

use luasocket_io::{Error, Timeout, Transport};
use luasocket_net::Sock;
use rustls::{ClientConnection, Connection, ServerConnection};

use rustls_pki_types::ServerName;

use crate::config::{check_client, check_server, server_name, Context, Params, Side};
use crate::error::from_rustls;
use crate::TlsError;

/// The longest [`TlsStream::close`] waits for the peer to close after us.
const CLOSE_WAIT: f64 = 1.0;

/// The most plaintext rustls holds unsent before `send` waits for the socket.
const PLAINTEXT_LIMIT: usize = 64 * 1024;

/// The most plaintext one TLS record carries.
const MAX_RECORD: usize = 16 * 1024;

/// What a connection did not check during its handshake.
enum Unchecked {
    /// A client of a `verify = "none"` or `lsec_continue` context: its parameters and
    /// the name it would have checked.
    Server(std::sync::Arc<Params>, ServerName<'static>),
    /// A server of a `lsec_continue` context: the client verifier it kept.
    Client(std::sync::Arc<dyn rustls::server::danger::ClientCertVerifier>),
}

/// A TLS connection over a socket.
pub struct TlsStream {
    sock: Sock,
    conn: Connection,
    /// Ciphertext made but not sent yet.
    out: Vec<u8>,
    /// Ciphertext received but not taken by rustls yet (it takes what its buffer holds).
    incoming: Vec<u8>,
    /// The peer closed the TCP stream.
    eof: bool,
    /// Decrypted bytes rustls holds for reading (as of the last packet processing, less
    /// what has been read since).
    plaintext: usize,
    /// The check the handshake skipped, for [`TlsStream::peer_verification`].
    unchecked: Option<Unchecked>,
    /// How long `close` may wait for the peer (see [`TlsStream::close`]).
    linger: f64,
}

impl std::fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsStream")
            .field("fd", &self.sock.fd())
            .field("handshaking", &self.conn.is_handshaking())
            .finish()
    }
}

impl TlsStream {
    /// Wraps a connected socket. A client checks the peer against `server_name` (the SNI
    /// name too); a server ignores it.
    pub fn new(sock: Sock, context: &Context, name: Option<&str>) -> Result<TlsStream, TlsError> {
        let (mut conn, unchecked): (Connection, _) = match &context.side {
            Side::Client {
                config,
                unchecked: params,
            } => {
                let name = server_name(name.unwrap_or("localhost"))?;
                let unchecked = params
                    .as_ref()
                    .map(|p| Unchecked::Server(p.clone(), name.clone()));
                let conn = ClientConnection::new(config.clone(), name).map_err(from_rustls)?;
                (conn.into(), unchecked)
            }
            Side::Server {
                config,
                unchecked: verifier,
                ..
            } => {
                let conn = ServerConnection::new(config.clone()).map_err(from_rustls)?;
                (conn.into(), verifier.clone().map(Unchecked::Client))
            }
        };
        conn.set_buffer_limit(Some(PLAINTEXT_LIMIT));
        Ok(TlsStream {
            sock,
            conn,
            out: Vec::new(),
            incoming: Vec::new(),
            eof: false,
            plaintext: 0,
            unchecked,
            linger: 0.0,
        })
    }

    /// The socket under the connection.
    pub fn sock(&self) -> &Sock {
        &self.sock
    }

    /// The socket under the connection, for `setfd`.
    pub fn sock_mut(&mut self) -> &mut Sock {
        &mut self.sock
    }

    /// Whether decrypted bytes wait inside the connection (part of LuaSec's `dirty`: such a
    /// connection is ready to read whatever its socket says).
    pub fn has_plaintext(&self) -> bool {
        self.plaintext > 0
    }

    /// The protocol ALPN settled on.
    pub fn alpn(&self) -> Option<&[u8]> {
        self.conn.alpn_protocol()
    }

    /// `"TLSv1.2"` or `"TLSv1.3"` once the handshake is done.
    pub fn protocol(&self) -> Option<&'static str> {
        self.conn.protocol_version().map(|v| match v {
            rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
            _ => "TLSv1.2",
        })
    }

    /// What the handshake settled, as LuaSec's `info()` fields: `protocol`, `cipher` (the
    /// IANA name), `bits` (the cipher's key size) and `key` (the key exchange group).
    /// Empty before the handshake is done.
    pub fn info(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(p) = self.protocol() {
            out.push(("protocol", p.to_string()));
        }
        if let Some(suite) = self.conn.negotiated_cipher_suite() {
            let name = format!("{:?}", suite.suite());
            let name = name.replacen("TLS13_", "TLS_", 1);
            let bits = if name.contains("_128_") { "128" } else { "256" };
            out.push(("bits", bits.to_string()));
            out.push(("cipher", name));
        }
        if let Some(group) = self.conn.negotiated_key_exchange_group() {
            let name = format!("{:?}", group.name());
            out.push(("key", name.to_lowercase().replace("x25519", "X25519")));
        }
        out
    }

    /// The peer's certificates, leaf first (DER).
    pub fn peer_certificates(&self) -> Vec<Vec<u8>> {
        self.conn
            .peer_certificates()
            .map(|certs| certs.iter().map(|c| c.to_vec()).collect())
            .unwrap_or_default()
    }

    /// What checking the peer found (`getpeerverification`): `Ok` when the handshake
    /// checked it (every verifying context) or a check now passes; for a client of a
    /// `verify = "none"` context, the check it skipped is made here. A server's peer is
    /// as its context asked (rustls refused the handshake otherwise).
    pub fn peer_verification(&self) -> Result<(), TlsError> {
        let certs: Vec<_> = self
            .conn
            .peer_certificates()
            .map(<[_]>::to_vec)
            .unwrap_or_default();
        match &self.unchecked {
            None => Ok(()),
            Some(Unchecked::Server(params, name)) => check_server(params, &certs, name),
            Some(Unchecked::Client(verifier)) => check_client(verifier.as_ref(), &certs),
        }
    }

    /// Runs the handshake within `tm`: done, or `WantRead`/`WantWrite` when `tm` runs out
    /// waiting (at once for a zero timeout), or the failure.
    pub fn handshake(&mut self, tm: &Timeout) -> Result<(), TlsError> {
        self.note_timeout(tm);
        loop {
            match self.flush(tm) {
                Err(Error::Timeout) => return Err(TlsError::WantWrite),
                Err(e) => return Err(TlsError::Io(e)),
                Ok(()) => {}
            }
            if !self.conn.is_handshaking() {
                return Ok(());
            }
            if self.eof && self.incoming.is_empty() {
                // The peer went away mid-handshake.
                return Err(TlsError::Io(Error::Closed));
            }
            match self.fill(tm) {
                Err(TlsError::Io(Error::Timeout)) => return Err(TlsError::WantRead),
                Err(e) => return Err(e),
                Ok(()) => {}
            }
        }
    }

    /// Sends close_notify (if the socket takes it at once) and closes the socket.
    ///
    /// What the peer sent that nobody read (TLS 1.3 session tickets arrive unasked, and
    /// an upload never reads) is drained first: closing a socket with unread data makes
    /// the kernel reset the connection, and the peer may lose the end of what we sent.
    ///
    /// So it ends gracefully: close_notify, then our end of the TCP stream (FIN), then
    /// it reads and drops what comes until the peer closes too, for at most the
    /// connection's last timeout capped at 1 s (nothing for a zero timeout,
    /// as copas uses).
    pub fn close(&mut self) {
        self.conn.send_close_notify();
        let wait = Timeout::new(self.linger, self.linger);
        let _ = self.flush(&wait);
        self.sock.shutdown(luasocket_net::Shutdown::Send);
        let mut sink = [0u8; 16 * 1024];
        while let Ok(n) = self.sock.recv(&mut sink, &wait) {
            if n == 0 {
                break;
            }
        }
        self.sock.close();
    }

    /// Remembers how long a close may wait for the peer: the timeout just used.
    fn note_timeout(&mut self, tm: &Timeout) {
        let block = tm.block();
        self.linger = if block < 0.0 {
            CLOSE_WAIT
        } else {
            block.min(CLOSE_WAIT)
        };
    }

    /// Sends the ciphertext rustls has made, within `tm`.
    fn flush(&mut self, tm: &Timeout) -> Result<(), Error> {
        while self.conn.wants_write() {
            if self.conn.write_tls(&mut self.out).is_err() {
                break;
            }
        }
        while !self.out.is_empty() {
            let n = self.sock.send(&self.out, tm)?;
            self.out.drain(..n);
        }
        Ok(())
    }

    /// Hands rustls as much of `input` as it takes; returns the rest.
    fn feed<'a>(&mut self, mut input: &'a [u8]) -> &'a [u8] {
        while !input.is_empty() {
            match self.conn.read_tls(&mut input) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        input
    }

    /// Reads ciphertext from the socket (within `tm`) when none is waiting, and hands
    /// rustls what it takes; nothing received is ever dropped.
    fn fill(&mut self, tm: &Timeout) -> Result<(), TlsError> {
        if self.incoming.is_empty() && !self.eof {
            // The common case: rustls takes the read straight from the stack; only what it
            // leaves is kept.
            let mut buf = [0u8; 16 * 1024];
            match self.sock.recv(&mut buf, tm) {
                Ok(n) => {
                    let left = self.feed(&buf[..n]);
                    self.incoming.extend_from_slice(left);
                }
                Err(Error::Closed | Error::Reset) => self.eof = true,
                Err(e) => return Err(TlsError::Io(e)),
            }
        } else if !self.incoming.is_empty() {
            let held = std::mem::take(&mut self.incoming);
            let left = self.feed(&held).len();
            let used = held.len() - left;
            self.incoming = held;
            self.incoming.drain(..used);
        }
        if self.eof && self.incoming.is_empty() {
            // Tell rustls the stream ended.
            let _ = self.conn.read_tls(&mut &[][..]);
        }
        match self.conn.process_new_packets() {
            Ok(state) => self.plaintext = state.plaintext_bytes_to_read(),
            Err(e) => {
                // Tell the peer why, if the socket takes it now.
                let _ = self.flush(&Timeout::new(0.0, -1.0));
                return Err(from_rustls(e));
            }
        }
        Ok(())
    }
}

impl Transport for TlsStream {
    fn recv(&mut self, buf: &mut [u8], tm: &Timeout) -> Result<usize, Error> {
        self.note_timeout(tm);
        if buf.is_empty() {
            return Ok(0);
        }
        if self.conn.is_handshaking() {
            self.handshake(tm).map_err(TlsError::into_io)?;
        }
        loop {
            match self.conn.reader().read(buf) {
                Ok(0) => return Err(Error::Closed),
                Ok(n) => {
                    self.plaintext = self.plaintext.saturating_sub(n);
                    return Ok(n);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    if self.eof && self.incoming.is_empty() {
                        return Err(Error::Closed);
                    }
                    self.flush(tm)?;
                    self.fill(tm).map_err(TlsError::into_io)?;
                }
                // The peer closed the stream without close_notify.
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Err(Error::Closed),
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    /// Room for what rustls holds decrypted when it holds some (so a record costs no
    /// zero-fill of the whole step), else for one record.
    fn recv_append(&mut self, out: &mut Vec<u8>, max: usize, tm: &Timeout) -> Result<usize, Error> {
        let room = match self.plaintext {
            0 => max.min(MAX_RECORD),
            held => max.min(held),
        };
        luasocket_io::append_with(out, room, |buf| self.recv(buf, tm))
    }

    fn send(&mut self, data: &[u8], tm: &Timeout) -> Result<usize, Error> {
        self.note_timeout(tm);
        if data.is_empty() {
            return Ok(0);
        }
        if self.conn.is_handshaking() {
            self.handshake(tm).map_err(TlsError::into_io)?;
        }
        let mut accepted = self.conn.writer().write(data).map_err(Error::Io)?;
        if accepted == 0 {
            // rustls holds its limit of plaintext: send some first.
            self.flush(tm)?;
            accepted = self.conn.writer().write(data).map_err(Error::Io)?;
        }
        match self.flush(tm) {
            // The bytes are taken; what is left goes out with the next call.
            Err(Error::Timeout) if accepted > 0 => Ok(accepted),
            Err(e) => Err(e),
            Ok(()) => Ok(accepted),
        }
    }
}

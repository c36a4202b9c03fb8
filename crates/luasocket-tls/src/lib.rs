//! TLS for luasocket-rs, on rustls with the ring provider (no OpenSSL): a [`Context`] made
//! from LuaSec's parameter table ([`Params`]), and a [`TlsStream`] over a LuaSocket socket
//! that implements the same [`luasocket_io::Transport`] as TCP, so `receive` patterns,
//! partial results and timeouts behave as on a TCP socket.
//!
//! Handshakes never wait past the socket's timeout and say what they wait for
//! ([`TlsError::WantRead`], [`TlsError::WantWrite`]), which is what copas's scheduler
//! expects from LuaSec. Clients verify the peer by default, against the system's store
//! (`SSL_CERT_FILE`/`SSL_CERT_DIR` honoured) or the given `cafile`/`capath`.
//!
//! **In scope**: contexts, handshakes, encrypted transfer, close_notify, peer certificates.
//!
//! **Out of scope**: the Lua objects (`luasocket-lua`), sockets (`luasocket-net`).
#![forbid(unsafe_code)]

mod cert;
mod config;
mod error;
mod stream;

pub use cert::{digest, pem_to_der, AltName, CertInfo, NameEntry};
pub use config::{Context, Mode, Params, Pem};
pub use error::TlsError;
pub use stream::TlsStream;

//! `socket.ssl`: TLS connections in LuaSec's shape, on `luasocket-tls` (rustls).
//!
//! `newcontext(params)` makes an `ssl{context}` from LuaSec's parameter table;
//! `wrap(tcp, context_or_params)` takes the TCP object's socket (leaving the TCP object
//! without a descriptor, as LuaSec's `setfd(-1)` does) and returns an `ssl{connection}`
//! with the stream methods of a TCP client (`receive`, `send`, `settimeout`, `close`, ...)
//! plus `dohandshake`, `sni`, `getalpn` and `info`. The rustls connection is made at the
//! first handshake, so `sni(name)` may come first; without it the peer's address is the
//! name checked.

use std::ffi::CStr;

use luasocket_io::{Error, Timeout, Transport};
use luasocket_net::{Family, Kind, RawFd, Sock};
use luasocket_tls::{CertInfo, Context, Mode, NameEntry, Params, Pem, TlsError, TlsStream};
use mlua::ffi;

use crate::class::{self, Class, Method};
use crate::methods;
use crate::state::{lua_fn, Raise, Ret, State};
use crate::stream::{self, Io, StreamKind};

/// TLS connections.
pub(crate) struct Ssl;

impl StreamKind for Ssl {
    const TAG: u64 = 0x4c53_5f53_534c_0001;
    // Not LuaSec's "SSL:Connection": the class names are registry keys, and LuaSec's own
    // objects may live in the same state.
    const MASTER: &'static CStr = c"ssl{connection}";
    const CLIENT: &'static CStr = c"ssl{connection}";
    const SERVER: &'static CStr = c"ssl{connection}";
    const ANY: &'static CStr = c"ssl{any}";
    type Io = SslIo;
}

/// The class of contexts.
const CONTEXT: &CStr = c"ssl{context}";

struct ContextObject(Context);

impl Class for ContextObject {
    const TAG: u64 = 0x4c53_5f53_4354_0001;
}

/// A wrapped socket before its handshake: the socket, the context, the name to check.
pub(crate) struct Pending {
    sock: Sock,
    context: Context,
    name: Option<String>,
}

/// A connection before and after its TLS state exists.
pub(crate) enum SslIo {
    /// Wrapped, not yet handshaking.
    Waiting(Box<Pending>),
    /// Handshaking or done.
    Ready(Box<TlsStream>),
    /// Closed.
    Gone,
}

impl SslIo {
    /// The TLS stream, made now if it is not yet.
    fn ready(&mut self) -> Result<&mut TlsStream, TlsError> {
        if let SslIo::Waiting(_) = self {
            let SslIo::Waiting(pending) = std::mem::replace(self, SslIo::Gone) else {
                unreachable!("matched just above");
            };
            let Pending {
                sock,
                context,
                name,
            } = *pending;
            let name = match name {
                Some(n) => n,
                None => sock
                    .peer_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_else(|_| "localhost".into()),
            };
            *self = SslIo::Ready(Box::new(TlsStream::new(sock, &context, Some(&name))?));
        }
        match self {
            SslIo::Ready(t) => Ok(t),
            _ => Err(TlsError::Io(Error::Closed)),
        }
    }

    fn sock(&self) -> Option<&Sock> {
        match self {
            SslIo::Waiting(p) => Some(&p.sock),
            SslIo::Ready(t) => Some(t.sock()),
            SslIo::Gone => None,
        }
    }
}

impl Transport for SslIo {
    fn recv(&mut self, buf: &mut [u8], tm: &Timeout) -> Result<usize, Error> {
        self.ready().map_err(TlsError::into_io)?.recv(buf, tm)
    }
    fn recv_append(&mut self, out: &mut Vec<u8>, max: usize, tm: &Timeout) -> Result<usize, Error> {
        self.ready()
            .map_err(TlsError::into_io)?
            .recv_append(out, max, tm)
    }
    fn send(&mut self, data: &[u8], tm: &Timeout) -> Result<usize, Error> {
        self.ready().map_err(TlsError::into_io)?.send(data, tm)
    }
}

impl Io for SslIo {
    fn holds_data(&self) -> bool {
        matches!(self, SslIo::Ready(t) if t.has_plaintext())
    }
    fn fd(&self) -> RawFd {
        self.sock().map_or(luasocket_net::SOCKET_INVALID, Sock::fd)
    }
    fn close(&mut self) {
        match std::mem::replace(self, SslIo::Gone) {
            SslIo::Waiting(mut p) => p.sock.close(),
            SslIo::Ready(mut t) => t.close(),
            SslIo::Gone => {}
        }
    }
    #[allow(unsafe_code)]
    unsafe fn set_fd(&mut self, fd: RawFd) {
        let sock = match self {
            SslIo::Waiting(p) => &mut p.sock,
            SslIo::Ready(t) => t.sock_mut(),
            SslIo::Gone => return,
        };
        // SAFETY: forwarded contract.
        unsafe { sock.set_fd(fd) }
    }
}

/// LuaSec's connection methods, sorted by name.
const METHODS: &[Method] = &[
    (c"__close", methods::meth_close::<stream::StreamObject<Ssl>>),
    (c"__gc", class::meth_gc::<stream::StreamObject<Ssl>>),
    (c"__tostring", meth_tostring),
    (c"close", methods::meth_close::<stream::StreamObject<Ssl>>),
    (c"dirty", methods::meth_dirty::<stream::StreamObject<Ssl>>),
    (c"dohandshake", meth_dohandshake),
    (c"getalpn", meth_getalpn),
    (c"getfd", methods::meth_getfd::<stream::StreamObject<Ssl>>),
    (c"getpeername", meth_getpeername),
    (c"getpeerverification", meth_getpeerverification),
    (c"getsockname", meth_getsockname),
    (c"getstats", stream::meth_getstats::<Ssl>),
    (
        c"gettimeout",
        methods::meth_gettimeout::<stream::StreamObject<Ssl>>,
    ),
    (c"info", meth_info),
    (c"receive", stream::meth_receive::<Ssl>),
    (c"send", stream::meth_send::<Ssl>),
    (c"setfd", methods::meth_setfd::<stream::StreamObject<Ssl>>),
    (c"setstats", stream::meth_setstats::<Ssl>),
    (
        c"settimeout",
        methods::meth_settimeout::<stream::StreamObject<Ssl>>,
    ),
    (c"sni", meth_sni),
];

/// Opens `socket.ssl` and leaves its table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    stream::register::<Ssl>();
    class::new_class(s, Ssl::CLIENT, METHODS);
    class::add_to_group(s, Ssl::CLIENT, Ssl::ANY);
    class::add_to_group(s, Ssl::CLIENT, c"select{able}");
    class::new_class(
        s,
        CONTEXT,
        &[
            (c"__gc", class::meth_gc::<ContextObject>),
            (c"__tostring", meth_context_tostring),
        ],
    );
    s.new_table(0, 8);
    let funcs: &[Method] = &[
        (c"adopt", global_adopt),
        (c"certinfo", global_certinfo),
        (c"digest", global_digest),
        (c"newcontext", global_newcontext),
        (c"peerchain", global_peerchain),
        (c"pemder", global_pemder),
    ];
    s.set_functions(funcs);
    // The connection's methods, where socket.ssl adds the ones written in Lua.
    class::push_methods(s, Ssl::CLIENT);
    s.set_field(-2, c"connection");
    Ok(1)
}

/// A string field of the table at `idx`, if present.
fn string_field(s: &State, idx: i32, name: &CStr) -> Result<Option<Vec<u8>>, Raise> {
    let kind = s.field(idx, name)?;
    let value = (kind == ffi::LUA_TSTRING)
        .then(|| s.to_bytes(-1).map(<[u8]>::to_vec))
        .flatten();
    s.pop(1);
    Ok(value)
}

/// A field that is a string or a list of strings.
fn strings_field(s: &State, idx: i32, name: &CStr) -> Result<Vec<Vec<u8>>, Raise> {
    let kind = s.field(idx, name)?;
    let mut out = Vec::new();
    if kind == ffi::LUA_TSTRING {
        out.extend(s.to_bytes(-1).map(<[u8]>::to_vec));
    } else if kind == ffi::LUA_TTABLE {
        let mut i = 1;
        while s.raw_get_i(-1, i) == ffi::LUA_TSTRING {
            out.extend(s.to_bytes(-1).map(<[u8]>::to_vec));
            s.pop(1);
            i += 1;
        }
        s.pop(1);
    }
    s.pop(1);
    Ok(out)
}

/// LuaSec's parameter table at `idx`; `luasec` picks LuaSec's defaults.
fn params(s: &State, idx: i32, luasec: bool) -> Result<Params, Raise> {
    if s.type_of(idx) != ffi::LUA_TTABLE {
        return Err(s.type_error(idx, "table"));
    }
    let mode = match string_field(s, idx, c"mode")?.as_deref() {
        Some(b"server") => Mode::Server,
        _ => Mode::Client,
    };
    let verify = strings_field(s, idx, c"verify")?;
    let has = |w: &[u8]| verify.iter().any(|v| v == w);
    // LuaSec's defaults (the `luasec()` opt-in): no verification unless asked, and the
    // chain only, never the name. Ours: both. `checkhost = true/false` decides the name.
    let check_host = match s.field(idx, c"checkhost")? {
        ffi::LUA_TBOOLEAN => {
            let v = s.to_boolean(-1);
            s.pop(1);
            v
        }
        _ => {
            s.pop(1);
            !luasec
        }
    };
    Ok(Params {
        mode,
        protocol: string_field(s, idx, c"protocol")?
            .map(|p| String::from_utf8_lossy(&p).into_owned()),
        // Unlike LuaSec, a client verifies its peer unless told `verify = "none"`.
        verify_none: has(b"none") || (luasec && verify.is_empty()),
        require_peer_cert: has(b"fail_if_no_peer_cert"),
        verify_peer: has(b"peer"),
        cafile: string_field(s, idx, c"cafile")?.map(|v| Pem::from_lua(&v)),
        capath: string_field(s, idx, c"capath")?
            .map(|v| String::from_utf8_lossy(&v).into_owned().into()),
        certificate: string_field(s, idx, c"certificate")?.map(|v| Pem::from_lua(&v)),
        key: string_field(s, idx, c"key")?.map(|v| Pem::from_lua(&v)),
        alpn: strings_field(s, idx, c"alpn")?,
        ciphers: string_field(s, idx, c"ciphers")?
            .map(|v| String::from_utf8_lossy(&v).into_owned()),
        ciphersuites: string_field(s, idx, c"ciphersuites")?
            .map(|v| String::from_utf8_lossy(&v).into_owned()),
        skip_host_check: !check_host,
        continue_unverified: strings_field(s, idx, c"verifyext")?
            .iter()
            .any(|v| v == b"lsec_continue"),
    })
}

lua_fn!(global_newcontext, newcontext);
/// `newcontext(params [, luasec])`: a context, or `nil, message`; with `luasec` true,
/// LuaSec's defaults (see `params`).
fn newcontext(s: &State) -> Ret {
    let p = params(s, 1, s.to_boolean(2))?;
    match Context::new(&p) {
        Ok(ctx) => {
            class::push_new(s, ContextObject(ctx), CONTEXT);
            Ok(1)
        }
        Err(e) => Ok(crate::results::fail_word(s, &e.to_string())),
    }
}

lua_fn!(global_adopt, adopt);
/// `adopt(context, fd)`: an `ssl{connection}` that owns descriptor `fd` from now on, or
/// `nil, message`. `socket.ssl.wrap` (Lua) takes the descriptor from any object with
/// `getfd`/`setfd`, as LuaSec does, and gives it up on the old object only once this
/// has succeeded.
fn adopt(s: &State) -> Ret {
    let context = class::check_object::<ContextObject>(s, 1, CONTEXT)?
        .0
        .clone();
    let fd = s.check_integer(2)?;
    let Ok(fd) = RawFd::try_from(fd) else {
        return Ok(crate::results::fail_word(s, "invalid descriptor"));
    };
    if fd < 0 {
        return Ok(crate::results::fail_word(s, "closed"));
    }
    let mut sock =
        Sock::new(Kind::Stream, Family::Unspec).map_err(|e| Raise::Msg(e.to_string()))?;
    // SAFETY: the caller's object still owns `fd`; it is released below unless it is a
    // connected stream socket, and otherwise ownership passes here (wrap then sets the
    // old object's descriptor to -1).
    #[allow(unsafe_code)]
    unsafe {
        sock.set_fd(fd)
    };
    if let Err(e) = sock.adopt_stream() {
        // SAFETY: gives the descriptor back without closing it.
        #[allow(unsafe_code)]
        unsafe {
            sock.set_fd(luasocket_net::SOCKET_INVALID)
        };
        return Ok(crate::results::fail_word(s, &e.to_string()));
    }
    stream::push_with_timeout::<Ssl>(
        s,
        SslIo::Waiting(Box::new(Pending {
            sock,
            context,
            name: None,
        })),
        Ssl::CLIENT,
        Timeout::default(),
    );
    Ok(1)
}

lua_fn!(meth_dohandshake, dohandshake);
/// `conn:dohandshake()`: `true`, or `false` and `"wantread"`, `"wantwrite"` or the failure.
fn dohandshake(s: &State) -> Ret {
    let t = stream::of_class::<Ssl>(s, Ssl::CLIENT)?;
    t.tm.mark_start();
    let tm = t.tm;
    let result = t.io.ready().and_then(|tls| tls.handshake(&tm));
    match result {
        Ok(()) => {
            s.push_bool(true);
            Ok(1)
        }
        Err(e) => {
            s.push_bool(false);
            s.push_bytes(e.to_string().as_bytes());
            Ok(2)
        }
    }
}

lua_fn!(meth_sni, sni);
/// `conn:sni(name)`: a client's name to send and check, before the handshake.
/// `conn:sni(names [, strict])` on a server: `names` maps SNI names to server contexts
/// whose certificates answer them; other names get the connection's own, or with
/// `strict` end the handshake.
fn sni(s: &State) -> Ret {
    let t = stream::of_class::<Ssl>(s, Ssl::CLIENT)?;
    let SslIo::Waiting(pending) = &mut t.io else {
        // After the handshake has started, as LuaSec: nothing to change.
        s.push_bool(true);
        return Ok(1);
    };
    if s.type_of(2) == ffi::LUA_TTABLE {
        let strict = s.to_boolean(3);
        let mut names = Vec::new();
        s.push_nil();
        while s.next(2) {
            if s.type_of(-2) == ffi::LUA_TSTRING {
                let name = String::from_utf8_lossy(s.to_bytes(-2).unwrap_or_default()).into_owned();
                let ctx = class::check_object::<ContextObject>(s, s.top(), CONTEXT)?
                    .0
                    .clone();
                names.push((name, ctx));
            }
            s.pop(1);
        }
        return match pending.context.with_names(&names, strict) {
            Some(ctx) => {
                pending.context = ctx;
                s.push_bool(true);
                Ok(1)
            }
            None => Ok(crate::results::fail_word(
                s,
                "sni: a table of names works on a server, with server contexts",
            )),
        };
    }
    pending.name = Some(String::from_utf8_lossy(s.check_bytes(2)?).into_owned());
    s.push_bool(true);
    Ok(1)
}

lua_fn!(meth_getalpn, getalpn);
/// `conn:getalpn()`: the protocol ALPN settled on, or nil.
fn getalpn(s: &State) -> Ret {
    let t = stream::of_class::<Ssl>(s, Ssl::CLIENT)?;
    match &t.io {
        SslIo::Ready(tls) => match tls.alpn() {
            Some(p) => s.push_bytes(p),
            None => s.push_nil(),
        },
        _ => s.push_nil(),
    }
    Ok(1)
}

lua_fn!(meth_info, info);
/// `conn:info([field])`: `{protocol, cipher, bits, key}` once the handshake is done
/// (else nil), or one field.
fn info(s: &State) -> Ret {
    let t = stream::of_class::<Ssl>(s, Ssl::CLIENT)?;
    let fields = match &t.io {
        SslIo::Ready(tls) => tls.info(),
        _ => Vec::new(),
    };
    if s.type_of(2) == ffi::LUA_TSTRING {
        let wanted = s.to_bytes(2).unwrap_or_default();
        match fields.iter().find(|(k, _)| k.as_bytes() == wanted) {
            Some((_, v)) => s.push_bytes(v.as_bytes()),
            None => s.push_nil(),
        }
        return Ok(1);
    }
    if fields.is_empty() {
        s.push_nil();
        return Ok(1);
    }
    s.new_table(0, fields.len() as i32);
    for (k, v) in &fields {
        s.push_bytes(k.as_bytes());
        s.push_bytes(v.as_bytes());
        s.raw_set(-3);
    }
    Ok(1)
}

lua_fn!(meth_getpeerverification, getpeerverification);
/// `conn:getpeerverification()`: `true`, or `false` and LuaSec's table of reasons by
/// depth (`{[0] = {"unable to get local issuer certificate"}}`). A `verify = "none"` client runs the check it skipped.
fn getpeerverification(s: &State) -> Ret {
    let t = stream::of_class::<Ssl>(s, Ssl::CLIENT)?;
    let result = match &t.io {
        SslIo::Ready(tls) => tls.peer_verification(),
        _ => Err(TlsError::Verify("no handshake yet".into())),
    };
    match result {
        Ok(()) => {
            s.push_bool(true);
            Ok(1)
        }
        Err(e) => {
            // LuaSec lists OpenSSL's reasons, without "certificate verify failed: ".
            let why = match e {
                TlsError::Verify(why) => why,
                other => other.to_string(),
            };
            s.push_bool(false);
            s.new_table(0, 1);
            s.new_table(1, 0);
            s.push_bytes(why.as_bytes());
            s.raw_set_i(-2, 1);
            s.raw_set_i(-2, 0);
            Ok(2)
        }
    }
}

lua_fn!(global_peerchain, peerchain);
/// `peerchain(conn)`: the peer's certificates as DER strings, its own first (empty
/// before the handshake).
fn peerchain(s: &State) -> Ret {
    let t = stream::of_class::<Ssl>(s, Ssl::CLIENT)?;
    let certs = match &t.io {
        SslIo::Ready(tls) => tls.peer_certificates(),
        _ => Vec::new(),
    };
    s.new_table(certs.len() as i32, 0);
    for (i, der) in certs.iter().enumerate() {
        s.push_bytes(der);
        s.raw_set_i(-2, i as i64 + 1);
    }
    Ok(1)
}

/// Pushes a list of name entries (`{oid = ..., name = ..., value = ...}`).
fn push_names(s: &State, names: &[NameEntry]) {
    s.new_table(names.len() as i32, 0);
    for (i, entry) in names.iter().enumerate() {
        s.new_table(0, 3);
        s.push_bytes(entry.oid.as_bytes());
        s.set_field(-2, c"oid");
        s.push_bytes(entry.name.as_bytes());
        s.set_field(-2, c"name");
        s.push_bytes(&entry.value);
        s.set_field(-2, c"value");
        s.raw_set_i(-2, i as i64 + 1);
    }
}

lua_fn!(global_certinfo, certinfo);
/// `certinfo(der)`: what LuaSec's x509 methods show, as a table, or `nil, message`.
fn certinfo(s: &State) -> Ret {
    let info = match CertInfo::from_der(s.check_bytes(1)?) {
        Ok(i) => i,
        Err(e) => return Ok(crate::results::fail_word(s, &e.to_string())),
    };
    s.new_table(0, 9);
    push_names(s, &info.subject);
    s.set_field(-2, c"subject");
    push_names(s, &info.issuer);
    s.set_field(-2, c"issuer");
    s.push_bytes(info.not_before_text.as_bytes());
    s.set_field(-2, c"notbefore");
    s.push_bytes(info.not_after_text.as_bytes());
    s.set_field(-2, c"notafter");
    s.push_integer(info.not_before);
    s.set_field(-2, c"notbefore_time");
    s.push_integer(info.not_after);
    s.set_field(-2, c"notafter_time");
    s.push_bytes(info.serial.as_bytes());
    s.set_field(-2, c"serial");
    s.push_bytes(info.signature.as_bytes());
    s.set_field(-2, c"signature");
    s.new_table(info.alt_names.len() as i32, 0);
    for (i, name) in info.alt_names.iter().enumerate() {
        s.new_table(2, 0);
        s.push_bytes(name.kind().as_bytes());
        s.raw_set_i(-2, 1);
        s.push_bytes(name.value().as_bytes());
        s.raw_set_i(-2, 2);
        s.raw_set_i(-2, i as i64 + 1);
    }
    s.set_field(-2, c"altnames");
    Ok(1)
}

lua_fn!(global_digest, digest);
/// `digest(der, alg)`: the hex digest, or `nil, message` for an unknown algorithm.
fn digest(s: &State) -> Ret {
    let der = s.check_bytes(1)?;
    let alg = String::from_utf8_lossy(s.check_bytes(2)?).into_owned();
    match luasocket_tls::digest(der, &alg) {
        Some(hex) => {
            s.push_bytes(hex.as_bytes());
            Ok(1)
        }
        None => Ok(crate::results::fail_word(
            s,
            &format!("digest algorithm not supported ({alg})"),
        )),
    }
}

lua_fn!(global_pemder, pemder);
/// `pemder(pem)`: the first certificate of PEM text as DER, or nil.
fn pemder(s: &State) -> Ret {
    match luasocket_tls::pem_to_der(s.check_bytes(1)?) {
        Some(der) => s.push_bytes(&der),
        None => s.push_nil(),
    }
    Ok(1)
}

lua_fn!(meth_tostring, tostring);
/// `tostring(conn)`: LuaSec's text, `"SSL connection: 0x..."` (`" (closed)"` once closed):
/// copas tells TLS connections from TCP ones by its first three letters.
fn tostring(s: &State) -> Ret {
    let t = stream::of_class::<Ssl>(s, Ssl::CLIENT)?;
    let closed = if matches!(t.io, SslIo::Gone) {
        " (closed)"
    } else {
        ""
    };
    s.push_bytes(format!("SSL connection: {:p}{closed}", s.to_pointer(1)).as_bytes());
    Ok(1)
}

lua_fn!(meth_context_tostring, context_tostring);
/// `tostring(ctx)`: `"SSL context: 0x..."`, as LuaSec's.
fn context_tostring(s: &State) -> Ret {
    class::check_object::<ContextObject>(s, 1, CONTEXT)?;
    s.push_bytes(format!("SSL context: {:p}", s.to_pointer(1)).as_bytes());
    Ok(1)
}

lua_fn!(meth_getpeername, getpeername);
/// `conn:getpeername()`: the TCP peer's address, as on the socket it wraps.
fn getpeername(s: &State) -> Ret {
    let t = stream::of_class::<Ssl>(s, Ssl::CLIENT)?;
    match t.io.sock() {
        Some(sock) => Ok(crate::results::push_address(
            s,
            sock.peer_addr(),
            sock.family(),
        )),
        None => Ok(crate::results::fail_word(s, "closed")),
    }
}

lua_fn!(meth_getsockname, getsockname);
/// `conn:getsockname()`: the local address, as on the socket it wraps.
fn getsockname(s: &State) -> Ret {
    let t = stream::of_class::<Ssl>(s, Ssl::CLIENT)?;
    match t.io.sock() {
        Some(sock) => Ok(crate::results::push_address(
            s,
            sock.local_addr(),
            sock.family(),
        )),
        None => Ok(crate::results::fail_word(s, "closed")),
    }
}

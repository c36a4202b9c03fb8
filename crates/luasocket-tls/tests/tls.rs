//! TLS over loopback between our own client and server: verification (CA, wrong host,
//! self-signed, verify none), receive patterns through the same buffer as TCP, non-blocking
//! handshakes, protocols, hostile peers.

use std::thread;

use luasocket_io::{Buffer, Pattern, Timeout, Transport};
use luasocket_net::{Family, Kind, Sock};
use luasocket_tls::{Context, Mode, Params, Pem, TlsError, TlsStream};

struct Pki {
    ca: String,
    cert: String,
    key: String,
}

/// A throwaway CA and a server certificate for localhost and 127.0.0.1.
fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    Pki {
        ca: ca.pem(),
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

fn tm(seconds: f64) -> Timeout {
    Timeout::new(seconds, -1.0)
}

fn listener() -> (Sock, String) {
    let mut s = Sock::new(Kind::Stream, Family::Inet).unwrap();
    s.bind(b"127.0.0.1", b"0", &tm(5.0)).unwrap();
    s.listen(8).unwrap();
    let port = s.local_addr().unwrap().port().to_string();
    (s, port)
}

fn connect(port: &str) -> Sock {
    let mut c = Sock::new(Kind::Stream, Family::Inet).unwrap();
    c.connect(b"127.0.0.1", port.as_bytes(), &mut tm(5.0))
        .unwrap();
    c
}

fn server_context(p: &Pki) -> Context {
    Context::new(&Params {
        mode: Mode::Server,
        certificate: Some(Pem::Text(p.cert.clone().into_bytes())),
        key: Some(Pem::Text(p.key.clone().into_bytes())),
        alpn: vec![b"echo".to_vec()],
        ..Params::default()
    })
    .unwrap()
}

fn client_params(p: &Pki) -> Params {
    Params {
        cafile: Some(Pem::Text(p.ca.clone().into_bytes())),
        alpn: vec![b"echo".to_vec()],
        ..Params::default()
    }
}

/// Serves one connection: echoes lines until the client closes.
fn serve_echo(server: Sock, ctx: Context) -> thread::JoinHandle<Result<(), String>> {
    thread::spawn(move || {
        let sock = server.accept(&tm(5.0)).map_err(|e| e.to_string())?;
        let mut t = TlsStream::new(sock, &ctx, None).map_err(|e| e.to_string())?;
        t.handshake(&tm(5.0)).map_err(|e| e.to_string())?;
        let mut buf = Buffer::new();
        loop {
            let mut line = Vec::new();
            match buf.receive(&mut t, &tm(5.0), Pattern::Line, &mut line) {
                Ok(()) => {
                    line.extend_from_slice(b"\n");
                    let mut sent = 0;
                    while sent < line.len() {
                        sent += t.send(&line[sent..], &tm(5.0)).map_err(|e| e.to_string())?;
                    }
                }
                Err(_) => break,
            }
        }
        t.close();
        Ok(())
    })
}

#[test]
fn a_verified_echo_with_receive_patterns() {
    let p = pki();
    let (server, port) = listener();
    let handle = serve_echo(server, server_context(&p));
    let ctx = Context::new(&client_params(&p)).unwrap();
    let mut c = TlsStream::new(connect(&port), &ctx, Some("localhost")).unwrap();
    c.handshake(&tm(5.0)).unwrap();
    assert_eq!(c.alpn(), Some(&b"echo"[..]));
    assert_eq!(c.protocol(), Some("TLSv1.3"));
    assert_eq!(c.peer_certificates().len(), 1);
    let big = vec![b'x'; 200_000];
    let mut sent = 0;
    let mut msg = b"hello\n".to_vec();
    msg.extend_from_slice(&big);
    msg.push(b'\n');
    while sent < msg.len() {
        sent += c.send(&msg[sent..], &tm(5.0)).unwrap();
    }
    let mut buf = Buffer::new();
    let mut line = Vec::new();
    buf.receive(&mut c, &tm(5.0), Pattern::Line, &mut line)
        .unwrap();
    assert_eq!(line, b"hello");
    let mut long = Vec::new();
    buf.receive(&mut c, &tm(5.0), Pattern::Bytes(200_001), &mut long)
        .unwrap();
    assert_eq!(&long[..200_000], &big[..]);
    c.close();
    handle.join().unwrap().unwrap();
}

#[test]
fn the_peer_is_checked() {
    let p = pki();
    // The right CA but the wrong name.
    let (server, port) = listener();
    let _h = serve_echo(server, server_context(&p));
    let ctx = Context::new(&client_params(&p)).unwrap();
    let mut c = TlsStream::new(connect(&port), &ctx, Some("example.org")).unwrap();
    let e = c.handshake(&tm(5.0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "certificate verify failed: hostname mismatch"
    );

    // An IP address is checked too.
    let (server, port) = listener();
    let _h = serve_echo(server, server_context(&p));
    let mut c = TlsStream::new(connect(&port), &ctx, Some("127.0.0.1")).unwrap();
    c.handshake(&tm(5.0)).unwrap();

    // Our CA is not the system's: refused by default.
    let (server, port) = listener();
    let _h = serve_echo(server, server_context(&p));
    let system = Context::new(&Params::default()).unwrap();
    let mut c = TlsStream::new(connect(&port), &system, Some("localhost")).unwrap();
    let e = c.handshake(&tm(5.0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "certificate verify failed: unable to get local issuer certificate"
    );

    // verify = "none" accepts it.
    let (server, port) = listener();
    let _h = serve_echo(server, server_context(&p));
    let none = Context::new(&Params {
        verify_none: true,
        ..Params::default()
    })
    .unwrap();
    let mut c = TlsStream::new(connect(&port), &none, Some("anything")).unwrap();
    c.handshake(&tm(5.0)).unwrap();
}

#[test]
fn a_handshake_at_timeout_zero_says_what_it_waits_for() {
    let p = pki();
    let (server, port) = listener();
    let ctx = server_context(&p);
    let server_thread = thread::spawn(move || {
        let sock = server.accept(&tm(5.0)).unwrap();
        let mut t = TlsStream::new(sock, &ctx, None).unwrap();
        t.handshake(&tm(5.0)).unwrap();
        t.send(b"done\n", &tm(5.0)).unwrap();
        t.close();
    });
    let client_ctx = Context::new(&client_params(&p)).unwrap();
    let mut c = TlsStream::new(connect(&port), &client_ctx, Some("localhost")).unwrap();
    let mut rounds = 0;
    loop {
        match c.handshake(&tm(0.0)) {
            Ok(()) => break,
            Err(TlsError::WantRead | TlsError::WantWrite) => {
                rounds += 1;
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            Err(e) => panic!("{e}"),
        }
        assert!(rounds < 5000, "handshake never finished");
    }
    // (Whether it had to wait depends on how fast the server thread answers.)
    let mut buf = Buffer::new();
    let mut line = Vec::new();
    buf.receive(&mut c, &tm(5.0), Pattern::Line, &mut line)
        .unwrap();
    assert_eq!(line, b"done");
    let mut rest = Vec::new();
    // close_notify, then the end: "*a" with nothing left is "closed", as on TCP.
    let r = buf.receive(&mut c, &tm(5.0), Pattern::All, &mut rest);
    assert!(matches!(r, Err(luasocket_io::Error::Closed)), "{r:?}");
    assert!(rest.is_empty());
    server_thread.join().unwrap();
}

#[test]
fn old_protocols_and_bad_keys_are_refused_clearly() {
    for old in ["tlsv1", "tlsv1_1", "sslv3"] {
        let e = Context::new(&Params {
            protocol: Some(old.into()),
            ..Params::default()
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("protocol '{old}' is not supported (TLS 1.2 and 1.3 only)")
        );
    }
    let e = Context::new(&Params {
        mode: Mode::Server,
        certificate: Some(Pem::File("/nonexistent/cert.pem".into())),
        key: Some(Pem::File("/nonexistent/key.pem".into())),
        ..Params::default()
    })
    .unwrap_err();
    // The key is loaded first, as LuaSec's newcontext does.
    assert!(
        e.to_string().starts_with("error loading private key"),
        "{e}"
    );
    let p = pki();
    let tls12 = Context::new(&Params {
        protocol: Some("tlsv1_2".into()),
        ..client_params(&p)
    })
    .unwrap();
    let (server, port) = listener();
    let _h = serve_echo(server, server_context(&p));
    let mut c = TlsStream::new(connect(&port), &tls12, Some("localhost")).unwrap();
    c.handshake(&tm(5.0)).unwrap();
    assert_eq!(c.protocol(), Some("TLSv1.2"));
}

#[test]
fn hostile_peers_end_in_an_error_in_time() {
    let p = pki();
    let ctx = Context::new(&client_params(&p)).unwrap();
    // A server that answers garbage.
    let (server, port) = listener();
    let garbage = thread::spawn(move || {
        let mut s = server.accept(&tm(5.0)).unwrap();
        let mut b = [0u8; 512];
        let _ = s.recv(&mut b, &tm(5.0));
        let _ = s.send(b"HTTP/1.1 400 Bad Request\r\n\r\n", &tm(5.0));
        s.close();
    });
    let mut c = TlsStream::new(connect(&port), &ctx, Some("localhost")).unwrap();
    let e = c.handshake(&tm(5.0)).unwrap_err();
    assert!(
        !matches!(e, TlsError::WantRead | TlsError::WantWrite),
        "{e}"
    );
    garbage.join().unwrap();
    // A server that says nothing: the handshake gives up at the timeout.
    let (server, port) = listener();
    let silent = thread::spawn(move || {
        let s = server.accept(&tm(5.0)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(600));
        drop(s);
    });
    let mut c = TlsStream::new(connect(&port), &ctx, Some("localhost")).unwrap();
    let started = std::time::Instant::now();
    assert!(matches!(c.handshake(&tm(0.2)), Err(TlsError::WantRead)));
    assert!(started.elapsed().as_secs_f64() < 2.0);
    silent.join().unwrap();
    // A server that closes mid-handshake.
    let (server, port) = listener();
    let closer = thread::spawn(move || {
        let mut s = server.accept(&tm(5.0)).unwrap();
        s.close();
    });
    let mut c = TlsStream::new(connect(&port), &ctx, Some("localhost")).unwrap();
    assert!(c.handshake(&tm(5.0)).is_err());
    closer.join().unwrap();
}

#[test]
fn decrypted_bytes_left_inside_count_as_waiting() {
    let p = pki();
    let (server, port) = listener();
    let ctx = server_context(&p);
    let server_thread = thread::spawn(move || {
        let sock = server.accept(&tm(5.0)).unwrap();
        let mut t = TlsStream::new(sock, &ctx, None).unwrap();
        t.handshake(&tm(5.0)).unwrap();
        t.send(b"abc", &tm(5.0)).unwrap();
        let mut b = [0u8; 1];
        let _ = t.recv(&mut b, &tm(5.0)); // until the client closes
    });
    let client_ctx = Context::new(&client_params(&p)).unwrap();
    let mut c = TlsStream::new(connect(&port), &client_ctx, Some("localhost")).unwrap();
    c.handshake(&tm(5.0)).unwrap();
    assert!(!c.has_plaintext());
    let mut one = [0u8; 1];
    assert_eq!(c.recv(&mut one, &tm(5.0)).unwrap(), 1);
    assert_eq!(&one, b"a");
    assert!(c.has_plaintext(), "two bytes wait inside the connection");
    let mut two = [0u8; 8];
    assert_eq!(c.recv(&mut two, &tm(5.0)).unwrap(), 2);
    assert!(!c.has_plaintext());
    c.close();
    server_thread.join().unwrap();
}

#[test]
fn an_expired_certificate_is_refused() {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    let p = Pki {
        ca: ca.pem(),
        cert: cert.pem(),
        key: key.serialize_pem(),
    };
    let (server, port) = listener();
    let _h = serve_echo(server, server_context(&p));
    let ctx = Context::new(&client_params(&p)).unwrap();
    let mut c = TlsStream::new(connect(&port), &ctx, Some("localhost")).unwrap();
    let e = c.handshake(&tm(5.0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "certificate verify failed: certificate has expired"
    );
}

#[test]
fn a_certificate_reads_as_luasec_shows_it() {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec![
        "localhost".to_string(),
        "10.1.2.3".to_string(),
        "::1".to_string(),
    ])
    .unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "example");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "luasocket-rs");
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x00, 0x0a, 0xbc]));
    params.not_before = rcgen::date_time_ymd(2024, 2, 3);
    params.not_after = rcgen::date_time_ymd(2034, 12, 25);
    let cert = params.self_signed(&key).unwrap();
    let der = cert.der().to_vec();
    let info = luasocket_tls::CertInfo::from_der(&der).unwrap();
    let names: Vec<(&str, &str, &[u8])> = info
        .subject
        .iter()
        .map(|e| (e.oid.as_str(), e.name.as_str(), e.value.as_slice()))
        .collect();
    assert_eq!(
        names,
        [
            ("2.5.4.3", "CN", &b"example"[..]),
            ("2.5.4.10", "O", &b"luasocket-rs"[..])
        ]
    );
    assert_eq!(info.issuer, info.subject);
    assert_eq!(info.serial, "0ABC");
    assert_eq!(info.not_before_text, "Feb  3 00:00:00 2024 GMT");
    assert_eq!(info.not_after_text, "Dec 25 00:00:00 2034 GMT");
    assert_eq!(info.not_before, 1_706_918_400);
    let alt: Vec<(&str, &str)> = info
        .alt_names
        .iter()
        .map(|n| (n.kind(), n.value()))
        .collect();
    assert_eq!(
        alt,
        [
            ("dNSName", "localhost"),
            ("iPAddress", "10.1.2.3"),
            ("iPAddress", "::1")
        ]
    );
    assert_eq!(info.signature, "ecdsa-with-SHA256");
    assert_eq!(
        luasocket_tls::pem_to_der(cert.pem().as_bytes()).as_deref(),
        Some(&der[..])
    );
    assert_eq!(luasocket_tls::digest(&der, "sha256").unwrap().len(), 64);
    assert_eq!(luasocket_tls::digest(&der, "md5"), None);
    assert!(luasocket_tls::CertInfo::from_der(b"garbage").is_err());
}

#[test]
fn an_upload_then_close_loses_nothing() {
    // The server sends session tickets the uploading client never reads; closing with
    // them unread would make the kernel reset the connection and cut the upload short.
    let p = pki();
    let (server, port) = listener();
    let ctx = server_context(&p);
    let reader = thread::spawn(move || {
        let sock = server.accept(&tm(5.0)).unwrap();
        let mut t = TlsStream::new(sock, &ctx, None).unwrap();
        t.handshake(&tm(5.0)).unwrap();
        // Let the client send everything and close before reading a byte.
        thread::sleep(std::time::Duration::from_millis(300));
        let mut total = 0;
        let mut buf = vec![0u8; 65536];
        while let Ok(n) = t.recv(&mut buf, &tm(5.0)) {
            total += n;
        }
        total
    });
    let client_ctx = Context::new(&client_params(&p)).unwrap();
    let mut c = TlsStream::new(connect(&port), &client_ctx, Some("localhost")).unwrap();
    c.handshake(&tm(5.0)).unwrap();
    let data = vec![b'u'; 3 << 20];
    let mut sent = 0;
    while sent < data.len() {
        sent += c.send(&data[sent..], &tm(5.0)).unwrap();
    }
    c.close();
    assert_eq!(reader.join().unwrap(), data.len());
}

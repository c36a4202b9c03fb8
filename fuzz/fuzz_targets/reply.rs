//! The SMTP/FTP reply decoder and the PASV/EPSV readers: no panics, and a finished reply
//! always has a three-digit code that its text starts with.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luasocket_proto::reply::{epsv_port, pasv_address, Reply};
use luasocket_proto::Need;

fuzz_target!(|data: &[u8]| {
    let mut reply = Reply::default();
    for line in data.split(|&c| c == b'\n') {
        match reply.line(line) {
            Ok(Need::Done) => {
                let code = reply.code().expect("a finished reply has a code");
                assert!(reply.text().starts_with(code));
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = pasv_address(data);
    let _ = epsv_port(data);
});

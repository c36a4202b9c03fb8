//! The response head decoder, fed as `socket.http` feeds it: five bytes, then lines (the
//! input split at `\n`, as `receive()` splits it). It must never panic, must stop at the
//! first empty field line, and every field it keeps must be a lower-case token name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luasocket_proto::head::{ResponseHead, Status};
use luasocket_proto::Need;

fuzz_target!(|data: &[u8]| {
    let mut head = ResponseHead::new();
    let (prefix, rest) = data.split_at(data.len().min(5));
    let mut need = match head.feed(prefix) {
        Ok(need) => need,
        Err(_) => return,
    };
    for line in rest.split(|&c| c == b'\n') {
        if need == Need::Done {
            break;
        }
        match head.feed(line) {
            Ok(next) => need = next,
            Err(_) => return,
        }
    }
    if let Status::Code(code, _) = head.status() {
        assert!(code <= 999);
    }
    for (name, _) in head.fields().iter() {
        assert!(!name.is_empty());
        assert!(!name.iter().any(u8::is_ascii_uppercase));
    }
});

//! The chunked decoder, fed the same input two ways: as one stream (`feed`) and as
//! `socket.lua` feeds it (whole lines or exact byte counts). Both must agree on the data
//! whenever both succeed, and neither may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luasocket_proto::chunked::Dechunker;
use luasocket_proto::Need;

fuzz_target!(|data: &[u8]| {
    let mut streamed = Vec::new();
    let whole = Dechunker::default().feed(data, &mut streamed);

    let mut exact = Dechunker::default();
    let mut read = Vec::new();
    let mut rest = data;
    let ok = loop {
        match exact.need() {
            Need::Done => break true,
            Need::Line => {
                let Some(end) = rest.iter().position(|&c| c == b'\n') else { break false };
                if exact.line(&rest[..end], &mut read).is_err() {
                    break false;
                }
                rest = &rest[end + 1..];
            }
            Need::Bytes(n) => {
                let take = rest.len().min(usize::try_from(n).unwrap_or(usize::MAX));
                if take == 0 {
                    break false;
                }
                if exact.feed(&rest[..take], &mut read).is_err() {
                    break false;
                }
                rest = &rest[take..];
            }
        }
    };
    if ok && whole.is_ok() {
        assert_eq!(streamed, read);
    }
});

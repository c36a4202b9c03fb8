//! The chunked decoder, fed the same input three ways: as one stream (`feed`), as that
//! stream cut in two anywhere (the cut must change nothing), and as `socket.lua` feeds it
//! (whole lines or exact byte counts; it must agree on the data whenever both succeed).
//! No way may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luasocket_proto::chunked::Dechunker;
use luasocket_proto::Need;

fuzz_target!(|input: &[u8]| {
    let Some((&cut, data)) = input.split_first() else {
        return;
    };
    let mut streamed = Vec::new();
    let whole = Dechunker::default().feed(data, &mut streamed);
    assert!(streamed.len() <= data.len());

    let cut = usize::from(cut) % (data.len() + 1);
    let mut parts = Vec::new();
    let mut split = Dechunker::default();
    let halves = split
        .feed(&data[..cut], &mut parts)
        .and_then(|n| split.feed(&data[cut..], &mut parts).map(|m| n + m));
    assert_eq!(whole, halves);
    if whole.is_ok() {
        assert_eq!(streamed, parts);
    }

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

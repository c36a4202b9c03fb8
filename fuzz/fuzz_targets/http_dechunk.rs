//! Any bytes, cut anywhere, through the chunked-body decoder and the header-block
//! parser: no panic, and the cut changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luasocket_proto::http::{parse_header_block, Dechunker};

fuzz_target!(|data: &[u8]| {
    let Some((&cut, input)) = data.split_first() else {
        return;
    };
    let cut = usize::from(cut) % (input.len() + 1);
    let mut whole = Vec::new();
    let r1 = Dechunker::default().feed(input, &mut whole);
    let mut parts = Vec::new();
    let mut d = Dechunker::default();
    let r2 = d
        .feed(&input[..cut], &mut parts)
        .and_then(|n| d.feed(&input[cut..], &mut parts).map(|m| n + m));
    assert_eq!(r1, r2);
    if r1.is_ok() {
        assert_eq!(whole, parts);
        let _ = parse_header_block(d.trailers());
    }
    assert!(whole.len() <= input.len());
    let _ = parse_header_block(input);
});

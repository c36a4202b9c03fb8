//! Any bytes, cut anywhere, through the base64 and quoted-printable decoders: no panic,
//! the cut changes nothing, and quoted-printable never grows its input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luasocket_proto::mime::{B64Decoder, QpDecoder};

fuzz_target!(|data: &[u8]| {
    let Some((&cut, input)) = data.split_first() else {
        return;
    };
    let cut = usize::from(cut) % (input.len() + 1);
    let (a, b) = input.split_at(cut);

    let mut whole = Vec::new();
    QpDecoder::default().feed(input, &mut whole);
    let mut parts = Vec::new();
    let mut d = QpDecoder::default();
    d.feed(a, &mut parts);
    d.feed(b, &mut parts);
    assert_eq!(whole, parts);
    assert!(whole.len() <= input.len());

    let mut whole = Vec::new();
    B64Decoder::default().feed(input, &mut whole);
    let mut parts = Vec::new();
    let mut d = B64Decoder::default();
    d.feed(a, &mut parts);
    d.feed(b, &mut parts);
    assert_eq!(whole, parts);
    assert!(whole.len() <= input.len() / 4 * 3 + 3);
});

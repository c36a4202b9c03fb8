//! Any bytes encoded (base64; quoted-printable then wrapped) and decoded come back whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luasocket_proto::mime::{qp_wrap, wrap, B64Decoder, B64Encoder, QpDecoder, QpEncoder};

fuzz_target!(|data: &[u8]| {
    let mut enc = Vec::new();
    let mut e = B64Encoder::default();
    e.feed(data, &mut enc);
    e.finish(&mut enc);
    let mut wrapped = Vec::new();
    wrap(76, &enc, 76, &mut wrapped);
    let mut dec = Vec::new();
    B64Decoder::default().feed(&wrapped, &mut dec);
    assert_eq!(dec, data);

    let mut enc = Vec::new();
    let mut e = QpEncoder::default();
    e.feed(data, b"\r\n", &mut enc);
    e.finish(&mut enc);
    let mut wrapped = Vec::new();
    let left = qp_wrap(76, &enc, 76, &mut wrapped);
    if left < 76 {
        wrapped.extend_from_slice(b"=\r\n");
    }
    let mut dec = Vec::new();
    QpDecoder::default().feed(&wrapped, &mut dec);
    assert_eq!(dec, data);
});

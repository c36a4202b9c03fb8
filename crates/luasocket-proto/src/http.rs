//! HTTP response heads for `socket.http`: the header block parsed by httparse, with the
//! leniency LuaSocket has always had (folded continuation lines, spaces after a field
//! name), names folded to lower case and continuation lines joined.

/// A header block's fields in order: lower-case name and value.
pub type Fields = Vec<(Vec<u8>, Vec<u8>)>;

/// Parses a header block: the header lines of a response, joined with CRLF, without the
/// status line or the empty line that ends them.
///
/// Continuation lines are appended to the field above them without their line break (as
/// LuaSocket does). A line that is not a field is an error (`"malformed response
/// headers"`).
pub fn parse_header_block(block: &[u8]) -> Result<Fields, &'static str> {
    const MALFORMED: &str = "malformed response headers";
    if block.is_empty() {
        return Ok(Vec::new());
    }
    // httparse parses whole responses: put a status line before the block and the empty
    // line after it.
    let mut buf = Vec::with_capacity(block.len() + 24);
    buf.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    buf.extend_from_slice(block);
    buf.extend_from_slice(b"\r\n\r\n");
    let lines = block.iter().filter(|&&c| c == b'\n').count() + 1;
    let mut headers = vec![httparse::EMPTY_HEADER; lines];
    let mut response = httparse::Response::new(&mut headers);
    let mut config = httparse::ParserConfig::default();
    config
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_spaces_after_header_name_in_responses(true);
    match config.parse_response(&mut response, &buf) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(MALFORMED),
    }
    Ok(response
        .headers
        .iter()
        .map(|h| {
            let name = h.name.to_ascii_lowercase().into_bytes();
            let value = h
                .value
                .iter()
                .copied()
                .filter(|&c| c != b'\r' && c != b'\n')
                .collect();
            (name, value)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_folding_and_errors() {
        let f = parse_header_block(b"Content-Type: text/plain\r\nX-Long: a\r\n  b\r\nSet-Cookie:x")
            .unwrap();
        assert_eq!(
            f,
            vec![
                (b"content-type".to_vec(), b"text/plain".to_vec()),
                (b"x-long".to_vec(), b"a  b".to_vec()),
                (b"set-cookie".to_vec(), b"x".to_vec()),
            ]
        );
        assert_eq!(parse_header_block(b"Name : v").unwrap()[0].1, b"v");
        assert!(parse_header_block(b"no colon here").is_err());
        assert!(parse_header_block(b"").unwrap().is_empty());
        assert!(parse_header_block(b"Bad\0Name: x").is_err());
    }
}

//! URL splitting for `socket.url.parse`: where each of LuaSocket's fields lies in a URL.
//!
//! The rules are those of LuaSocket's parser, which upstream's `test/urltest.lua` pins: the
//! authority runs from `//` to the first `/` (so `?`, `#` and `;` before that `/` belong to
//! it), then the fragment starts at the first `#` of the rest, the query at the first `?`
//! and the params at the first `;`. Two fixes to userinfo, which no upstream test checks: it
//! ends at the *last* `@` of the authority (a raw `@` in a password survives) and the user
//! ends at the *first* `:` (RFC 3986 section 3.2.1). Nothing is decoded: fields are slices
//! of the input, so building them back gives the input.

use std::ops::Range;

/// Where each field of a URL lies (byte ranges into the input).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlParts {
    /// `scheme` (before the first `:`, if the URL starts with a scheme).
    pub scheme: Option<Range<usize>>,
    /// `authority` (after `//`, up to the first `/`).
    pub authority: Option<Range<usize>>,
    /// `userinfo` (the authority up to its last `@`).
    pub userinfo: Option<Range<usize>>,
    /// `user` (the userinfo up to its first `:`).
    pub user: Option<Range<usize>>,
    /// `password` (the userinfo after its first `:`).
    pub password: Option<Range<usize>>,
    /// `host` (without the brackets of an IPv6 literal).
    pub host: Option<Range<usize>>,
    /// `port` (after the last `:` of the host part, if no `:` or `]` follows it).
    pub port: Option<Range<usize>>,
    /// `path`.
    pub path: Option<Range<usize>>,
    /// `params` (after the path's `;`).
    pub params: Option<Range<usize>>,
    /// `query` (after `?`).
    pub query: Option<Range<usize>>,
    /// `fragment` (after `#`).
    pub fragment: Option<Range<usize>>,
}

fn is_scheme_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'-' || c == b'.'
}

/// Splits `url` into LuaSocket's fields. Every input gives an answer; an empty one gives
/// no fields (the Lua side reports `"invalid url"` before calling).
pub fn split(url: &[u8]) -> UrlParts {
    let mut p = UrlParts::default();
    let len = url.len();
    let mut pos = 0;
    if url.first().is_some_and(u8::is_ascii_alphanumeric) {
        let end = url.iter().position(|&c| !is_scheme_char(c)).unwrap_or(len);
        if url.get(end) == Some(&b':') {
            p.scheme = Some(0..end);
            pos = end + 1;
        }
    }
    if url[pos..].starts_with(b"//") {
        let start = pos + 2;
        let end = url[start..]
            .iter()
            .position(|&c| c == b'/')
            .map_or(len, |n| start + n);
        p.authority = Some(start..end);
        split_authority(url, start..end, &mut p);
        pos = end;
    }
    let rest = &url[pos..];
    let path_end = pos
        + rest
            .iter()
            .position(|&c| matches!(c, b';' | b'?' | b'#'))
            .unwrap_or(rest.len());
    if path_end > pos {
        p.path = Some(pos..path_end);
    }
    let mut at = path_end;
    if url.get(at) == Some(&b';') {
        let end = at
            + 1
            + url[at + 1..]
                .iter()
                .position(|&c| matches!(c, b'?' | b'#'))
                .unwrap_or(len - at - 1);
        p.params = Some(at + 1..end);
        at = end;
    }
    if url.get(at) == Some(&b'?') {
        let end = at
            + 1
            + url[at + 1..]
                .iter()
                .position(|&c| c == b'#')
                .unwrap_or(len - at - 1);
        p.query = Some(at + 1..end);
        at = end;
    }
    if url.get(at) == Some(&b'#') {
        p.fragment = Some(at + 1..len);
    }
    p
}

fn split_authority(url: &[u8], range: Range<usize>, p: &mut UrlParts) {
    let mut host = range.clone();
    let auth = &url[range.clone()];
    if let Some(at) = auth.iter().rposition(|&c| c == b'@') {
        let userinfo = range.start..range.start + at;
        p.userinfo = Some(userinfo.clone());
        match url[userinfo.clone()].iter().position(|&c| c == b':') {
            Some(colon) => {
                p.user = Some(userinfo.start..userinfo.start + colon);
                p.password = Some(userinfo.start + colon + 1..userinfo.end);
            }
            None => p.user = Some(userinfo),
        }
        host = range.start + at + 1..range.end;
    }
    if let Some(colon) = url[host.clone()].iter().rposition(|&c| c == b':') {
        let port = host.start + colon + 1..host.end;
        if !url[port.clone()].contains(&b']') {
            p.port = Some(port);
            host.end = host.start + colon;
        }
    }
    if !host.is_empty() {
        let h = &url[host.clone()];
        if h.len() >= 3 && h[0] == b'[' && h[h.len() - 1] == b']' {
            host = host.start + 1..host.end - 1;
        }
        p.host = Some(host);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(url: &'a str, r: &Option<Range<usize>>) -> Option<&'a str> {
        r.clone().map(|r| &url[r])
    }

    #[test]
    fn every_field() {
        let u = "http://user:pa:ss@www.example.com:8080/a/b;type=i?x=1;2#frag?#";
        let p = split(u.as_bytes());
        assert_eq!(field(u, &p.scheme), Some("http"));
        assert_eq!(
            field(u, &p.authority),
            Some("user:pa:ss@www.example.com:8080")
        );
        assert_eq!(field(u, &p.userinfo), Some("user:pa:ss"));
        assert_eq!(field(u, &p.user), Some("user"));
        assert_eq!(field(u, &p.password), Some("pa:ss"));
        assert_eq!(field(u, &p.host), Some("www.example.com"));
        assert_eq!(field(u, &p.port), Some("8080"));
        assert_eq!(field(u, &p.path), Some("/a/b"));
        assert_eq!(field(u, &p.params), Some("type=i"));
        assert_eq!(field(u, &p.query), Some("x=1;2"));
        assert_eq!(field(u, &p.fragment), Some("frag?#"));
    }

    #[test]
    fn authority_runs_to_the_first_slash() {
        let u = "scheme://user:pass$%?#wd@host:port/path;params?query#fragment";
        let p = split(u.as_bytes());
        assert_eq!(field(u, &p.authority), Some("user:pass$%?#wd@host:port"));
        assert_eq!(field(u, &p.userinfo), Some("user:pass$%?#wd"));
        assert_eq!(field(u, &p.host), Some("host"));
        assert_eq!(field(u, &p.port), Some("port"));
        assert_eq!(field(u, &p.path), Some("/path"));
        assert_eq!(field(u, &p.params), Some("params"));
        assert_eq!(field(u, &p.query), Some("query"));
        assert_eq!(field(u, &p.fragment), Some("fragment"));
        let u = "http://host?q#f";
        let p = split(u.as_bytes());
        assert_eq!(field(u, &p.authority), Some("host?q#f"));
        assert_eq!((p.path, p.query, p.fragment), (None, None, None));
    }

    #[test]
    fn odd_shapes() {
        let u = "http://[2001:db8::1]/x";
        let p = split(u.as_bytes());
        assert_eq!(field(u, &p.host), Some("2001:db8::1"));
        assert_eq!(p.port, None);
        let u = "http://[::1]:80";
        let p = split(u.as_bytes());
        assert_eq!(
            (field(u, &p.host), field(u, &p.port)),
            (Some("::1"), Some("80"))
        );
        let u = "a@b@c:";
        let p = split(u.as_bytes());
        assert_eq!(field(u, &p.scheme), None); // "a@b@c" is not a scheme
        assert_eq!(field(u, &p.path), Some("a@b@c:"));
        let u = "mailto:x@y";
        let p = split(u.as_bytes());
        assert_eq!(
            (field(u, &p.scheme), field(u, &p.path)),
            (Some("mailto"), Some("x@y"))
        );
        let u = "//@:";
        let p = split(u.as_bytes());
        assert_eq!(field(u, &p.user), Some(""));
        assert_eq!(field(u, &p.port), Some(""));
        assert_eq!(p.host, None);
        assert_eq!(split(b""), UrlParts::default());
        let u = "x;?#";
        let p = split(u.as_bytes());
        assert_eq!(
            (
                field(u, &p.params),
                field(u, &p.query),
                field(u, &p.fragment)
            ),
            (Some(""), Some(""), Some(""))
        );
    }
}

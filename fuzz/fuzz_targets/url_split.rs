//! Any bytes as a URL: the fields are in bounds, the top-level ones put back together
//! give the input, and the authority's parts lie inside the authority.
#![no_main]

use libfuzzer_sys::fuzz_target;
use luasocket_proto::url::split;

fuzz_target!(|url: &[u8]| {
    let p = split(url);
    let get = |r: &Option<std::ops::Range<usize>>| r.clone().map(|r| &url[r]);
    let mut rebuilt = Vec::new();
    if let Some(s) = get(&p.scheme) {
        rebuilt.extend_from_slice(s);
        rebuilt.push(b':');
    }
    if let Some(a) = get(&p.authority) {
        rebuilt.extend_from_slice(b"//");
        rebuilt.extend_from_slice(a);
    }
    if let Some(s) = get(&p.path) {
        rebuilt.extend_from_slice(s);
    }
    for (sep, field) in [(b';', &p.params), (b'?', &p.query), (b'#', &p.fragment)] {
        if let Some(s) = get(field) {
            rebuilt.push(sep);
            rebuilt.extend_from_slice(s);
        }
    }
    assert_eq!(rebuilt, url);
    if let Some(auth) = p.authority.clone() {
        for r in [&p.userinfo, &p.user, &p.password, &p.host, &p.port]
            .into_iter()
            .flatten()
        {
            assert!(auth.start <= r.start && r.end <= auth.end);
        }
    } else {
        assert!(p.host.is_none() && p.userinfo.is_none() && p.port.is_none());
    }
});

//! `socket.url.core`: the native half of `socket.url`, splitting a URL into LuaSocket's
//! fields in one call (`luasocket_proto::url::split`). `socket/url.lua` parses with it.

use luasocket_proto::url::split;

use crate::class::Method;
use crate::state::{lua_fn, Ret, State};

/// Opens `socket.url.core` and leaves its table on the stack.
pub(crate) fn open(s: &State) -> Ret {
    s.new_table(0, 1);
    let funcs: &[Method] = &[(c"parse", global_parse)];
    s.set_functions(funcs);
    Ok(1)
}

lua_fn!(global_parse, parse_impl);
/// `parse(url)`: a new table with the fields found in `url` (which must not be empty).
fn parse_impl(s: &State) -> Ret {
    let url = s.check_bytes(1)?;
    let p = split(url);
    s.new_table(0, 11);
    let fields = [
        (c"scheme", &p.scheme),
        (c"authority", &p.authority),
        (c"userinfo", &p.userinfo),
        (c"user", &p.user),
        (c"password", &p.password),
        (c"host", &p.host),
        (c"port", &p.port),
        (c"path", &p.path),
        (c"params", &p.params),
        (c"query", &p.query),
        (c"fragment", &p.fragment),
    ];
    for (name, range) in fields {
        if let Some(r) = range {
            s.push_bytes(&url[r.clone()]);
            s.set_field(-2, name);
        }
    }
    Ok(1)
}

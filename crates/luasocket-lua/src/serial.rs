//! `socket.serial`: a character device (serial line, terminal, FIFO) used with the
//! stream methods of a `serial{client}` object. The module is the constructor function,
//! as in LuaSocket.

use std::ffi::CStr;

use luasocket_net::Device;

use crate::class::{self, Method};
use crate::state::{lua_fn, Ret, State};
use crate::stream::{self, StreamKind};

/// Character devices.
pub(crate) struct Serial;

impl StreamKind for Serial {
    const TAG: u64 = 0x4c53_5f53_4552_0001;
    const MASTER: &'static CStr = c"serial{client}";
    const CLIENT: &'static CStr = c"serial{client}";
    const SERVER: &'static CStr = c"serial{client}";
    const ANY: &'static CStr = c"serial{any}";
    type Io = Device;
}

/// LuaSocket's `serial_methods[]` plus `gettimeout` and `__close`, sorted by name.
const METHODS: &[Method] = &[
    (c"__close", stream::close::<Serial>),
    (c"__gc", stream::gc::<Serial>),
    (c"__tostring", tostring),
    (c"close", stream::close::<Serial>),
    (c"dirty", stream::dirty::<Serial>),
    (c"getfd", stream::getfd::<Serial>),
    (c"getstats", stream::getstats::<Serial>),
    (c"gettimeout", stream::gettimeout::<Serial>),
    (c"receive", stream::receive::<Serial>),
    (c"send", stream::send::<Serial>),
    (c"setfd", stream::setfd::<Serial>),
    (c"setstats", stream::setstats::<Serial>),
    (c"settimeout", stream::settimeout::<Serial>),
];

/// Opens `socket.serial` and leaves the constructor on the stack.
pub(crate) fn open(s: &State) -> Ret {
    stream::register::<Serial>();
    class::new_class(s, Serial::CLIENT, METHODS);
    class::add_to_group(s, Serial::CLIENT, Serial::ANY);
    class::add_to_group(s, Serial::CLIENT, c"select{able}");
    s.push_function(create);
    Ok(1)
}

lua_fn!(tostring, class::tostring);

lua_fn!(create, create_impl);
/// `socket.serial(path)`: the object, or `nil, message, errno`.
fn create_impl(s: &State) -> Ret {
    let path = s.check_bytes(1)?;
    match Device::open(path) {
        Ok(dev) => {
            stream::push::<Serial>(s, dev, Serial::CLIENT);
            Ok(1)
        }
        Err((e, code)) => {
            s.push_nil();
            crate::results::error(s, &e);
            s.push_integer(i64::from(code));
            Ok(3)
        }
    }
}

//! `socket.serial`: a character device (serial line, terminal, FIFO) used with the
//! stream methods of a `serial{client}` object. The module is the constructor function,
//! as in LuaSocket.

use std::ffi::CStr;

use luasocket_net::Device;

use crate::class::{self, Method};
use crate::methods;
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
    (
        c"__close",
        methods::meth_close::<stream::StreamObject<Serial>>,
    ),
    (c"__gc", class::meth_gc::<stream::StreamObject<Serial>>),
    (c"__tostring", methods::meth_tostring),
    (
        c"close",
        methods::meth_close::<stream::StreamObject<Serial>>,
    ),
    (
        c"dirty",
        methods::meth_dirty::<stream::StreamObject<Serial>>,
    ),
    (
        c"getfd",
        methods::meth_getfd::<stream::StreamObject<Serial>>,
    ),
    (c"getstats", stream::meth_getstats::<Serial>),
    (
        c"gettimeout",
        methods::meth_gettimeout::<stream::StreamObject<Serial>>,
    ),
    (c"receive", stream::meth_receive::<Serial>),
    (c"send", stream::meth_send::<Serial>),
    (
        c"setfd",
        methods::meth_setfd::<stream::StreamObject<Serial>>,
    ),
    (c"setstats", stream::meth_setstats::<Serial>),
    (
        c"settimeout",
        methods::meth_settimeout::<stream::StreamObject<Serial>>,
    ),
];

/// Opens `socket.serial` and leaves the constructor on the stack.
pub(crate) fn open(s: &State) -> Ret {
    stream::register::<Serial>();
    class::new_class(s, Serial::CLIENT, METHODS);
    class::add_to_group(s, Serial::CLIENT, Serial::ANY);
    class::add_to_group(s, Serial::CLIENT, c"select{able}");
    s.push_function(global_serial);
    Ok(1)
}

lua_fn!(global_serial, create_impl);
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

//! A thin, checked layer over the Lua C API (`mlua::ffi`): argument checks that return
//! errors instead of jumping, pushes, tables, and the one place errors are raised.
//!
//! Lua raises errors with `longjmp` (or, on LuaJIT, its own unwinder). No Rust value that
//! needs dropping may be alive when that happens, so method bodies return
//! `Result<c_int, Raise>` and [`finish`] raises only after every Rust value is gone.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

use crate::words::Word;
use mlua::ffi::{self, lua_State};

/// One entry of a class's method table or a module's function list.
pub(crate) type Method = (&'static CStr, ffi::lua_CFunction);

/// A Lua error waiting to be raised by [`finish`].
#[derive(Debug)]
pub(crate) enum Raise {
    /// `bad argument #n to 'f' (msg)`, as `luaL_argerror` words it.
    Arg(c_int, String),
    /// A runtime error; the caller's position is prepended, as `luaL_error` does.
    Msg(String),
    /// The error value is already on top of the stack (from a failed `pcall`).
    Value,
    /// No descriptor could be made (`EMFILE`/`ENFILE`): the call's shim runs a full
    /// garbage collection, with no Rust borrow of a Lua object alive, and runs the body once
    /// more (see [`with_descriptor`]).
    Collect,
}

/// What a method body returns: the number of results it pushed, or an error to raise.
pub(crate) type Ret = Result<c_int, Raise>;

/// Defines a Lua C function that runs `$body(&State)` and raises its error, if any.
macro_rules! lua_fn {
    ($name:ident, $body:path) => {
        // The generated shim is the only unsafe code in the modules that use the macro.
        #[allow(unsafe_code)]
        pub(crate) unsafe extern "C-unwind" fn $name(
            l: *mut mlua::ffi::lua_State,
        ) -> std::os::raw::c_int {
            // SAFETY: Lua calls C functions with a valid state.
            unsafe { $crate::state::call(l, $body) }
        }
    };
    // A C function generic over the kind of object it serves: `$body::<K>` runs.
    ($name:ident<$k:ident: $bound:path>, $body:ident) => {
        #[allow(unsafe_code)]
        pub(crate) unsafe extern "C-unwind" fn $name<$k: $bound>(
            l: *mut mlua::ffi::lua_State,
        ) -> std::os::raw::c_int {
            // SAFETY: Lua calls C functions with a valid state.
            unsafe { $crate::state::call(l, $body::<$k>) }
        }
    };
}
pub(crate) use lua_fn;

/// Runs the body of a C function and raises its error, if any. A body that returns
/// [`Raise::Collect`] runs once more after a full collection, which happens here, where no
/// Rust reference into a Lua object is alive (finalizers may run Lua code that uses any
/// object).
///
/// # Safety
///
/// `l` is the state the C function was called with.
pub(crate) unsafe fn call(l: *mut lua_State, body: impl Fn(&State) -> Ret) -> c_int {
    let result = {
        // SAFETY: `l` is valid (caller's contract).
        let s = unsafe { State::from_raw(l) };
        let top = s.top();
        let result = match body(&s) {
            Err(Raise::Collect) => {
                s.set_top(top);
                s.collect_garbage();
                // SAFETY: as above.
                let mut again = unsafe { State::from_raw(l) };
                again.retried = true;
                body(&again)
            }
            other => other,
        };
        debug_assert!(
            s.roomy.get() || s.top() - top <= MIN_STACK,
            "a C function pushed past LUA_MINSTACK without State::room"
        );
        result
    };
    // SAFETY: `l` is valid and nothing is borrowed.
    unsafe { finish(l, result) }
}

/// Returns the result count, or raises the error. Every Rust value of the body is gone by
/// the time the error unwinds.
///
/// # Safety
///
/// `l` must be the state of the running C function.
pub(crate) unsafe fn finish(l: *mut lua_State, result: Ret) -> c_int {
    // SAFETY: `l` is valid; strings are pushed (copied) before being freed, and the
    // raising calls run with no live Rust values in this frame.
    unsafe {
        match result {
            Ok(n) => n,
            Err(Raise::Arg(arg, msg)) => {
                ffi::lua_pushlstring(l, msg.as_ptr().cast(), msg.len());
                drop(msg);
                let text = ffi::lua_tolstring(l, -1, std::ptr::null_mut());
                ffi::luaL_argerror(l, arg, text)
            }
            Err(Raise::Msg(msg)) => {
                ffi::luaL_where(l, 1);
                ffi::lua_pushlstring(l, msg.as_ptr().cast(), msg.len());
                drop(msg);
                ffi::lua_concat(l, 2);
                ffi::lua_error(l)
            }
            Err(Raise::Value) => ffi::lua_error(l),
            // A body that asks for a second collection gets the system's error instead
            // (`with_descriptor` does not ask twice); this arm only keeps the match total.
            Err(Raise::Collect) => {
                ffi::lua_pushnil(l);
                ffi::lua_pushstring(l, c"Too many open files".as_ptr());
                2
            }
        }
    }
}

/// Stack room: Lua gives every C function `LUA_MINSTACK` (20) free slots. The bodies
/// here stay within that: none holds more than a handful of values at once, and those
/// that push per item (select's result tables, dns lists, header fields) keep each item's
/// pushes balanced, so depth never grows with the input. A body that needs more asks
/// with [`State::room`] first.
pub(crate) const MIN_STACK: c_int = 20;

/// How many distinct objects one call may borrow mutably (see [`State::hold`]).
const HELD: usize = 4;

/// The running C function's view of its Lua state.
///
/// Invariants the glue keeps, and where they are enforced:
/// - `l` is the state of the running C function ([`State::from_raw`]'s contract);
/// - nothing raises while a Rust value that needs dropping is alive: errors travel as
///   [`Raise`] and are raised by [`finish`]; the calls that can run Lua code (metamethods,
///   other functions) happen only under `lua_pcall` ([`State::field`],
///   [`State::index_protected`], [`State::method_protected`]);
/// - at most one `&mut` to an object per call ([`State::hold`], used by `class::check`).
pub(crate) struct State {
    l: *mut lua_State,
    /// True while the body runs again after a collection (`Raise::Collect`).
    retried: bool,
    /// Addresses of the objects this call has borrowed mutably (0: free slot).
    held: [std::cell::Cell<usize>; HELD],
    /// Whether the body asked for more stack than Lua's minimum ([`State::room`]).
    roomy: std::cell::Cell<bool>,
}

impl State {
    /// Wraps the state a C function was called with.
    ///
    /// # Safety
    ///
    /// `l` must be valid for as long as the `State` is used.
    pub(crate) unsafe fn from_raw(l: *mut lua_State) -> State {
        State {
            l,
            retried: false,
            held: Default::default(),
            roomy: std::cell::Cell::new(false),
        }
    }

    /// Makes room for `n` more values on the stack (beyond the [`MIN_STACK`] every C
    /// function has), or says why not. No body needs it today (the debug assertion in
    /// [`call`] would say so); it is the one way to go past the minimum.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn room(&self, n: c_int) -> Result<(), Raise> {
        // SAFETY: valid state; lua_checkstack does not raise.
        if unsafe { ffi::lua_checkstack(self.l, n) } != 0 {
            self.roomy.set(true);
            Ok(())
        } else {
            Err(Raise::Msg(Word::StackOverflow.into()))
        }
    }

    /// Records that this call borrows the object at `address` mutably. False when it
    /// already does (the same object passed twice) or holds too many: the caller refuses
    /// the second borrow instead of making two `&mut` to one value.
    pub(crate) fn hold(&self, address: usize) -> bool {
        for slot in &self.held {
            match slot.get() {
                0 => {
                    slot.set(address);
                    return true;
                }
                held if held == address => return false,
                _ => {}
            }
        }
        false
    }

    /// Whether the running body is the second run after a collection (`Raise::Collect`).
    pub(crate) fn retried(&self) -> bool {
        self.retried
    }

    /// The raw state, for the few callers (classes) that need the C API directly.
    pub(crate) fn raw(&self) -> *mut lua_State {
        self.l
    }

    /// `lua_gettop`.
    pub(crate) fn top(&self) -> c_int {
        // SAFETY: valid state (invariant of State).
        unsafe { ffi::lua_gettop(self.l) }
    }

    /// `lua_settop`.
    pub(crate) fn set_top(&self, idx: c_int) {
        // SAFETY: valid state; callers only shrink or pad with nils.
        unsafe { ffi::lua_settop(self.l, idx) }
    }

    /// `lua_type`.
    pub(crate) fn type_of(&self, idx: c_int) -> c_int {
        // SAFETY: any index is acceptable to lua_type.
        unsafe { ffi::lua_type(self.l, idx) }
    }

    /// True for `nil` or an absent argument.
    pub(crate) fn is_none_or_nil(&self, idx: c_int) -> bool {
        self.type_of(idx) <= ffi::LUA_TNIL
    }

    /// `lua_isnumber`: a number or a string convertible to one.
    pub(crate) fn is_number(&self, idx: c_int) -> bool {
        // SAFETY: valid state and index.
        unsafe { ffi::lua_isnumber(self.l, idx) != 0 }
    }

    /// The value as a number, converting numeric strings.
    pub(crate) fn to_number(&self, idx: c_int) -> Option<f64> {
        let mut isnum = 0;
        // SAFETY: valid state; `isnum` is a valid out-pointer.
        let n = unsafe { ffi::lua_tonumberx(self.l, idx, &mut isnum) };
        (isnum != 0).then_some(n)
    }

    /// The value's bytes when it is a string or a number (numbers are converted in place,
    /// as `luaL_checklstring` does). The slice lives while the value stays on the stack.
    pub(crate) fn to_bytes(&self, idx: c_int) -> Option<&[u8]> {
        let t = self.type_of(idx);
        if t != ffi::LUA_TSTRING && t != ffi::LUA_TNUMBER {
            return None;
        }
        let mut len = 0usize;
        // SAFETY: the value is a string or number, so lua_tolstring returns a pointer to
        // `len` bytes owned by the Lua string at `idx`, alive while it is on the stack.
        unsafe {
            let p = ffi::lua_tolstring(self.l, idx, &mut len);
            if p.is_null() {
                return None;
            }
            Some(std::slice::from_raw_parts(p.cast::<u8>(), len))
        }
    }

    /// `luaL_checklstring`.
    pub(crate) fn check_bytes(&self, idx: c_int) -> Result<&[u8], Raise> {
        self.to_bytes(idx)
            .ok_or_else(|| self.type_error(idx, "string"))
    }

    /// `luaL_optlstring`.
    pub(crate) fn opt_bytes<'a>(
        &'a self,
        idx: c_int,
        default: &'a [u8],
    ) -> Result<&'a [u8], Raise> {
        if self.is_none_or_nil(idx) {
            Ok(default)
        } else {
            self.check_bytes(idx)
        }
    }

    /// `luaL_checknumber`.
    pub(crate) fn check_number(&self, idx: c_int) -> Result<f64, Raise> {
        self.to_number(idx)
            .ok_or_else(|| self.type_error(idx, "number"))
    }

    /// `luaL_optnumber`.
    pub(crate) fn opt_number(&self, idx: c_int, default: f64) -> Result<f64, Raise> {
        if self.is_none_or_nil(idx) {
            Ok(default)
        } else {
            self.check_number(idx)
        }
    }

    /// `luaL_checkinteger`: on Lua 5.3+ a float without an integer value is refused.
    pub(crate) fn check_integer(&self, idx: c_int) -> Result<i64, Raise> {
        let mut isnum = 0;
        // SAFETY: valid state; `isnum` is a valid out-pointer.
        let n = unsafe { ffi::lua_tointegerx(self.l, idx, &mut isnum) };
        if isnum != 0 {
            Ok(n as i64)
        } else if self.is_number(idx) {
            Err(Raise::Arg(idx, Word::NoIntegerRepresentation.into()))
        } else {
            Err(self.type_error(idx, "number"))
        }
    }

    /// A strict boolean argument (LuaSocket's `auxiliar_checkboolean`).
    pub(crate) fn check_boolean(&self, idx: c_int) -> Result<bool, Raise> {
        if self.type_of(idx) == ffi::LUA_TBOOLEAN {
            Ok(self.to_boolean(idx))
        } else {
            Err(self.type_error(idx, "boolean"))
        }
    }

    /// `lua_toboolean`.
    pub(crate) fn to_boolean(&self, idx: c_int) -> bool {
        // SAFETY: valid state and index.
        unsafe { ffi::lua_toboolean(self.l, idx) != 0 }
    }

    /// `luaL_checkoption`: the index of the argument (or `default`) in `names`.
    pub(crate) fn check_option(
        &self,
        idx: c_int,
        default: &[u8],
        names: &[&str],
    ) -> Result<usize, Raise> {
        let name = self.opt_bytes(idx, default)?;
        names
            .iter()
            .position(|n| n.as_bytes() == name)
            .ok_or_else(|| {
                Raise::Arg(
                    idx,
                    format!("invalid option '{}'", String::from_utf8_lossy(name)),
                )
            })
    }

    /// The "X expected, got Y" error of `luaL_typeerror`.
    pub(crate) fn type_error(&self, idx: c_int, expected: &str) -> Raise {
        Raise::Arg(
            idx,
            format!("{expected} expected, got {}", self.type_name(idx)),
        )
    }

    /// The name `luaL_typeerror` gives a value: its metatable's `__name`, else its type.
    pub(crate) fn type_name(&self, idx: c_int) -> String {
        // SAFETY: valid state; the stack is restored before returning.
        unsafe {
            if ffi::lua_getmetatable(self.l, idx) != 0 {
                ffi::lua_getfield(self.l, -1, c"__name".as_ptr());
                let name = self
                    .to_bytes(-1)
                    .filter(|_| self.type_of(-1) == ffi::LUA_TSTRING)
                    .map(|b| String::from_utf8_lossy(b).into_owned());
                ffi::lua_settop(self.l, -3);
                if let Some(name) = name {
                    return name;
                }
            }
            let t = ffi::lua_type(self.l, idx);
            if t == ffi::LUA_TNONE {
                return "no value".into();
            }
            CStr::from_ptr(ffi::lua_typename(self.l, t))
                .to_string_lossy()
                .into_owned()
        }
    }

    /// `lua_pushnil`.
    pub(crate) fn push_nil(&self) {
        // SAFETY: valid state.
        unsafe { ffi::lua_pushnil(self.l) }
    }

    /// `lua_gc(L, LUA_GCCOLLECT)`: a full collection cycle, finalizers included.
    pub(crate) fn collect_garbage(&self) {
        // SAFETY: valid state; a full collection may run finalizers, which only touch
        // objects Lua no longer references (the caller's arguments stay on the stack).
        unsafe {
            ffi::lua_gc(self.l, ffi::LUA_GCCOLLECT, 0);
        }
    }

    /// `lua_pushboolean`.
    pub(crate) fn push_bool(&self, b: bool) {
        // SAFETY: valid state.
        unsafe { ffi::lua_pushboolean(self.l, c_int::from(b)) }
    }

    /// `lua_pushnumber` (a float on Lua 5.3+, as C LuaSocket pushes most results).
    pub(crate) fn push_number(&self, n: f64) {
        // SAFETY: valid state.
        unsafe { ffi::lua_pushnumber(self.l, n) }
    }

    /// `lua_pushinteger`.
    pub(crate) fn push_integer(&self, n: i64) {
        // SAFETY: valid state.
        unsafe { ffi::lua_pushinteger(self.l, n as ffi::lua_Integer) }
    }

    /// `lua_pushlstring`.
    pub(crate) fn push_bytes(&self, b: &[u8]) {
        // SAFETY: valid state; Lua copies the bytes.
        unsafe {
            ffi::lua_pushlstring(self.l, b.as_ptr().cast::<c_char>(), b.len());
        }
    }

    /// `lua_pushvalue`.
    pub(crate) fn push_value(&self, idx: c_int) {
        // SAFETY: valid state and index.
        unsafe { ffi::lua_pushvalue(self.l, idx) }
    }

    /// Sets each `(name, function)` as a field of the table on top of the stack.
    pub(crate) fn set_functions(&self, funcs: &[Method]) {
        for (name, f) in funcs {
            self.push_function(*f);
            self.set_field(-2, name);
        }
    }

    /// `lua_rawget`: pops a key and pushes `t[key]` of the table at `idx`, without
    /// metamethods.
    pub(crate) fn raw_get(&self, idx: c_int) {
        // SAFETY: valid state; the caller checked that `idx` is a table.
        unsafe {
            ffi::lua_rawget(self.l, idx);
        }
    }

    /// `lua_topointer`: the identity of a table, userdata or function at `idx`.
    pub(crate) fn to_pointer(&self, idx: c_int) -> *const std::ffi::c_void {
        // SAFETY: valid state and index; the pointer is only compared, never read.
        unsafe { ffi::lua_topointer(self.l, idx) }
    }

    /// `lua_setmetatable`: pops a table and makes it the metatable of the value at `idx`.
    pub(crate) fn set_metatable(&self, idx: c_int) {
        // SAFETY: valid state; the caller has pushed a table.
        unsafe {
            ffi::lua_setmetatable(self.l, idx);
        }
    }

    /// `lua_pop`.
    pub(crate) fn pop(&self, n: c_int) {
        self.set_top(-n - 1);
    }

    /// `lua_createtable`.
    pub(crate) fn new_table(&self, narr: c_int, nrec: c_int) {
        // SAFETY: valid state.
        unsafe { ffi::lua_createtable(self.l, narr, nrec) }
    }

    /// `t[name] = pop()` without metamethods, `t` at `idx`.
    pub(crate) fn set_field(&self, idx: c_int, name: &CStr) {
        // SAFETY: valid state; `idx` is a table the caller created (no metamethods).
        unsafe { ffi::lua_setfield(self.l, idx, name.as_ptr()) }
    }

    /// Pushes the table of globals.
    pub(crate) fn push_globals(&self) {
        // SAFETY: valid state; pushes one value.
        unsafe {
            ffi::lua_pushglobaltable(self.l);
        }
    }

    /// Pushes `t[name]` without metamethods (`lua_rawget`) and returns its type; for our
    /// own tables.
    pub(crate) fn raw_field(&self, idx: c_int, name: &CStr) -> c_int {
        let idx = self.abs(idx);
        self.push_bytes(name.to_bytes());
        // SAFETY: valid state; `idx` is a table (callers' tables); rawget runs no Lua code.
        unsafe { ffi::lua_rawget(self.l, idx) }
    }

    /// Pushes `t[name]` with metamethods, as C LuaSocket's `lua_getfield` reads a caller's
    /// table, but under pcall: a raising `__index` is an ordinary error result here, never
    /// a jump over Rust frames. Returns the value's type.
    pub(crate) fn field(&self, idx: c_int, name: &CStr) -> Result<c_int, Raise> {
        self.index_protected(idx, |s| s.push_bytes(name.to_bytes()))?;
        Ok(self.type_of(-1))
    }

    /// Pushes `v[key]` (metamethods included) for the value at `idx`, under pcall; `key`
    /// pushes the key.
    pub(crate) fn index_protected(&self, idx: c_int, key: impl Fn(&State)) -> Result<(), Raise> {
        let idx = self.abs(idx);
        self.push_function(index_fn);
        self.push_value(idx);
        key(self);
        self.pcall(2, 1)
    }

    /// Pushes the result of `v:name()` for the value at `idx` (nil when `v.name` is
    /// nil), under pcall.
    pub(crate) fn method_protected(&self, idx: c_int, name: &[u8]) -> Result<(), Raise> {
        let idx = self.abs(idx);
        self.push_function(method_fn);
        self.push_value(idx);
        self.push_bytes(name);
        self.pcall(2, 1)
    }

    /// `idx` as an absolute stack index.
    fn abs(&self, idx: c_int) -> c_int {
        if idx < 0 && idx > ffi::LUA_REGISTRYINDEX {
            self.top() + 1 + idx
        } else {
            idx
        }
    }

    /// `lua_next` on the table at `idx` (absolute): pops a key and pushes the next key
    /// and its value; false (nothing pushed) at the end.
    #[cfg(feature = "tls")]
    pub(crate) fn next(&self, idx: c_int) -> bool {
        // SAFETY: valid state; `idx` is a table and the key on top came from it.
        unsafe { ffi::lua_next(self.l, idx) != 0 }
    }

    /// `t[n] = pop()` raw, `t` at `idx`.
    pub(crate) fn raw_set_i(&self, idx: c_int, n: i64) {
        // SAFETY: valid state; `idx` is a table.
        unsafe { ffi::lua_rawseti(self.l, idx, n as ffi::lua_Integer) }
    }

    /// `lua_gettable`: replaces the key on top with `t[key]`, metamethods included.
    ///
    /// # Safety
    ///
    /// A metamethod may raise, which jumps over every Rust frame: call this only where no
    /// Rust value needs dropping, i.e. in a body that runs under `lua_pcall`.
    unsafe fn get_table(&self, idx: c_int) {
        // SAFETY: valid state; raising is the caller's contract.
        unsafe {
            ffi::lua_gettable(self.l, idx);
        }
    }

    /// `lua_call`, unprotected.
    ///
    /// # Safety
    ///
    /// As [`State::get_table`]: only in a body that runs under `lua_pcall`.
    unsafe fn call(&self, nargs: c_int, nresults: c_int) {
        // SAFETY: valid state; the function and its arguments are on the stack.
        unsafe { ffi::lua_call(self.l, nargs, nresults) }
    }

    /// True when the value at `idx` has a metatable.
    pub(crate) fn has_metatable(&self, idx: c_int) -> bool {
        // SAFETY: valid state; the metatable, if pushed, is popped again.
        unsafe {
            if ffi::lua_getmetatable(self.l, idx) != 0 {
                ffi::lua_settop(self.l, -2);
                true
            } else {
                false
            }
        }
    }

    /// Pushes `t[n]` raw and returns its type.
    pub(crate) fn raw_get_i(&self, idx: c_int, n: i64) -> c_int {
        // SAFETY: valid state; `idx` is a table.
        unsafe { ffi::lua_rawgeti(self.l, idx, n as ffi::lua_Integer) }
    }

    /// `t[k] = v` raw with `k`, `v` popped, `t` at `idx`.
    pub(crate) fn raw_set(&self, idx: c_int) {
        // SAFETY: valid state; `idx` is a table with two values above it.
        unsafe { ffi::lua_rawset(self.l, idx) }
    }

    /// Pushes a C function.
    pub(crate) fn push_function(&self, f: ffi::lua_CFunction) {
        // SAFETY: valid state.
        unsafe { ffi::lua_pushcfunction(self.l, f) }
    }

    /// `lua_pcall`; on failure the error value is left on top (see [`Raise::Value`]).
    pub(crate) fn pcall(&self, nargs: c_int, nresults: c_int) -> Result<(), Raise> {
        // SAFETY: valid state; the function and arguments were pushed by the caller.
        let rc = unsafe { ffi::lua_pcall(self.l, nargs, nresults, 0) };
        if rc == 0 {
            Ok(())
        } else {
            Err(Raise::Value)
        }
    }

    /// Loads a chunk of Lua source (not run).
    pub(crate) fn load(&self, code: &str, name: &CStr) -> Result<(), Raise> {
        // SAFETY: valid state; the buffer and name outlive the call.
        let rc = unsafe {
            ffi::luaL_loadbuffer(self.l, code.as_ptr().cast(), code.len(), name.as_ptr())
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(Raise::Value)
        }
    }
}

/// Runs `f`, which may make a descriptor. If the process has none left and this is the
/// body's first run, asks the C function's shim ([`Raise::Collect`]) for a full garbage
/// collection, which closes the sockets Lua code dropped without `close`, and for one more
/// run of the whole body. C LuaSocket has no such retry; ours has it because a socket's
/// kernel side costs more than the collector can see. Use it with `?`, before anything
/// the body must not do twice.
pub(crate) fn with_descriptor<T>(
    s: &State,
    f: impl FnOnce() -> Result<T, luasocket_io::Error>,
) -> Result<Result<T, luasocket_io::Error>, Raise> {
    match f() {
        Err(e) if luasocket_net::out_of_descriptors(&e) && !s.retried() => Err(Raise::Collect),
        other => Ok(other),
    }
}

lua_fn!(index_fn, index_body);
/// `v[k]` with metamethods; runs only under pcall ([`State::index_protected`]).
fn index_body(s: &State) -> Ret {
    s.set_top(2);
    // SAFETY: this body runs under lua_pcall and holds no Rust values that need dropping.
    unsafe { s.get_table(1) };
    Ok(1)
}

lua_fn!(method_fn, method_body);
/// `v:name()` if `v.name` is not nil, else nil; runs only under pcall
/// ([`State::method_protected`]).
fn method_body(s: &State) -> Ret {
    s.set_top(2);
    s.push_value(2);
    // SAFETY: as in `index_body`.
    unsafe { s.get_table(1) };
    if s.is_none_or_nil(-1) {
        return Ok(1);
    }
    s.push_value(1);
    // SAFETY: as in `index_body`.
    unsafe { s.call(1, 1) };
    Ok(1)
}

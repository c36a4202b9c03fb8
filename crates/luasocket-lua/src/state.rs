//! A thin, checked layer over the Lua C API (`mlua::ffi`): argument checks that return
//! errors instead of jumping, pushes, tables, and the one place errors are raised.
//!
//! Lua raises errors with `longjmp` (or, on LuaJIT, its own unwinder). No Rust value that
//! needs dropping may be alive when that happens, so method bodies return
//! `Result<c_int, Raise>` and [`finish`] raises only after every Rust value is gone.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

use mlua::ffi::{self, lua_State};

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
    /// more (see `crate::core::with_descriptor`).
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

/// Returns the result count, or raises the error. Every Rust value of the body is gone by
/// the time the error unwinds.
///
/// # Safety
///
/// `l` must be the state of the running C function.
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
        match body(&s) {
            Err(Raise::Collect) => {
                s.set_top(top);
                s.collect_garbage();
                let again = State { l, retried: true };
                body(&again)
            }
            other => other,
        }
    };
    // SAFETY: `l` is valid and nothing is borrowed.
    unsafe { finish(l, result) }
}

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

/// The running C function's view of its Lua state.
pub(crate) struct State {
    l: *mut lua_State,
    /// True while the body runs again after a collection (`Raise::Collect`).
    retried: bool,
}

impl State {
    /// Wraps the state a C function was called with.
    ///
    /// # Safety
    ///
    /// `l` must be valid for as long as the `State` is used.
    pub(crate) unsafe fn from_raw(l: *mut lua_State) -> State {
        State { l, retried: false }
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
            Err(Raise::Arg(
                idx,
                "number has no integer representation".into(),
            ))
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
    pub(crate) fn set_functions(&self, funcs: &[crate::class::Method]) {
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

    /// Pushes `nil, message` and returns 2: LuaSocket's way of reporting a failure.
    pub(crate) fn push_fail(&self, err: &luasocket_io::Error) -> c_int {
        self.push_nil();
        self.push_error(err);
        2
    }

    /// Pushes `nil, word` and returns 2: a failure whose word comes from one of the word
    /// tables (`luasocket_io::Error::word`, `luasocket_proto::Error::word`).
    pub(crate) fn push_fail_word(&self, word: &str) -> c_int {
        self.push_nil();
        self.push_bytes(word.as_bytes());
        2
    }

    /// Pushes an error's message.
    pub(crate) fn push_error(&self, err: &luasocket_io::Error) {
        match err.word() {
            Some(w) => self.push_bytes(w.as_bytes()),
            None => self.push_bytes(err.to_string().as_bytes()),
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

    /// Pushes `t[name]` (with metamethods, as `lua_getfield`) and returns its type.
    pub(crate) fn get_field(&self, idx: c_int, name: &CStr) -> c_int {
        // SAFETY: valid state and index.
        unsafe { ffi::lua_getfield(self.l, idx, name.as_ptr()) }
    }

    /// `t[n] = pop()` raw, `t` at `idx`.
    pub(crate) fn raw_set_i(&self, idx: c_int, n: i64) {
        // SAFETY: valid state; `idx` is a table.
        unsafe { ffi::lua_rawseti(self.l, idx, n as ffi::lua_Integer) }
    }

    /// `lua_gettable`: replaces the key on top with `t[key]`, metamethods included.
    /// A metamethod may raise: only call this where no Rust value needs dropping (inside
    /// a function run under pcall, or with plain data only).
    pub(crate) fn get_table(&self, idx: c_int) {
        // SAFETY: valid state; see the note on raising above.
        unsafe {
            ffi::lua_gettable(self.l, idx);
        }
    }

    /// `lua_call`, unprotected: the same caveat as [`State::get_table`].
    pub(crate) fn call(&self, nargs: c_int, nresults: c_int) {
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

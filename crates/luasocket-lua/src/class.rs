//! LuaSocket's object model on raw userdata: one metatable per class, created in the
//! registry under the class name, whose `__index` is a plain table of methods plus `class`;
//! group tags (`tcp{any}`) as keys of those metatables; metatable swaps on state changes.
//!
//! mlua's `UserData` cannot do this (it fixes `__metatable` and owns `__gc`), so objects are
//! plain full userdata holding a tagged Rust value. A value is only handed out when the
//! userdata has the right size and tag, so a foreign or already collected object is a
//! Lua error, never undefined behaviour.

use std::ffi::CStr;
use std::mem::size_of;
use std::os::raw::c_int;
use std::ptr;

use mlua::ffi;

use crate::state::{Raise, State};

/// A Rust type stored in a LuaSocket object.
pub(crate) trait Class: Sized {
    /// A tag that tells this type's userdata apart from any other.
    const TAG: u64;
}

/// The layout of the userdata block. `tag` is zeroed once the value is dropped.
#[repr(C)]
struct Cell<T> {
    tag: u64,
    value: T,
}

/// One entry of a class's method table.
pub(crate) type Method = (&'static CStr, ffi::lua_CFunction);

/// Creates (or refreshes) the class `name` in the registry: its methods in `__index`
/// with `class = name`, the entries whose names start with `__` in the metatable itself.
pub(crate) fn new_class(s: &State, name: &CStr, methods: &[Method]) {
    let l = s.raw();
    // SAFETY: valid state; every push below is balanced before returning.
    unsafe {
        ffi::luaL_newmetatable(l, name.as_ptr());
        s.push_bytes(name.to_bytes());
        s.set_field(-2, c"__name");
        s.new_table(0, methods.len() as c_int);
        s.push_bytes(name.to_bytes());
        s.set_field(-2, c"class");
        for (method, f) in methods {
            s.push_function(*f);
            if method.to_bytes().starts_with(b"__") {
                s.set_field(-3, method);
            } else {
                s.set_field(-2, method);
            }
        }
        s.set_field(-2, c"__index");
        s.pop(1);
    }
}

/// Tags class `name` as a member of `group`.
pub(crate) fn add_to_group(s: &State, name: &CStr, group: &CStr) {
    push_metatable(s, name);
    s.push_bool(true);
    s.set_field(-2, group);
    s.pop(1);
}

fn push_metatable(s: &State, name: &CStr) {
    // SAFETY: valid state.
    unsafe {
        ffi::lua_getfield(s.raw(), ffi::LUA_REGISTRYINDEX, name.as_ptr());
    }
}

/// Sets the class of the object at `idx` (a metatable swap).
pub(crate) fn set_class(s: &State, idx: c_int, name: &CStr) {
    let l = s.raw();
    // SAFETY: valid state; the metatable is pushed and then consumed.
    unsafe {
        let idx = ffi::lua_absindex(l, idx);
        push_metatable(s, name);
        ffi::lua_setmetatable(l, idx);
    }
}

/// Pushes a new object of class `name` holding `value`, and returns the value's place.
pub(crate) fn push_new<T: Class>(s: &State, value: T, name: &CStr) -> *mut T {
    let l = s.raw();
    // SAFETY: lua_newuserdata returns a block of the requested size, aligned for any C
    // type (LUAI_MAXALIGN), which covers Cell<T> for the types stored here; it is written
    // before any other Lua call can see it.
    unsafe {
        let cell = ffi::lua_newuserdata(l, size_of::<Cell<T>>()).cast::<Cell<T>>();
        debug_assert!(cell.align_offset(std::mem::align_of::<Cell<T>>()) == 0);
        ptr::write(cell, Cell { tag: T::TAG, value });
        set_class(s, -1, name);
        ptr::addr_of_mut!((*cell).value)
    }
}

/// The value inside the userdata at `idx`, when it is one of ours of type `T` and alive.
fn value_at<T: Class>(s: &State, idx: c_int) -> Option<*mut T> {
    let l = s.raw();
    // SAFETY: the block is only read as Cell<T> after its size matched, and its tag is
    // read first; a matching tag means we wrote it (tags are 64-bit constants).
    unsafe {
        if ffi::lua_type(l, idx) != ffi::LUA_TUSERDATA
            || ffi::lua_rawlen(l, idx) != size_of::<Cell<T>>()
        {
            return None;
        }
        let cell = ffi::lua_touserdata(l, idx).cast::<Cell<T>>();
        if cell.is_null() || ptr::read(ptr::addr_of!((*cell).tag)) != T::TAG {
            return None;
        }
        Some(ptr::addr_of_mut!((*cell).value))
    }
}

/// The value of type `T` inside the object at `idx`, whatever its class, for reading.
pub(crate) fn peek<T: Class>(s: &State, idx: c_int) -> Option<&T> {
    // SAFETY: as in `check`: a live T inside a userdata on the stack.
    value_at::<T>(s, idx).map(|v| unsafe { &*v })
}

/// True when the metatable of `idx` is the registry's `name` (exact class) or has the key
/// `name` (group).
fn has_class(s: &State, idx: c_int, name: &CStr, group: bool) -> bool {
    let l = s.raw();
    // SAFETY: valid state; the stack is restored before returning.
    unsafe {
        if ffi::lua_getmetatable(l, idx) == 0 {
            return false;
        }
        let found = if group {
            ffi::lua_getfield(l, -1, name.as_ptr());
            ffi::lua_type(l, -1) > ffi::LUA_TNIL
        } else {
            push_metatable(s, name);
            ffi::lua_rawequal(l, -1, -2) != 0
        };
        ffi::lua_settop(l, -3);
        found
    }
}

/// LuaSocket's `auxiliar_checkclass`: the object at `idx` must be of class `name`.
#[allow(clippy::mut_from_ref)]
pub(crate) fn check_class<'a, T: Class>(
    s: &'a State,
    idx: c_int,
    name: &CStr,
) -> Result<&'a mut T, Raise> {
    check(s, idx, name, false)
}

/// LuaSocket's `auxiliar_checkgroup`: the object at `idx` must belong to group `name`.
#[allow(clippy::mut_from_ref)]
pub(crate) fn check_group<'a, T: Class>(
    s: &'a State,
    idx: c_int,
    name: &CStr,
) -> Result<&'a mut T, Raise> {
    check(s, idx, name, true)
}

// The value lives in Lua-owned userdata memory, not inside `State`; one reference is
// taken per object and call (see the SAFETY note below).
#[allow(clippy::mut_from_ref)]
fn check<'a, T: Class>(
    s: &'a State,
    idx: c_int,
    name: &CStr,
    group: bool,
) -> Result<&'a mut T, Raise> {
    match value_at::<T>(s, idx) {
        // SAFETY: the pointer is to a live value of type T inside a userdata that is on
        // the stack (so not collected) for as long as the State borrow; each method takes
        // one such reference at a time.
        Some(v) if has_class(s, idx, name, group) => Ok(unsafe { &mut *v }),
        // C LuaSocket's words exactly, with nothing appended: callers compare them.
        _ => Err(Raise::Arg(
            idx,
            format!("{} expected", name.to_string_lossy()),
        )),
    }
}

/// The class of the object at `idx` (`__index.class`), else its type name.
fn class_name(s: &State, idx: c_int) -> String {
    let l = s.raw();
    // SAFETY: valid state; the stack is restored before returning.
    unsafe {
        let top = ffi::lua_gettop(l);
        let mut name = None;
        if ffi::lua_getmetatable(l, idx) != 0 {
            ffi::lua_getfield(l, -1, c"__index".as_ptr());
            if ffi::lua_type(l, -1) == ffi::LUA_TTABLE {
                ffi::lua_getfield(l, -1, c"class".as_ptr());
                if ffi::lua_type(l, -1) == ffi::LUA_TSTRING {
                    name = s
                        .to_bytes(-1)
                        .map(|b| String::from_utf8_lossy(b).into_owned());
                }
            }
        }
        ffi::lua_settop(l, top);
        name.unwrap_or_else(|| s.type_name(idx))
    }
}

/// `__gc`: drops the value once and marks the object dead.
pub(crate) fn collect<T: Class>(s: &State, idx: c_int) {
    if let Some(v) = value_at::<T>(s, idx) {
        // SAFETY: the value is alive (tag checked); the tag is cleared right after, so it
        // is never dropped or handed out again.
        unsafe {
            ptr::drop_in_place(v);
            let cell = ffi::lua_touserdata(s.raw(), idx).cast::<Cell<T>>();
            ptr::write(ptr::addr_of_mut!((*cell).tag), 0);
        }
    }
}

/// `__tostring`: `"<class>: 0x<address>"`, the class read from `__index.class`.
pub(crate) fn tostring(s: &State) -> crate::state::Ret {
    let l = s.raw();
    // SAFETY: valid state; lua_touserdata only reads the address.
    let ptr = unsafe { ffi::lua_touserdata(l, 1) };
    let t = s.type_of(1);
    if t != ffi::LUA_TUSERDATA {
        return Err(Raise::Msg("invalid object passed to '__tostring'".into()));
    }
    let name = class_name(s, 1);
    s.push_bytes(format!("{name}: {ptr:p}").as_bytes());
    Ok(1)
}

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
use std::os::raw::{c_char, c_int};
use std::ptr;

use mlua::ffi;

use crate::state::{lua_fn, Raise, Ret, State};
use crate::words::Word;

/// A Rust type stored in a LuaSocket object.
pub(crate) trait Class: Sized {
    /// A tag that tells this type's userdata apart from any other.
    const TAG: u64;
}

/// The layout of the userdata block. `tag` is zeroed once the value is dropped.
///
/// `class` remembers the class name (its address) that the object was last given by
/// [`set_class`] or found to have by a full check, and `group` the last group name found
/// in that class's metatable. A check that asks for the remembered name takes the object
/// without reading its metatable, which is most of the cost of a method call. The
/// metatable stays the truth: any other name, or a metatable swapped by [`set_class`]
/// (which forgets the group), goes through the full check. Only a swap made from Lua
/// (`debug.setmetatable`) to a class with its own methods is not seen by a call that
/// names the old class or group directly, one that no method table of the new class
/// leads to.
#[repr(C)]
struct Cell<T> {
    tag: u64,
    class: *const c_char,
    group: *const c_char,
    value: T,
}

pub(crate) use crate::state::Method;

/// What `socket.select` needs of an object: its descriptor (`None` once closed) and
/// whether it holds received data not yet read (LuaSocket's `dirty`).
pub(crate) type Readiness = Option<(luasocket_net::RawFd, bool)>;

/// A class whose objects `socket.select` accepts without calling their Lua methods.
pub(crate) trait Selectable: Class {
    /// The object's descriptor and dirtiness.
    fn readiness(&self) -> Readiness;
}

/// Reads the readiness of a userdata block (its address and length) if it is a `T`.
type Probe = unsafe fn(*mut u8, usize) -> Option<Readiness>;

/// A selectable class: its tag and its probe.
#[derive(Clone, Copy)]
struct Registered {
    tag: u64,
    probe: Probe,
}

/// The selectable classes, registered by the modules that open them, so `select` reads
/// our objects directly without knowing (or importing) each class.
static PROBES: std::sync::RwLock<Vec<Registered>> = std::sync::RwLock::new(Vec::new());

/// # Safety
///
/// `block` is the address of a live userdata block of `len` bytes.
unsafe fn probe<T: Selectable>(block: *mut u8, len: usize) -> Option<Readiness> {
    if len != size_of::<Cell<T>>() {
        return None;
    }
    let cell = block.cast::<Cell<T>>();
    // SAFETY: the block is a Cell<T> by size; its tag is read first, and a match means
    // we wrote it (as in `value_at`).
    unsafe {
        if ptr::read(ptr::addr_of!((*cell).tag)) != T::TAG {
            return None;
        }
        Some((*ptr::addr_of!((*cell).value)).readiness())
    }
}

/// Makes objects of class `T` known to [`probes`]; registering twice is harmless.
pub(crate) fn register_selectable<T: Selectable>() {
    let mut registered = PROBES
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !registered.iter().any(|r| r.tag == T::TAG) {
        debug_assert!(
            registered.len() < MAX_PROBES,
            "more selectable classes than MAX_PROBES"
        );
        registered.push(Registered {
            tag: T::TAG,
            probe: probe::<T>,
        });
    }
}

/// The most selectable classes there can be (tcp, udp, unix stream and datagram, serial).
const MAX_PROBES: usize = 8;

/// A copy of the selectable classes registered so far, taken once per `select` call. It
/// is a copy, not a lock held across the call: select runs foreign `getfd` methods, which
/// may load a module that registers a class.
pub(crate) struct Probes([Option<Registered>; MAX_PROBES]);

/// Takes the list of selectable classes for one `select` call.
pub(crate) fn probes() -> Probes {
    let registered = PROBES
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut copy = [None; MAX_PROBES];
    for (slot, r) in copy.iter_mut().zip(registered.iter()) {
        *slot = Some(*r);
    }
    Probes(copy)
}

impl Probes {
    /// The readiness of the object at `idx` when it is one of our selectable objects,
    /// else `None` (select then asks the object's own `getfd` and `dirty`). The block's
    /// tag picks the one probe to ask.
    pub(crate) fn readiness(&self, s: &State, idx: c_int) -> Option<Readiness> {
        let l = s.raw();
        // SAFETY: the block is only read after its type and length are checked: a
        // userdata of at least 8 bytes, whose first 8 are read as a tag (any bytes are a
        // valid u64; an unaligned read, since a foreign block's alignment is unknown).
        unsafe {
            if ffi::lua_type(l, idx) != ffi::LUA_TUSERDATA {
                return None;
            }
            let len = ffi::lua_rawlen(l, idx);
            let block = ffi::lua_touserdata(l, idx).cast::<u8>();
            if block.is_null() || len < size_of::<u64>() {
                return None;
            }
            let tag = ptr::read_unaligned(block.cast::<u64>());
            let found = self.0.iter().map_while(|r| *r).find(|r| r.tag == tag)?;
            (found.probe)(block, len)
        }
    }
}

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

/// Pushes the `__index` table (the methods) of class `name`.
#[cfg(feature = "tls")]
pub(crate) fn push_methods(s: &State, name: &CStr) {
    push_metatable(s, name);
    s.raw_field(-1, c"__index");
    // SAFETY: valid state; drops the metatable under the methods.
    unsafe { ffi::lua_remove(s.raw(), -2) };
}

fn push_metatable(s: &State, name: &CStr) {
    // SAFETY: valid state.
    unsafe {
        ffi::lua_getfield(s.raw(), ffi::LUA_REGISTRYINDEX, name.as_ptr());
    }
}

/// Sets the class of the object at `idx`, one of ours holding a `T` (a metatable swap).
pub(crate) fn set_class<T: Class>(s: &State, idx: c_int, name: &CStr) {
    let l = s.raw();
    // SAFETY: valid state; the metatable is pushed and then consumed.
    unsafe {
        let idx = ffi::lua_absindex(l, idx);
        push_metatable(s, name);
        ffi::lua_setmetatable(l, idx);
    }
    if let Some(cell) = cell_at::<T>(s, idx) {
        // SAFETY: a live Cell<T> (tag checked); the header fields are written through the
        // block's pointer, not through a reference to the value (which a caller may hold).
        unsafe {
            ptr::write(ptr::addr_of_mut!((*cell).class), name.as_ptr());
            ptr::write(ptr::addr_of_mut!((*cell).group), ptr::null());
        }
    }
}

/// Whether the object at `idx`, the live `cell`, is of class `name`, or of group `name`:
/// the remembered class (or group) answers a check for the same name; otherwise the
/// metatable does, and a match is remembered.
fn is_class<T: Class>(s: &State, cell: *mut Cell<T>, idx: c_int, name: &CStr, group: bool) -> bool {
    // SAFETY: `cell` is a live Cell<T> on the stack; only its header fields are touched.
    unsafe {
        let known = if group {
            ptr::addr_of_mut!((*cell).group)
        } else {
            ptr::addr_of_mut!((*cell).class)
        };
        if ptr::read(known) == name.as_ptr() {
            return true;
        }
        let found = has_class(s, idx, name, group);
        if found {
            ptr::write(known, name.as_ptr());
        }
        found
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
        ptr::write(
            cell,
            Cell {
                tag: T::TAG,
                class: ptr::null(),
                group: ptr::null(),
                value,
            },
        );
        set_class::<T>(s, -1, name);
        ptr::addr_of_mut!((*cell).value)
    }
}

/// The block of the userdata at `idx`, when it is one of ours holding a live `T`.
fn cell_at<T: Class>(s: &State, idx: c_int) -> Option<*mut Cell<T>> {
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
        Some(cell)
    }
}

/// The value inside the userdata at `idx`, when it is one of ours of type `T` and alive.
fn value_at<T: Class>(s: &State, idx: c_int) -> Option<*mut T> {
    // SAFETY: a live Cell<T>; the pointer is to its value field.
    cell_at::<T>(s, idx).map(|cell| unsafe { ptr::addr_of_mut!((*cell).value) })
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

/// The object at `idx` when it is of class `name` and not borrowed yet, else `None` (no
/// error): for fast paths that fall back to the general one.
#[allow(clippy::mut_from_ref)]
pub(crate) fn probe_class<'a, T: Class>(
    s: &'a State,
    idx: c_int,
    name: &CStr,
) -> Option<&'a mut T> {
    find(s, idx, name, false).ok()
}

/// The object at `idx` must hold a `T`, whatever its metatable: for the decoders of the
/// protocol modules, which have one class each and no metatable swaps, the tag alone
/// (a 64-bit constant and the block's size) proves the type, and the registry lookup
/// of a class check is saved on their per-line calls.
#[allow(clippy::mut_from_ref)]
pub(crate) fn check_object<'a, T: Class>(
    s: &'a State,
    idx: c_int,
    name: &CStr,
) -> Result<&'a mut T, Raise> {
    match value_at::<T>(s, idx) {
        Some(v) => {
            if !s.hold(v as usize) {
                return Err(Raise::Arg(idx, Word::AlreadyBorrowed.into()));
            }
            // SAFETY: as in `check`: a live T in a userdata on the stack, not yet
            // borrowed by this call.
            Ok(unsafe { &mut *v })
        }
        None => Err(Raise::Arg(
            idx,
            format!("{} expected", name.to_string_lossy()),
        )),
    }
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

/// [`find`], with a miss raised as C LuaSocket's argument error.
#[allow(clippy::mut_from_ref)]
fn check<'a, T: Class>(
    s: &'a State,
    idx: c_int,
    name: &CStr,
    group: bool,
) -> Result<&'a mut T, Raise> {
    find(s, idx, name, group).map_err(|miss| match miss {
        Miss::Borrowed => Raise::Arg(idx, Word::AlreadyBorrowed.into()),
        // C LuaSocket's words exactly, with nothing appended: callers compare them.
        Miss::Other => Raise::Arg(idx, format!("{} expected", name.to_string_lossy())),
    })
}

/// Why [`find`] gave no object.
enum Miss {
    /// Not one of ours holding a live `T` of that class or group.
    Other,
    /// Already taken by this call (`a:m(a)`).
    Borrowed,
}

/// The object at `idx` when it holds a live `T` of class (or group) `name` that this
/// call has not taken yet. The value lives in Lua-owned userdata memory, not inside
/// `State`; one reference is taken per object and call (see the SAFETY note below).
#[allow(clippy::mut_from_ref)]
fn find<'a, T: Class>(
    s: &'a State,
    idx: c_int,
    name: &CStr,
    group: bool,
) -> Result<&'a mut T, Miss> {
    let cell = cell_at::<T>(s, idx).ok_or(Miss::Other)?;
    if !is_class(s, cell, idx, name, group) {
        return Err(Miss::Other);
    }
    // SAFETY: a live Cell<T>; the pointer is to its value field.
    let v = unsafe { ptr::addr_of_mut!((*cell).value) };
    // The same object passed twice (`a:m(a)`) would give two `&mut` to one value.
    if !s.hold(v as usize) {
        return Err(Miss::Borrowed);
    }
    // SAFETY: the pointer is to a live value of type T inside a userdata that is on the
    // stack (so not collected) for as long as the State borrow, and `State::hold` has
    // checked that this call holds no other reference to it.
    Ok(unsafe { &mut *v })
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

lua_fn!(meth_gc<T: Class>, collect_body);
/// `__gc` of every class: drops the value once and marks the object dead.
fn collect_body<T: Class>(s: &State) -> Ret {
    collect::<T>(s, 1);
    Ok(0)
}

/// Drops the value of the object at `idx` once and marks the object dead.
fn collect<T: Class>(s: &State, idx: c_int) {
    if let Some(cell) = cell_at::<T>(s, idx) {
        // SAFETY: the value is alive (tag checked); the tag is cleared right after, so it
        // is never dropped or handed out again.
        unsafe {
            ptr::drop_in_place(ptr::addr_of_mut!((*cell).value));
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
        return Err(Raise::Msg(Word::InvalidTostringObject.into()));
    }
    let name = class_name(s, 1);
    s.push_bytes(format!("{name}: {ptr:p}").as_bytes());
    Ok(1)
}

#[cfg(test)]
mod tests {
    //! The object model on the vendored Lua: wrong classes, collected objects, aliasing,
    //! protected field reads and stack room, seen from Lua code as callers see them.

    use mlua::{Lua, Value};

    use super::*;
    use crate::state::{lua_fn, Ret};

    const PROBE: &CStr = c"test{probe}";

    struct Probe(i64);

    impl Class for Probe {
        const TAG: u64 = 0x4c53_5f54_4553_0001;
    }

    lua_fn!(new_probe, new_probe_body);
    fn new_probe_body(s: &State) -> Ret {
        push_new(s, Probe(0), PROBE);
        Ok(1)
    }

    lua_fn!(bump, bump_body);
    fn bump_body(s: &State) -> Ret {
        let p = check_class::<Probe>(s, 1, PROBE)?;
        p.0 += 1;
        s.push_integer(p.0);
        Ok(1)
    }

    lua_fn!(pair, pair_body);
    fn pair_body(s: &State) -> Ret {
        let a = check_class::<Probe>(s, 1, PROBE)?;
        let b = check_class::<Probe>(s, 2, PROBE)?;
        a.0 += 10;
        b.0 += 20;
        s.push_integer(a.0 + b.0);
        Ok(1)
    }

    lua_fn!(gc, gc_body);
    fn gc_body(s: &State) -> Ret {
        collect::<Probe>(s, 1);
        Ok(0)
    }

    lua_fn!(field_of, field_body);
    fn field_body(s: &State) -> Ret {
        let before = s.top();
        let kind = s.field(1, c"x")?;
        assert_eq!(s.top(), before + 1, "field pushes exactly one value");
        s.push_integer(i64::from(kind));
        Ok(2)
    }

    lua_fn!(deep, deep_body);
    /// Asks for room for more values than Lua's minimum, pushes them, returns them all.
    fn deep_body(s: &State) -> Ret {
        s.room(200)?;
        let before = s.top();
        for i in 0..200 {
            s.push_integer(i);
        }
        Ok(s.top() - before)
    }

    fn lua() -> Lua {
        let lua = Lua::new();
        let funcs: [(&str, ffi::lua_CFunction); 6] = [
            ("new", new_probe),
            ("bump", bump),
            ("pair", pair),
            ("gc", gc),
            ("field", field_of),
            ("deep", deep),
        ];
        for (name, f) in funcs {
            // SAFETY: each is a lua_CFunction made by `lua_fn!`.
            #[allow(unsafe_code)]
            let f = unsafe { lua.create_c_function(f) }.unwrap();
            lua.globals().set(name, f).unwrap();
        }
        // Classes live in the registry; make this one once per state.
        let setup: ffi::lua_CFunction = {
            lua_fn!(setup, setup_body);
            fn setup_body(s: &State) -> Ret {
                new_class(s, PROBE, &[(c"__gc", gc)]);
                Ok(0)
            }
            setup
        };
        #[allow(unsafe_code)]
        // SAFETY: as above.
        let setup = unsafe { lua.create_c_function(setup) }.unwrap();
        setup.call::<()>(()).unwrap();
        lua
    }

    fn error_of(lua: &Lua, code: &str) -> String {
        match lua.load(code).exec() {
            Ok(()) => panic!("{code}: no error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn objects_work_and_keep_state() {
        let lua = lua();
        let n: i64 = lua
            .load("local p = new(); bump(p); return bump(p)")
            .eval()
            .unwrap();
        assert_eq!(n, 2);
        let name: String = lua
            .load("return getmetatable(new()).__index.class")
            .eval()
            .unwrap();
        assert_eq!(name, "test{probe}");
    }

    #[test]
    fn wrong_class_is_an_argument_error() {
        let lua = lua();
        for arg in [
            "{}",
            "io.stdout",
            "nil",
            "42",
            "setmetatable({}, getmetatable(new()))",
        ] {
            let e = error_of(&lua, &format!("bump({arg})"));
            assert!(e.contains("bad argument #1"), "{arg}: {e}");
            assert!(e.contains("test{probe} expected"), "{arg}: {e}");
        }
    }

    #[test]
    fn a_collected_object_is_refused() {
        let lua = lua();
        let e = error_of(&lua, "local p = new(); gc(p); bump(p)");
        assert!(e.contains("test{probe} expected"), "{e}");
        // Collecting twice drops once.
        lua.load("local p = new(); gc(p); gc(p)").exec().unwrap();
    }

    #[test]
    fn one_object_is_never_borrowed_twice() {
        let lua = lua();
        let e = error_of(&lua, "local p = new(); pair(p, p)");
        assert!(e.contains("bad argument #2"), "{e}");
        assert!(e.contains(Word::AlreadyBorrowed.text()), "{e}");
        let n: i64 = lua.load("return pair(new(), new())").eval().unwrap();
        assert_eq!(n, 30);
    }

    #[test]
    fn field_reads_are_protected_and_balanced() {
        let lua = lua();
        let (v, kind): (i64, i64) = lua.load("return field({x = 7})").eval().unwrap();
        assert_eq!((v, kind), (7, i64::from(ffi::LUA_TNUMBER)));
        let (v, _): (i64, i64) = lua
            .load("return field(setmetatable({}, {__index = function() return 9 end}))")
            .eval()
            .unwrap();
        assert_eq!(v, 9);
        let e = error_of(
            &lua,
            "field(setmetatable({}, {__index = function() error('boom') end}))",
        );
        assert!(e.contains("boom"), "{e}");
        // The state is usable afterwards.
        let n: i64 = lua.load("return bump(new())").eval().unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn bodies_get_the_stack_room_they_are_promised() {
        let lua = lua();
        let count: i64 = lua.load("return select('#', deep())").eval().unwrap();
        assert_eq!(count, 200);
        // Deep Lua recursion first leaves little room; `call` makes more or refuses.
        let v: Value = lua
            .load("local function r(n) if n == 0 then return select('#', deep()) end return r(n - 1) end return r(150)")
            .eval()
            .unwrap();
        assert_eq!(v.as_i64(), Some(200));
    }
}

//! `luasocket`: a Lua interpreter with LuaSocket built in.
//!
//! ```text
//! luasocket [--bare] [-e chunk]... [script [args...]]
//! ```
//!
//! Runs `script` like `lua` does (the `arg` table, `...` as the arguments, exit status 1
//! with the error and traceback on failure). Every module of the library is preloaded;
//! `--bare` leaves them out, so `require` finds them through `LUA_PATH`/`LUA_CPATH` (the
//! test suite uses that to load `dist/` builds into a Lua that needs no system install).

use std::ffi::OsString;
use std::process::ExitCode;

use mlua::{Lua, MultiValue, Value};

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let program = args.remove(0);
    let mut bare = false;
    let mut chunks = Vec::new();
    while let Some(first) = args.first() {
        match first.to_str() {
            Some("--bare") => {
                bare = true;
                args.remove(0);
            }
            Some("-e") if args.len() > 1 => {
                args.remove(0);
                chunks.push(args.remove(0));
            }
            Some("--") => {
                args.remove(0);
                break;
            }
            Some("-h" | "--help") => {
                eprintln!("usage: luasocket [--bare] [-e chunk]... [script [args...]]");
                return ExitCode::SUCCESS;
            }
            _ => break,
        }
    }
    // SAFETY: an interpreter for trusted scripts needs the full standard library, including
    // loading C modules and the debug library, as the stock `lua` has.
    let lua = unsafe { Lua::unsafe_new() };
    match run(&lua, bare, &program, &chunks, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {}", program.to_string_lossy(), e);
            ExitCode::FAILURE
        }
    }
}

fn run(
    lua: &Lua,
    bare: bool,
    program: &OsString,
    chunks: &[OsString],
    args: &[OsString],
) -> mlua::Result<()> {
    if !bare {
        // What loading C LuaSocket into a stock `lua` does to the process.
        luasocket_lua::ignore_sigpipe();
        luasocket_lua::preload(lua)?;
    }
    let arg = lua.create_table()?;
    arg.raw_set(-1, lua.create_string(program.as_encoded_bytes())?)?;
    for (i, a) in args.iter().enumerate() {
        arg.raw_set(i as i64, lua.create_string(a.as_encoded_bytes())?)?;
    }
    lua.globals().set("arg", arg)?;
    for chunk in chunks {
        lua.load(chunk.as_encoded_bytes())
            .set_name("=(command line)")
            .exec()?;
    }
    let Some(script) = args.first() else {
        return Ok(());
    };
    let code = std::fs::read(script).map_err(|e| {
        mlua::Error::runtime(format!("cannot open {}: {e}", script.to_string_lossy()))
    })?;
    let code = strip_shebang(&code);
    let mut varargs = MultiValue::new();
    for a in &args[1..] {
        varargs.push_back(Value::String(lua.create_string(a.as_encoded_bytes())?));
    }
    lua.load(code)
        .set_name(format!("@{}", script.to_string_lossy()))
        .call::<()>(varargs)
}

/// A first line starting with `#` is skipped, as `lua` does.
fn strip_shebang(code: &[u8]) -> &[u8] {
    if code.first() == Some(&b'#') {
        // Keep the newline so line numbers stay right.
        let end = code.iter().position(|&b| b == b'\n').unwrap_or(code.len());
        &code[end..]
    } else {
        code
    }
}

//! `luasocket`: a Lua interpreter with LuaSocket built in, that behaves like `lua`.
//!
//! ```text
//! luasocket [options] [script [args]]
//!   -e stat   execute string 'stat'
//!   -i        enter interactive mode after executing 'script'
//!   -l mod    require library 'mod' into global 'mod' (-l g=mod: into global 'g')
//!   -v        show version information
//!   -E        ignore environment variables (LUA_INIT, LUA_PATH, LUA_CPATH)
//!   -W        turn warnings on (Lua 5.4 and later)
//!   --        stop handling options
//!   -         stop handling options and execute stdin
//!   --bare    do not preload the library (require finds it through LUA_PATH/LUA_CPATH)
//! ```
//!
//! As `lua.c` does: the options run in order, then the script (standard input when it is
//! `-`, or when there is no script and standard input is not a terminal); `arg` holds the
//! script at 0, its arguments from 1 and the interpreter and options at negative indices;
//! `LUA_INIT_5_x` or `LUA_INIT` runs first (`@file` runs a file); errors go to standard
//! error as `luasocket: message` with a traceback, and the exit status is 1. Every module
//! of the library is preloaded, and Debian's Lua search paths come after Lua's own, so
//! system rocks (LuaSec, copas) load too.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::ExitCode;

use mlua::{Function, Lua, LuaOptions, StdLib, Table, Value};

/// The steps of a command line, in Lua (see `runner.lua`).
const RUNNER: &str = include_str!("runner.lua");

const USAGE: &str = "usage: luasocket [options] [script [args]]
Available options are:
  -e stat   execute string 'stat'
  -i        enter interactive mode after executing 'script'
  -l mod    require library 'mod' into global 'mod'
  -l g=mod  require library 'mod' into global 'g'
  -v        show version information
  -E        ignore environment variables
  -W        turn warnings on
  --        stop handling options
  -         stop handling options and execute stdin
  --bare    do not preload the library";

/// One option that runs something, in command-line order.
enum Step {
    Exec(OsString),
    Library(OsString),
}

/// The parsed command line.
struct Command {
    steps: Vec<Step>,
    interactive: bool,
    version: bool,
    no_env: bool,
    warnings: bool,
    bare: bool,
    /// Index in `args` of the script (`-` for stdin), if any.
    script: Option<usize>,
}

/// Parses options as `lua.c`'s `collectargs` does.
fn parse(args: &[OsString]) -> Result<Command, String> {
    let mut c = Command {
        steps: Vec::new(),
        interactive: false,
        version: false,
        no_env: false,
        warnings: false,
        bare: false,
        script: None,
    };
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_encoded_bytes();
        if a.first() != Some(&b'-') {
            c.script = Some(i);
            return Ok(c);
        }
        match a {
            b"-" => {
                c.script = Some(i);
                return Ok(c);
            }
            b"--" => {
                if i + 1 < args.len() {
                    c.script = Some(i + 1);
                }
                return Ok(c);
            }
            b"--bare" => c.bare = true,
            b"-i" => {
                c.interactive = true;
                c.version = true;
            }
            b"-v" => c.version = true,
            b"-E" => c.no_env = true,
            b"-W" => c.warnings = true,
            _ if a.starts_with(b"-e") || a.starts_with(b"-l") => {
                let value = if a.len() > 2 {
                    OsString::from(String::from_utf8_lossy(&a[2..]).into_owned())
                } else {
                    i += 1;
                    match args.get(i) {
                        Some(v) if !v.as_encoded_bytes().starts_with(b"-") => v.clone(),
                        _ => {
                            return Err(format!("'{}' needs argument", String::from_utf8_lossy(a)))
                        }
                    }
                };
                c.steps.push(if a[1] == b'e' {
                    Step::Exec(value)
                } else {
                    Step::Library(value)
                });
            }
            _ => {
                return Err(format!(
                    "unrecognized option '{}'",
                    String::from_utf8_lossy(a)
                ))
            }
        }
        i += 1;
    }
    Ok(c)
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let progname = args
        .first()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "luasocket".into());
    let command = match parse(&args) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{progname}: {msg}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match run(&progname, &args, &command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{progname}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Sets up the state and runs the command line; `Ok(false)` when a step failed (it has
/// reported itself).
fn run(progname: &str, args: &[OsString], c: &Command) -> mlua::Result<bool> {
    // SAFETY: an interpreter for trusted scripts needs the whole standard library,
    // including loading C modules and the debug library, as the stock `lua` has.
    let lua = unsafe { Lua::unsafe_new_with(StdLib::NONE, LuaOptions::new()) };
    if c.no_env {
        // Lua's package library reads this before LUA_PATH/LUA_CPATH (5.2 and later).
        lua.set_named_registry_value("LUA_NOENV", true)?;
    }
    lua.load_std_libs(StdLib::ALL)?;
    add_system_paths(&lua)?;
    if !c.bare {
        // What loading C LuaSocket into a stock `lua` does to the process.
        luasocket_lua::ignore_sigpipe();
        luasocket_lua::preload(&lua)?;
    }
    lua.globals().set("arg", arg_table(&lua, args, c.script)?)?;
    let steps: Table = lua.load(RUNNER).set_name("=luasocket").call(progname)?;
    let step = |name: &str| steps.get::<Function>(name);

    if c.version {
        print_version(&lua)?;
    }
    if c.warnings {
        if let Ok(warn) = lua.globals().get::<Function>("warn") {
            warn.call::<()>("@on")?;
        }
    }
    if !c.no_env && !init(&lua, &step("string")?, &step("file")?)? {
        return Ok(false);
    }
    for s in &c.steps {
        let ok: bool = match s {
            Step::Exec(code) => step("string")?.call((
                lua.create_string(code.as_encoded_bytes())?,
                "=(command line)",
            ))?,
            Step::Library(spec) => {
                step("library")?.call(lua.create_string(spec.as_encoded_bytes())?)?
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    let stdin_is_tty = std::io::stdin().is_terminal();
    match c.script {
        Some(i) => {
            let name = &args[i];
            let file = if name == "-" && args.get(i - 1).is_none_or(|p| p != "--") {
                Value::Nil
            } else {
                Value::String(lua.create_string(name.as_encoded_bytes())?)
            };
            let mut call_args = vec![file];
            for a in &args[i + 1..] {
                call_args.push(Value::String(lua.create_string(a.as_encoded_bytes())?));
            }
            let ok: bool = step("script")?.call(mlua::MultiValue::from_vec(call_args))?;
            if !ok {
                return Ok(false);
            }
        }
        None if !c.version && !c.steps.iter().any(|s| matches!(s, Step::Exec(_))) => {
            if stdin_is_tty {
                print_version(&lua)?;
                return step("repl")?.call(());
            }
            return step("script")?.call(Value::Nil);
        }
        None => {}
    }
    if c.interactive {
        return step("repl")?.call(());
    }
    Ok(true)
}

/// `arg`: the script at 0, its arguments from 1, the interpreter and options below 0.
/// With no script, the interpreter is at 0 and the options follow it, as in `lua.c`.
fn arg_table(lua: &Lua, args: &[OsString], script: Option<usize>) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let zero = script.unwrap_or(0) as i64;
    for (i, a) in args.iter().enumerate() {
        t.raw_set(i as i64 - zero, lua.create_string(a.as_encoded_bytes())?)?;
    }
    Ok(t)
}

/// `lua -v`: the Lua version, and ours.
fn print_version(lua: &Lua) -> mlua::Result<()> {
    let version: String = lua.globals().get("_VERSION")?;
    let jit = lua
        .globals()
        .get::<Table>("jit")
        .and_then(|j| j.get::<String>("version"))
        .ok();
    println!(
        "{}  with LuaSocket 3.1.0 (luasocket-rs {})",
        jit.unwrap_or(version),
        env!("CARGO_PKG_VERSION")
    );
    Ok(())
}

/// `LUA_INIT_5_x`, else `LUA_INIT`: a chunk, or `@file`.
fn init(lua: &Lua, string: &Function, file: &Function) -> mlua::Result<bool> {
    let version: String = lua.globals().get("_VERSION")?;
    let versioned = format!(
        "LUA_INIT_{}",
        version.trim_start_matches("Lua ").replace('.', "_")
    );
    let (name, value) = match std::env::var_os(&versioned) {
        Some(v) => (versioned, v),
        None => match std::env::var_os("LUA_INIT") {
            Some(v) => ("LUA_INIT".to_string(), v),
            None => return Ok(true),
        },
    };
    let bytes = value.as_encoded_bytes();
    match bytes.strip_prefix(b"@") {
        Some(path) => file.call(lua.create_string(path)?),
        None => string.call((lua.create_string(bytes)?, format!("={name}"))),
    }
}

/// Appends Debian's Lua folders to `package.path` and `package.cpath`, after Lua's own,
/// so modules installed by Debian packages (LuaSec, copas, ...) load as in `lua5.x`.
fn add_system_paths(lua: &Lua) -> mlua::Result<()> {
    let version: String = lua.globals().get("_VERSION")?;
    let v = version.trim_start_matches("Lua ");
    let multiarch = format!("{}-linux-gnu", std::env::consts::ARCH);
    let package: Table = lua.globals().get("package")?;
    let path: String = package.get("path")?;
    let cpath: String = package.get("cpath")?;
    let extra_path = format!("/usr/share/lua/{v}/?.lua;/usr/share/lua/{v}/?/init.lua");
    let extra_cpath = format!("/usr/lib/{multiarch}/lua/{v}/?.so;/usr/lib/lua/{v}/?.so");
    if !path.contains(&extra_path) {
        package.set("path", format!("{path};{extra_path}"))?;
    }
    if !cpath.contains(&extra_cpath) {
        package.set("cpath", format!("{cpath};{extra_cpath}"))?;
    }
    Ok(())
}

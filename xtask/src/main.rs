//! `cargo xtask <task>`: the project's build and test tasks.
//!
//! - `dist [--abi NAME]...`: builds `socket/core.so` and `socket/ssl/core.so` once per Lua
//!   ABI (mlua module mode, each ABI with its own features, in its own cargo invocation;
//!   one shared target directory, so what does not depend on Lua is compiled once) and
//!   lays out `dist/<abi>/` as a flat tree usable as both the `LUA_PATH` and the
//!   `LUA_CPATH` root.
//! - `test`: `cargo test --workspace`, then the Lua specs (`tests/spec/*_spec.lua`) against
//!   `dist/` under every ABI (Lua 5.1 to 5.5 and LuaJIT) with interpreters built from
//!   vendored sources (so only the Rust toolchain is needed), and also under the system
//!   `lua5.1`, `lua5.4`, `luajit` (or any `lua5.x`) when they are installed.
//! - `specs --lua PATH --abi NAME [files]`: the spec runner alone, for one interpreter.
//! - `lint`: `cargo fmt --check`, `cargo clippy -D warnings`, and `luacheck` when present.
//! - `rock-build LUA`: the rockspec's build command; builds for the ABI of interpreter LUA
//!   and leaves the libraries at `target/rock/socket/core.so` and
//!   `target/rock/socket/ssl/core.so`.
//! - `release`: every artifact in `target/artifacts/` (see `release.rs`).
//! - `bench [--lua NAME]... [--secs S]`: `socket.poll` against `socket.select` and luv on
//!   thousands of connections (see `bench.rs`); prints rates and ratios.

mod bench;
mod release;

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Every Lua ABI the module is built for: (dist folder, mlua feature).
const ABIS: &[(&str, &str)] = &[
    ("lua5.1", "lua51"),
    ("lua5.2", "lua52"),
    ("lua5.3", "lua53"),
    ("lua5.4", "lua54"),
    ("lua5.5", "lua55"),
    ("luajit", "luajit"),
];

/// The cdylib: installed once, as `socket/core.so`. The other native names are Lua files
/// in `lua-modules/` that load it (it registers them in `package.preload`).
const CDYLIB: &str = "libluasocket_lua.so";

type Result<T = ()> = std::result::Result<T, String>;

/// The tasks, with their usage and what they do.
const TASKS: &[(&str, &str, &str)] = &[
    ("dist", "dist [--abi NAME]...", "build dist/<abi>/ (Lua modules and the one native library) for every ABI, or the ones named"),
    ("test", "test", "cargo test --workspace, then the Lua specs under every ABI (vendored and system interpreters)"),
    ("specs", "specs --lua PATH --abi NAME [SPEC.lua]...", "the Lua specs alone, under one interpreter, against dist/<NAME>/"),
    ("lint", "lint", "rustfmt --check, clippy -D warnings, luacheck"),
    ("rock-build", "rock-build LUA", "the rockspec's build command: build for the ABI of interpreter LUA into target/rock/"),
    ("bench", "bench [--lua NAME]... [--secs S]", "waiting on many connections: socket.poll against socket.select and luv (9,000 sockets with 10 active; 1,000 and 9,000 idle with a trickle), rates and ratios printed"),
    ("release", "release", "every artifact in target/artifacts/: tarballs, binary rocks and servers, the interpreter, SHA256SUMS"),
];

fn usage() -> String {
    let mut text = String::from(
        "usage: cargo xtask <task> [options]   (cargo xtask <task> --help)\n\ntasks:\n",
    );
    for (_, synopsis, what) in TASKS {
        text.push_str(&format!("  {synopsis}\n      {what}\n"));
    }
    text
}

/// Refuses options a task does not take: `allowed` lists the flags that take a value.
fn check_flags(task: &str, args: &[String], allowed: &[&str]) -> Result {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if allowed.contains(&a.as_str()) {
            if i + 1 >= args.len() {
                return Err(format!("{task}: {a} needs a value"));
            }
            i += 2;
            continue;
        }
        if a.starts_with('-') {
            return Err(format!("{task}: unknown option {a}\n{}", task_help(task)));
        }
        i += 1;
    }
    Ok(())
}

fn task_help(task: &str) -> String {
    TASKS
        .iter()
        .find(|(name, _, _)| *name == task)
        .map(|(_, synopsis, what)| format!("usage: cargo xtask {synopsis}\n  {what}"))
        .unwrap_or_else(usage)
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("");
    let rest = args.get(1..).unwrap_or(&[]);
    if matches!(task, "" | "-h" | "--help" | "help") {
        println!("{}", usage());
        return ExitCode::SUCCESS;
    }
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        println!("{}", task_help(task));
        return ExitCode::SUCCESS;
    }
    let no_args = |task: &str| -> Result {
        match rest.first() {
            None => Ok(()),
            Some(a) => Err(format!(
                "{task}: unexpected argument {a}\n{}",
                task_help(task)
            )),
        }
    };
    let result = match task {
        "dist" => check_flags(task, rest, &["--abi"]).and_then(|()| {
            if let Some(stray) = rest
                .iter()
                .enumerate()
                .find(|(i, a)| i % 2 == 0 && *a != "--abi")
            {
                return Err(format!("dist: unexpected argument {}", stray.1));
            }
            dist(&abi_args(rest))
        }),
        "test" => no_args(task).and_then(|()| test()),
        "specs" => check_flags(task, rest, &["--lua", "--abi"]).and_then(|()| specs_cmd(rest)),
        "lint" => no_args(task).and_then(|()| lint()),
        "rock-build" => check_flags(task, rest, &[]).and_then(|()| release::rock_build(rest)),
        "release" => no_args(task).and_then(|()| release::release()),
        "bench" => check_flags(task, rest, &["--lua", "--secs"]).and_then(|()| bench::bench(rest)),
        other => Err(format!("unknown task {other}\n{}", usage())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn abi_args(args: &[String]) -> Vec<String> {
    let picked: Vec<String> = args
        .windows(2)
        .filter(|w| w[0] == "--abi")
        .map(|w| w[1].clone())
        .collect();
    if picked.is_empty() {
        ABIS.iter().map(|(a, _)| a.to_string()).collect()
    } else {
        picked
    }
}

fn feature(abi: &str) -> Result<&'static str> {
    ABIS.iter()
        .find(|(a, _)| *a == abi)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            format!(
                "unknown ABI {abi}; known: {}",
                ABIS.iter().map(|a| a.0).collect::<Vec<_>>().join(" ")
            )
        })
}

fn run(cmd: &mut Command) -> Result {
    eprintln!("+ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}"))
    }
}

fn cargo() -> Command {
    let mut c = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

/// The native libraries of an ABI: `socket/core.so` (every module but TLS) and
/// `socket/ssl/core.so` (`socket.ssl.core`, on rustls; its own file so that the first
/// stays small and TLS is loaded only by those who use it).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Lib {
    /// `socket/core.so`.
    Core,
    /// `socket/ssl/core.so`.
    Ssl,
}

impl Lib {
    /// Both, in build order.
    pub(crate) const ALL: [Lib; 2] = [Lib::Core, Lib::Ssl];

    /// Where it goes in an install tree.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Lib::Core => "socket/core.so",
            Lib::Ssl => "socket/ssl/core.so",
        }
    }
}

/// Builds one native library for `abi` (stripped, release) and returns its path, which
/// the next build overwrites: copy it first. Every ABI and library shares one target
/// directory: Cargo keeps each feature set's artifacts apart, and what does not depend
/// on Lua (rustls, ring, socket2, ...) is compiled once instead of once per ABI.
fn build_lib(abi: &str, lib: Lib) -> Result<PathBuf> {
    let feat = feature(abi)?;
    let features = match lib {
        Lib::Core => format!("{feat},module"),
        Lib::Ssl => format!("{feat},module,tls"),
    };
    let target = root().join("target/abi");
    run(cargo()
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "luasocket-lua",
            "--lib",
            "--no-default-features",
        ])
        .args(["--features", &features])
        .arg("--target-dir")
        .arg(&target))?;
    Ok(target.join("release").join(CDYLIB))
}

/// Copies `from` to `to`, making `to`'s folder.
fn install_file(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to.parent().expect("files live in a folder"))
        .map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    fs::copy(from, to).map_err(|e| format!("cannot install {}: {e}", to.display()))?;
    Ok(())
}

/// Builds `dist/<abi>/` for each ABI: the Lua modules and the two native libraries.
fn dist(abis: &[String]) -> Result {
    let root = root();
    for abi in abis {
        let out = root.join("dist").join(abi);
        if out.exists() {
            fs::remove_dir_all(&out).map_err(|e| format!("cannot clean {}: {e}", out.display()))?;
        }
        copy_tree(&root.join("lua-modules"), &out)?;
        for lib in Lib::ALL {
            install_file(&build_lib(abi, lib)?, &out.join(lib.path()))?;
        }
        eprintln!("dist/{abi} ready");
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Builds the vendored interpreter for `abi` and returns its path (a copy per ABI: the
/// builds share one target directory, as `build_lib`'s do).
pub(crate) fn host(abi: &str) -> Result<PathBuf> {
    let feat = feature(abi)?;
    let target = root().join("target/host");
    run(cargo()
        .args([
            "build",
            "--quiet",
            "-p",
            "luasocket-cli",
            "--bin",
            "luasocket",
            "--no-default-features",
        ])
        .args(["--features", feat])
        .arg("--target-dir")
        .arg(&target))?;
    let copy = target.join(abi).join("luasocket");
    install_file(&target.join("debug/luasocket"), &copy)?;
    Ok(copy)
}

fn on_path(name: &str) -> Option<PathBuf> {
    env::var_os("PATH").and_then(|paths| {
        env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

fn spec_files() -> Result<Vec<PathBuf>> {
    let dir = root().join("tests/spec");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with("_spec.lua"))
        .collect();
    files.sort();
    Ok(files)
}

/// The shell words that run `interp` with `prefix`, quoted.
fn lua_command(interp: &Path, prefix: &[&str]) -> String {
    std::iter::once(interp.display().to_string())
        .chain(prefix.iter().map(|p| p.to_string()))
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What one spec run counted.
#[derive(Clone, Copy, Default)]
struct Counts {
    passed: u64,
    failed: u64,
    skipped: u64,
}

/// Runs the specs under one interpreter.
fn specs(interp: &Path, prefix: &[&str], abi: &str, files: &[PathBuf]) -> Result<Counts> {
    let root = root();
    let dist = root.join("dist").join(abi);
    let lua_path = format!(
        "{0}/?.lua;{1}/tests/lib/?.lua",
        dist.display(),
        root.display()
    );
    let lua_cpath = format!("{}/?.so", dist.display());
    let output = Command::new(interp)
        .args(prefix)
        .arg(root.join("tests/run.lua"))
        .args(files)
        .env("LUA_PATH", &lua_path)
        .env("LUA_CPATH", &lua_cpath)
        .env("LUASOCKET_DIST", &dist)
        // How a spec starts another process of the same interpreter (scripted servers).
        .env("LUASOCKET_LUA", lua_command(interp, prefix))
        .current_dir(&root)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", interp.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    let counts = stdout.lines().rev().find_map(parse_counts);
    match counts {
        Some(c) if output.status.success() || c.failed > 0 => Ok(c),
        _ => Err(format!(
            "{} did not finish the specs ({})",
            interp.display(),
            output.status
        )),
    }
}

/// Reads the runner's closing line, `N passed, N failed, N skipped`.
fn parse_counts(line: &str) -> Option<Counts> {
    let (p, rest) = line.trim().split_once(" passed, ")?;
    let (f, rest) = rest.split_once(" failed, ")?;
    let k = rest.strip_suffix(" skipped")?;
    Some(Counts {
        passed: p.parse().ok()?,
        failed: f.parse().ok()?,
        skipped: k.parse().ok()?,
    })
}

fn specs_cmd(args: &[String]) -> Result {
    raise_descriptor_limit();
    let lua = args
        .windows(2)
        .find(|w| w[0] == "--lua")
        .map(|w| PathBuf::from(&w[1]))
        .ok_or("--lua PATH is required")?;
    let abi = args
        .windows(2)
        .find(|w| w[0] == "--abi")
        .map(|w| w[1].clone())
        .ok_or("--abi NAME is required")?;
    let mut files: Vec<PathBuf> = args
        .iter()
        .filter(|a| a.ends_with(".lua"))
        .map(PathBuf::from)
        .collect();
    if files.is_empty() {
        files = spec_files()?;
    }
    let failed = specs(&lua, &[], &abi, &files)?.failed;
    if failed > 0 {
        Err(format!("{failed} spec(s) failed"))
    } else {
        Ok(())
    }
}

/// The descriptors the specs need: the select spec holds 2,000 sockets open at once.
const SPEC_DESCRIPTORS: u64 = 4096;

/// Raises this process's soft descriptor limit (which the spec interpreters inherit) to
/// `SPEC_DESCRIPTORS`, or to the hard limit if that is lower.
fn raise_descriptor_limit() {
    // SAFETY: getrlimit/setrlimit read and write one plain struct owned by this frame.
    #[allow(unsafe_code)]
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0
            && lim.rlim_cur < SPEC_DESCRIPTORS as libc::rlim_t
        {
            lim.rlim_cur = lim.rlim_max.min(SPEC_DESCRIPTORS as libc::rlim_t);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// The TLS specs, which also run under the interpreters with the library built in (the
/// README's default), where `socket.ssl.core` comes from `package.preload`.
const TLS_SPECS: [&str; 2] = ["ssl_spec.lua", "https_spec.lua"];

fn test() -> Result {
    raise_descriptor_limit();
    run(cargo().args(["test", "--workspace"]))?;
    let abis: Vec<String> = ABIS.iter().map(|(a, _)| a.to_string()).collect();
    dist(&abis)?;
    // Every spec runs against dist/ (socket/ssl/core.so included); the TLS specs run
    // once more with the library built into the interpreter.
    let files = spec_files()?;
    let tls_files: Vec<PathBuf> = files
        .iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| TLS_SPECS.iter().any(|t| n == *t))
        })
        .cloned()
        .collect();
    let mut runs = Vec::new();
    for abi in abis.iter().map(String::as_str) {
        let vendored = host(abi)?;
        runs.push((
            format!("{abi} (vendored)"),
            specs(&vendored, &["--bare"], abi, &files)?,
        ));
        if !tls_files.is_empty() {
            runs.push((
                format!("{abi} (built-in tls)"),
                specs(&vendored, &[], abi, &tls_files)?,
            ));
        }
        match on_path(abi) {
            Some(system) => {
                runs.push((format!("{abi} (system)"), specs(&system, &[], abi, &files)?))
            }
            None => println!("note: no system {abi} on PATH; ran the vendored one only\n"),
        }
    }
    println!();
    println!("Lua specs:");
    let mut total = Counts::default();
    for (name, c) in &runs {
        println!(
            "  {name:20} {} passed, {} failed, {} skipped",
            c.passed, c.failed, c.skipped
        );
        total.passed += c.passed;
        total.failed += c.failed;
        total.skipped += c.skipped;
    }
    println!(
        "{} passed, {} failed, {} skipped",
        total.passed, total.failed, total.skipped
    );
    if total.failed > 0 {
        Err(format!("{} spec(s) failed", total.failed))
    } else {
        Ok(())
    }
}

fn lint() -> Result {
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--quiet",
        "--",
        "-D",
        "warnings",
    ]))?;
    match on_path("luacheck") {
        Some(luacheck) => run(Command::new(luacheck).current_dir(root()).args([
            "lua-modules",
            "crates/luasocket-lua/src/lua",
            "crates/luasocket-cli/src",
            "tests",
            "examples",
        ])),
        None => {
            println!("note: luacheck not installed; Lua lint skipped");
            Ok(())
        }
    }
}

//! Shipping: the rockspec's build command (`rock-build`) and every release artifact
//! (`release`), in `target/artifacts/`:
//!
//! - `luasocket-rs-<version>-<abi>-linux-<arch>.tar.gz`: `dist/<abi>/`, the install tree
//!   (Lua modules and the one native library, stripped), for every ABI;
//! - `rocks/<abi>/`: a LuaRocks server per ABI (so no binary rock overwrites another: the
//!   5.1 and LuaJIT ones have the same name), with the binary rock `luasocket-rs`, the
//!   rock `luasocket` that makes rocks depending on LuaSocket resolve to ours, and the
//!   manifest: `luarocks install --only-server=target/artifacts/rocks/<abi> luasocket-rs`
//!   needs no cargo and no C compiler. LuaRocks makes each with the system's interpreter
//!   for that ABI, or with our own vendored one where the system has none;
//! - `luasocket-<version>-linux-<arch>`: the standalone interpreter (Lua 5.4, every module
//!   built in);
//! - `SHA256SUMS`.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{build_lib, dist, install_file, on_path, root, run, Lib, Result, ABIS};

/// `rock-build LUA`: what the rockspec's `command` build runs.
pub(crate) fn rock_build(args: &[String]) -> Result {
    let lua = args
        .first()
        .ok_or("usage: cargo xtask rock-build LUA (the interpreter LuaRocks runs)")?;
    let abi = abi_of(Path::new(lua))?;
    for lib in Lib::ALL {
        let to = root().join("target/rock").join(lib.path());
        install_file(&build_lib(&abi, lib)?, &to)?;
        eprintln!("target/rock/{} ready for {abi}", lib.path());
    }
    Ok(())
}

/// The ABI an interpreter runs (`lua5.4`, `luajit`, ...), asked of the interpreter itself.
fn abi_of(lua: &Path) -> Result<String> {
    let out = Command::new(lua)
        .args(["-e", "io.write(jit and 'luajit' or _VERSION)"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", lua.display()))?;
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let abi = match said.strip_prefix("Lua ") {
        Some(v) => format!("lua{v}"),
        None => said.clone(),
    };
    if ABIS.iter().any(|(a, _)| *a == abi) {
        Ok(abi)
    } else {
        Err(format!(
            "{} says {said:?}: not a Lua this library builds for",
            lua.display()
        ))
    }
}

/// The workspace version (`[workspace.package] version`).
fn version() -> Result<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_string)
        .ok_or_else(|| "no version in Cargo.toml".into())
}

/// An interpreter for `abi` (the system's when installed, else our own built from
/// vendored sources, which answers `-e` as `lua` does), and the Lua version LuaRocks
/// knows it by.
fn interpreter(abi: &str) -> Result<(PathBuf, &'static str)> {
    let luarocks_version = match abi {
        "luajit" | "lua5.1" => "5.1",
        "lua5.2" => "5.2",
        "lua5.3" => "5.3",
        "lua5.4" => "5.4",
        "lua5.5" => "5.5",
        _ => return Err(format!("no LuaRocks version for {abi}")),
    };
    let lua = match on_path(abi) {
        Some(system) => system,
        None => crate::host(abi)?,
    };
    Ok((lua, luarocks_version))
}

/// `release`: every artifact, in `target/artifacts/`.
pub(crate) fn release() -> Result {
    let root = root();
    let version = version()?;
    let arch = env::consts::ARCH;
    let out = root.join("target/artifacts");
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot clean {}: {e}", out.display()))?;
    }
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let abis: Vec<String> = ABIS.iter().map(|(a, _)| a.to_string()).collect();
    dist(&abis)?;
    let mut artifacts = Vec::new();
    for abi in &abis {
        let name = format!("luasocket-rs-{version}-{abi}-linux-{arch}.tar.gz");
        run(Command::new("tar")
            .arg("-czf")
            .arg(out.join(&name))
            .arg("-C")
            .arg(root.join("dist"))
            .arg(abi))?;
        artifacts.push(PathBuf::from(&name));
        for lib in Lib::ALL {
            let size = fs::metadata(root.join("dist").join(abi).join(lib.path()))
                .map_err(|e| e.to_string())?
                .len();
            eprintln!("{abi}: {} {size} bytes", lib.path());
        }
    }
    let interp = format!("luasocket-{version}-linux-{arch}");
    run(crate::cargo().args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "luasocket-cli",
        "--bin",
        "luasocket",
    ]))?;
    install_file(&root.join("target/release/luasocket"), &out.join(&interp))?;
    artifacts.push(PathBuf::from(&interp));
    let have_luarocks = on_path("luarocks").is_some() && on_path("luarocks-admin").is_some();
    for abi in &abis {
        let (lua, lrv) = interpreter(abi)?;
        if !have_luarocks {
            return Err("luarocks and luarocks-admin are needed for the binary rocks".into());
        }
        let server = out.join("rocks").join(abi);
        binary_rocks(&root, &version, &lua, lrv, &server)?;
        for entry in fs::read_dir(&server).map_err(|e| e.to_string())? {
            let entry = entry.map_err(|e| e.to_string())?;
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.ends_with(".rock") {
                artifacts.push(Path::new("rocks").join(abi).join(file));
            }
        }
    }
    let mut sums = Command::new("sha256sum");
    sums.current_dir(&out).args(&artifacts);
    let listing = sums
        .output()
        .map_err(|e| format!("cannot run sha256sum: {e}"))?;
    if !listing.status.success() {
        return Err("sha256sum failed".into());
    }
    fs::write(out.join("SHA256SUMS"), listing.stdout).map_err(|e| e.to_string())?;
    eprintln!(
        "target/artifacts ready: {} files and SHA256SUMS",
        artifacts.len()
    );
    Ok(())
}

/// Makes the binary rocks of one ABI in `server` (a LuaRocks server folder, manifest
/// included): our rock, built from the versioned rockspec into a scratch tree and packed,
/// and the `luasocket` rock that depends on it.
fn binary_rocks(root: &Path, version: &str, lua: &Path, lrv: &str, server: &Path) -> Result {
    fs::create_dir_all(server).map_err(|e| e.to_string())?;
    let tree = root
        .join("target/rock-tree")
        .join(server.file_name().expect("abi folder"));
    if tree.exists() {
        fs::remove_dir_all(&tree).map_err(|e| e.to_string())?;
    }
    let headers = root.join("rockspecs/lua-h").join(lrv);
    let luarocks = |dir: &Path| {
        let mut c = Command::new("luarocks");
        c.current_dir(dir)
            .arg("--lua-version")
            .arg(lrv)
            .arg("--tree")
            .arg(&tree);
        c
    };
    let ours = root.join(format!("rockspecs/luasocket-rs-{version}-1.rockspec"));
    let shim = root.join("rockspecs/luasocket-3.1.0-1.rockspec");
    for spec in [&ours, &shim] {
        run(luarocks(root)
            .arg("make")
            .arg(spec)
            .arg(format!("LUA={}", lua.display()))
            .arg(format!("LUA_INCDIR={}", headers.display())))?;
    }
    for rock in ["luasocket-rs", "luasocket"] {
        run(luarocks(server).args(["pack", rock]))?;
    }
    run(Command::new("luarocks-admin")
        .args(["make-manifest", "--lua-version", lrv])
        .arg(server))?;
    Ok(())
}

//! The embedded interpreter must export Lua's C API so that `require` can load C modules
//! (such as a `socket/core.so` from `dist/`) into it, as a system `lua` binary does.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" || os == "freebsd" {
        println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

//! Tidy checks on the tree's shape, run by `cargo test --workspace`:
//!
//! - inside a crate, the modules' `crate::` imports form no circle, and `luasocket-lua`'s
//!   module opener (`core`) is imported by nobody;
//! - in `luasocket-net`, only `src/sys/` names `libc`, `std::os::unix` or a target `cfg`;
//! - every native module but `socket.core` has its Lua file in `lua-modules/` (the one
//!   library serves them all), and no such file names a module that does not exist.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    sources_with_ext(dir, "rs")
}

/// The top-level module a source file belongs to (`src/sys/unix.rs` -> `sys`), or `None`
/// for the crate root.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The top-level modules a file names as `crate::<module>`.
fn imports(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if modules.contains(&name) {
            found.insert(name);
        }
    }
    // `use crate::{a, b::c}` groups.
    for (at, _) in text.match_indices("crate::{") {
        let group = &text[at + "crate::{".len()..];
        let group = &group[..group.find('}').unwrap_or(group.len())];
        for item in group.split(',') {
            let name = item.trim().split("::").next().unwrap_or("").trim();
            if modules.contains(name) {
                found.insert(name.to_string());
            }
        }
    }
    found
}

/// A circle in `graph`, if there is one, as the list of modules on it.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            return Some(path[at..].to_vec());
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(c) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

fn module_graph(krate: &str) -> BTreeMap<String, BTreeSet<String>> {
    let src = workspace().join("crates").join(krate).join("src");
    let files = sources(&src);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        let mut deps = imports(&text, &modules);
        deps.remove(&module);
        graph.entry(module).or_default().extend(deps);
    }
    graph
}

#[test]
fn no_import_circles() {
    for krate in [
        "luasocket-io",
        "luasocket-net",
        "luasocket-proto",
        "luasocket-lua",
    ] {
        let graph = module_graph(krate);
        assert!(!graph.is_empty(), "{krate}: no modules found");
        if let Some(c) = circle(&graph) {
            panic!("{krate}: import circle {}", c.join(" -> "));
        }
    }
}

#[test]
fn nobody_imports_the_module_opener() {
    for (module, deps) in module_graph("luasocket-lua") {
        assert!(!deps.contains("core"), "{module} imports core");
    }
}

#[test]
fn the_circle_check_finds_circles() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    graph.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(circle(&graph).map(|c| c.len()), Some(3));
    graph.insert("c".to_string(), BTreeSet::new());
    assert_eq!(circle(&graph), None);
    let modules = BTreeSet::from(["a".to_string(), "b".to_string()]);
    assert_eq!(
        imports("use crate::{a::X, b};\nlet y = crate::Z;", &modules),
        modules
    );
}

#[test]
fn only_the_os_seam_names_the_os() {
    let src = workspace().join("crates/luasocket-net/src");
    let seam = src.join("sys");
    for file in sources(&src) {
        if file.starts_with(&seam) {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        for word in ["libc::", "std::os::unix", "cfg(unix", "cfg(target"] {
            assert!(
                !text.contains(word),
                "{} names `{word}`: move it behind sys/",
                file.display()
            );
        }
    }
}

/// The require names listed in `luasocket-lua`'s `native_modules!` invocation.
fn native_modules() -> Vec<String> {
    let lib = fs::read_to_string(workspace().join("crates/luasocket-lua/src/lib.rs")).unwrap();
    let block = lib
        .split("native_modules! {")
        .nth(1)
        .expect("native_modules! invocation");
    let block = &block[..block.find("\n}").unwrap_or(block.len())];
    block
        .lines()
        .filter_map(|line| line.trim().strip_prefix('"')?.split('"').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_native_name_loads_from_the_one_library() {
    let names = native_modules();
    assert!(names.contains(&"socket.core".to_string()), "{names:?}");
    let lua = workspace().join("lua-modules");
    // socket.core and socket.ssl.core are library files of their own; every other name
    // is served by socket/core.so through a two-line Lua file.
    let own_files = ["socket.core", "socket.ssl.core"];
    for name in names.iter().filter(|n| !own_files.contains(&n.as_str())) {
        let file = lua.join(format!("{}.lua", name.replace('.', "/")));
        let text = fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!("{}: {e} (a native name needs its Lua file)", file.display())
        });
        assert!(
            text.contains("require(\"socket.core\")"),
            "{}",
            file.display()
        );
        assert!(
            text.contains(&format!("package.preload[\"{name}\"]")),
            "{}",
            file.display()
        );
    }
    // And the other way round: a file shaped like these (loading socket.core, then a
    // preload entry) names a native module.
    for file in sources_with_ext(&lua, "lua") {
        let text = fs::read_to_string(&file).unwrap();
        if !text.contains("require(\"socket.core\")") {
            continue;
        }
        if let Some(at) = text.find("package.preload[\"") {
            let rest = &text[at + "package.preload[\"".len()..];
            let name = &rest[..rest.find('"').unwrap()];
            assert!(
                names.iter().any(|n| n == name),
                "{} loads unknown {name}",
                file.display()
            );
        }
    }
}

/// Every file under `dir` whose name ends in `.ext`.
fn sources_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources_with_ext(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out.sort();
    out
}

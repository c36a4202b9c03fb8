//! `luasocket` behaves like `lua`: options, `arg`, standard input, `LUA_INIT`, messages
//! and exit codes, the REPL. Each case runs the built binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn luasocket(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_luasocket"));
    cmd.args(args)
        .env_remove("LUA_INIT")
        .env_remove("LUA_INIT_5_4")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("the binary ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn options_run_in_order_and_version_prints() {
    let out = luasocket(&["-e", "x = 20", "-e", "print(x + 1)"], &[], "");
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "21\n");
    let out = luasocket(&["-v"], &[], "");
    assert!(
        text(&out.stdout).contains("LuaSocket 3.1.0"),
        "{}",
        text(&out.stdout)
    );
    let out = luasocket(
        &[
            "-lsocket",
            "-l",
            "u=socket.url",
            "-e",
            "print(socket._VERSION, u.escape('a b'))",
        ],
        &[],
        "",
    );
    assert_eq!(text(&out.stdout), "LuaSocket 3.1.0\ta%20b\n");
}

#[test]
fn bad_options_are_refused_as_lua_does() {
    for (args, word) in [
        (&["-x"][..], "unrecognized option '-x'"),
        (&["-e"][..], "'-e' needs argument"),
        (&["-l"][..], "'-l' needs argument"),
    ] {
        let out = luasocket(args, &[], "");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(word), "{args:?}: {err}");
        assert!(
            err.contains("usage: luasocket [options] [script [args]]"),
            "{err}"
        );
    }
}

#[test]
fn scripts_get_arg_and_varargs() {
    let dir = std::env::temp_dir().join(format!("luasocket-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("s.lua");
    std::fs::write(&script, "#!/usr/bin/env luasocket\nprint(arg[0] == ..., select('#', ...), arg[1], arg[-1], arg[-2])").unwrap();
    let path = script.to_str().unwrap();
    let out = luasocket(&["-e", "y=1", path, "a", "b"], &[], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "false\t2\ta\ty=1\t-e\n");
    let out = luasocket(&["-", "p", "q"], &[], "print(arg[0], ...)");
    assert_eq!(text(&out.stdout), "-\tp\tq\n");
    let out = luasocket(&[], &[], "print('from stdin')");
    assert_eq!(text(&out.stdout), "from stdin\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn failures_say_what_lua_says_and_exit_1() {
    let out = luasocket(&["no-such-file.lua"], &[], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).ends_with(": cannot open no-such-file.lua: No such file or directory\n"),
        "{}",
        text(&out.stderr)
    );
    let out = luasocket(&["-e", "error('boom')"], &[], "");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains(": (command line):1: boom\nstack traceback:\n\t[C]: in function 'error'\n\t(command line):1: in main chunk\n\t[C]: in ?\n"), "{err}");
    let out = luasocket(&["-e", "error({})"], &[], "");
    assert!(text(&out.stderr).contains("(error object is a table value)"));
}

#[test]
fn lua_init_runs_first_unless_minus_e_capital() {
    let out = luasocket(&["-e", "print(2)"], &[("LUA_INIT", "print(1)")], "");
    assert_eq!(text(&out.stdout), "1\n2\n");
    let out = luasocket(
        &["-e", "print(2)"],
        &[("LUA_INIT_5_4", "print(0)"), ("LUA_INIT", "print(1)")],
        "",
    );
    assert_eq!(text(&out.stdout), "0\n2\n");
    let out = luasocket(&["-E", "-e", "print(2)"], &[("LUA_INIT", "print(1)")], "");
    assert_eq!(text(&out.stdout), "2\n");
    let out = luasocket(
        &["-E", "-e", "print(package.path:find('/nowhere/', 1, true))"],
        &[("LUA_PATH", "/nowhere/?.lua")],
        "",
    );
    assert_eq!(text(&out.stdout), "nil\n");
}

#[test]
fn the_repl_evaluates_prints_and_continues_lines() {
    let out = luasocket(
        &["-i"],
        &[],
        "x = 5\n= x * 2\nfunction f()\nreturn 7\nend\nprint(f())\nerror('no')\nprint('after')\n",
    );
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.contains("10\n"), "{stdout}");
    assert!(stdout.contains("7\n"), "{stdout}");
    assert!(stdout.contains("after\n"), "{stdout}");
    assert!(
        text(&out.stderr).contains("stdin:1: no"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn debian_paths_come_after_lua_s_own() {
    let out = luasocket(
        &[
            "-e",
            "print(package.path:find('/usr/share/lua/5.4/?.lua', 1, true) ~= nil)",
        ],
        &[],
        "",
    );
    assert_eq!(text(&out.stdout), "true\n");
}

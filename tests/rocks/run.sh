#!/usr/bin/env bash
# The ways users get the library, tested as they meet them (run by .ci/run):
#  1. the source rock: `luarocks make` for Lua 5.4 and 5.1 into fresh trees;
#  2. `cargo xtask release`: tarballs, per-ABI binary rocks and LuaRocks servers, SHA256SUMS;
#  3. the binary rock installed with no cargo and no C compiler on PATH, for lua5.4, lua5.1
#     and LuaJIT, then a program over loopback with it; and a rock that depends on
#     `luasocket >= 3.0` installed against our server only.
# Needs luarocks (Debian's 3.8) and the interpreters. Debian's LuaRocks checks for lua.h
# even before a build that compiles nothing: LUA_INCDIR points at rockspecs/lua-h/<v>.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/luasocket-rocks.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"

step() { printf '\n== %s\n' "$*"; }

for v in 5.4 5.1; do
  step "source rock, Lua $v"
  tree=$work/src-$v
  luarocks --lua-version "$v" --tree "$tree" make luasocket-rs-scm-1.rockspec \
    LUA_INCDIR="$root/rockspecs/lua-h/$v"
  (eval "$(luarocks --lua-version "$v" --tree "$tree" path)" && "lua$v" tests/rocks/program.lua)
done

step "cargo xtask release"
cargo xtask release
art=$root/target/artifacts
(cd "$art" && sha256sum -c --quiet SHA256SUMS)
ls -l "$art" "$art"/rocks/*

# A PATH with the system's tools but no cargo, rustc or C compiler.
bin=$work/bin
mkdir -p "$bin"
for d in /usr/local/bin /usr/bin /bin; do
  for f in "$d"/*; do
    n=$(basename "$f")
    case $n in
      cargo* | rustc* | rustup* | cc | c++ | gcc* | g++* | clang* | *-gcc* | *-g++* | tcc | ld | ld.*) continue ;;
    esac
    [ -e "$bin/$n" ] || ln -s "$f" "$bin/$n"
  done
done
if PATH=$bin command -v cargo || PATH=$bin command -v cc; then
  echo "cargo or cc still on the restricted PATH" >&2
  exit 1
fi

for abi in lua5.4 lua5.1 luajit; do
  command -v "$abi" >/dev/null || { echo "SKIP binary rock for $abi: no interpreter"; continue; }
  v=5.1; [ "$abi" = lua5.4 ] && v=5.4
  step "binary rock, $abi, no cargo and no C compiler"
  tree=$work/bin-$abi
  PATH=$bin luarocks --lua-version "$v" --tree "$tree" install \
    --only-server="$art/rocks/$abi" luasocket-rs
  (eval "$(PATH=$bin luarocks --lua-version "$v" --tree "$tree" path)" && PATH=$bin "$abi" tests/rocks/program.lua)
  step "a rock that depends on luasocket >= 3.0, $abi"
  PATH=$bin luarocks --lua-version "$v" --tree "$tree" make tests/rocks/needs-socket-1.0-1.rockspec \
    --only-server="$art/rocks/$abi" LUA_INCDIR="$root/rockspecs/lua-h/$v"
  PATH=$bin luarocks --lua-version "$v" --tree "$tree" list --porcelain | sort
  if find "$tree" -path '*luasocket/3*' -name '*.so' | grep -q .; then
    echo "C LuaSocket got installed" >&2
    exit 1
  fi
  (eval "$(PATH=$bin luarocks --lua-version "$v" --tree "$tree" path)" &&
    PATH=$bin "$abi" -e 'assert(require("needs_socket").now() > 0); assert(package.preload["socket.tp.core"]); print("ok: needs-socket runs on luasocket-rs")')
done
echo
echo "rocks: all passed"

#!/usr/bin/env bash
# scripts/setup.sh — from a fresh clone to JupyterLab running the cudacell
# kernel, in one command. Idempotent, and quick when everything is in place:
#   1. Debian packages needed to build (installed only when missing),
#   2. .venv with JupyterLab & co. from PyPI (skipped when its stamp matches),
#   3. meson build in build/, installed into .venv (kernelspec included),
#   4. JupyterLab on 127.0.0.1 (not with --no-lab), started by scripts/lab.sh.
#
# Usage: scripts/setup.sh [--no-lab] [--with-tests] [--port N] [--no-browser]
#   --no-lab      set up only; do not start JupyterLab
#   --with-tests  also install the test-only Python packages (tests/requirements.txt)
#                 and Debian packages (Chromium, gcc-12-source for tests/corpus)
#   --port N      JupyterLab port (default: 8888, or the next free one)
#   --no-browser  do not open a browser (none is opened without a display)
# Environment: PYTHON (interpreter for the venv, default python3).
set -euo pipefail

START_DIR=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

LAB=1
WITH_TESTS=0
PORT=""
NO_BROWSER=""
while [ $# -gt 0 ]; do
    case "$1" in
        --no-lab) LAB=0 ;;
        --with-tests) WITH_TESTS=1 ;;
        --port) PORT=${2:?--port needs a number}; shift ;;
        --no-browser) NO_BROWSER=1 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

say() { printf '==> %s\n' "$*"; }
die() { printf 'setup.sh: %s\n' "$*" >&2; exit 1; }
# Run a command quietly; on failure show the end of its output and return 1.
quiet() {
    local out
    if ! out=$("$@" 2>&1); then
        printf '%s\n' "$out" | tail -40 >&2
        return 1
    fi
}

# ---- 1. system packages -----------------------------------------------------
APT_PKGS="build-essential meson ninja-build pkg-config libzmq3-dev libjansson-dev
libssl-dev python3-venv python3-dev zlib1g-dev"
# The browser suite (tests/browser) drives Debian's Chromium through chromedriver.
[ "$WITH_TESTS" = 0 ] || APT_PKGS="$APT_PKGS chromium chromium-driver"
# %%mpirun's tests and the mpi_pi notebook need Open MPI (users install it
# themselves when they want %%mpirun; the magic names these packages).
[ "$WITH_TESTS" = 0 ] || APT_PKGS="$APT_PKGS openmpi-bin libopenmpi-dev"
# The corpus suite (tests/corpus) runs GCC's C torture tests from gcc-12-source.
[ "$WITH_TESTS" = 0 ] || APT_PKGS="$APT_PKGS gcc-12-source"
# The remote suite (tests/remote) starts its own sshd for gateway_provisioners.
[ "$WITH_TESTS" = 0 ] || APT_PKGS="$APT_PKGS openssh-server"

apt_missing() {
    local p
    for p in $APT_PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || printf '%s ' "$p"
    done
}

if command -v dpkg-query >/dev/null 2>&1; then
    missing=$(apt_missing)
    if [ -n "$missing" ]; then
        say "installing Debian packages: $missing"
        SUDO=""
        if [ "$(id -u)" -ne 0 ]; then
            command -v sudo >/dev/null 2>&1 ||
                die "these packages are missing and there is no sudo to install them: $missing. Install them as root (apt-get install $missing) and run this script again."
            SUDO=sudo
        fi
        export DEBIAN_FRONTEND=noninteractive
        quiet $SUDO apt-get update || die "apt-get update failed (its messages are above)."
        # shellcheck disable=SC2086
        quiet $SUDO apt-get install -y --no-install-recommends $missing ||
            die "apt-get could not install: $missing (its messages are above)."
    fi
else
    say "not a Debian-like system: make sure a C compiler, meson, ninja, pkg-config and the libzmq, jansson, OpenSSL and zlib development files are installed"
fi
for tool in cc meson ninja pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' was not found on PATH. Install it (see README.md, Quick start) and run this script again."
done

# ---- 2. Python virtual environment -----------------------------------------
PY=${PYTHON:-python3}
VENV=$ROOT/.venv
if [ ! -x "$VENV/bin/python" ]; then
    command -v "$PY" >/dev/null 2>&1 || die "no '$PY' found: install python3 (and python3-venv), or set PYTHON=/path/to/python3."
    say "creating .venv with $("$PY" --version 2>&1)"
    "$PY" -m venv "$VENV" ||
        die "'$PY -m venv' failed: on Debian/Ubuntu install python3-venv, then remove .venv and run this script again."
fi

# pip runs only when the requirement files changed since the last install.
pip_install() {   # $1 = stamp name, $2.. = requirement files
    local name=$1; shift
    local stamp=$VENV/.cudacell-$name.stamp
    local want
    want=$(cat "$@" scripts/constraints.txt | sha256sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "installing Python packages ($name) into .venv"
    local args=()
    local f
    for f in "$@"; do args+=(-r "$f"); done
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
        "${args[@]}" -c scripts/constraints.txt ||
        die "pip could not install the packages in $*. Check the network access to PyPI (or a proxy via PIP_INDEX_URL) and run this script again."
    echo "$want" > "$stamp"
}
pip_install lab requirements.txt
if [ "$WITH_TESTS" = 1 ]; then
    pip_install tests tests/requirements.txt
fi

# ---- 3. build and install into .venv ---------------------------------------
BUILD=$ROOT/build
SETUP_OPTS="--prefix=$VENV -Dtest_python=$VENV/bin/python"
if [ ! -f "$BUILD/build.ninja" ]; then
    say "configuring build/"
    # shellcheck disable=SC2086
    quiet meson setup "$BUILD" $SETUP_OPTS || die "meson setup failed (its messages are above)."
    echo "$SETUP_OPTS" > "$BUILD/.cudacell-setup"
elif [ "$(cat "$BUILD/.cudacell-setup" 2>/dev/null)" != "$SETUP_OPTS" ]; then
    say "reconfiguring build/"
    # shellcheck disable=SC2086
    quiet meson setup --reconfigure "$BUILD" $SETUP_OPTS || die "meson setup --reconfigure failed (its messages are above)."
    echo "$SETUP_OPTS" > "$BUILD/.cudacell-setup"
fi
say "building"
quiet ninja -C "$BUILD" || die "the build failed (the compiler's messages are above)."
quiet meson install -C "$BUILD" --only-changed || die "meson install failed (its messages are above)."

specs=$("$VENV/bin/jupyter" kernelspec list 2>/dev/null || true)
grep -q '^ *cudacell ' <<<"$specs" ||
    die "the cudacell kernelspec is not visible to .venv/bin/jupyter after install; expected it in $VENV/share/jupyter/kernels/cudacell."
command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ] ||
    say "note: nvcc was not found (PATH or /usr/local/cuda/bin): C cells work, CUDA cells need the CUDA toolkit"
"$ROOT/scripts/lab.sh" --settings-only || die "could not configure JupyterLab in .venv (the message is above)."
say "cudacell is installed in .venv (kernel 'cudacell')"

[ "$LAB" = 1 ] || exit 0

# ---- 4. JupyterLab -----------------------------------------------------------
# scripts/lab.sh: port, token, the news check off, stopped by one Ctrl-C.
# The notebooks' root is where setup.sh was started.
cd "$START_DIR"
exec "$ROOT/scripts/lab.sh" ${PORT:+--port "$PORT"} ${NO_BROWSER:+--no-browser}

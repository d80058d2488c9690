#!/usr/bin/env bash
# scripts/lab.sh — start JupyterLab from .venv (what `scripts/setup.sh` ends
# with): on 127.0.0.1, a free port from 8888, a fresh token, no browser
# without a display, no "Jupyter news?" pop-up, and stopped by one SIGINT
# (Ctrl-C), even when started in the background of a script, where bash
# makes it ignore SIGINT.
#
# Usage: scripts/lab.sh [--port N] [--no-browser] [--settings-only]
#   --port N         JupyterLab port (default: 8888, or the next free one)
#   --no-browser     never open a browser
#   --settings-only  only write the lab settings (news check off), then exit
# Environment: CUDACELL_VENV (default: .venv of this checkout); JUPYTERLAB_DIR
# is honoured as JupyterLab honours it. The notebook root is the current
# directory.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${CUDACELL_VENV:-$ROOT/.venv}
PORT=""
BROWSER=1
SETTINGS_ONLY=0
while [ $# -gt 0 ]; do
    case "$1" in
        --port) PORT=${2:?--port needs a number}; shift ;;
        --no-browser) BROWSER=0 ;;
        --settings-only) SETTINGS_ONLY=1 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "lab.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
die() { printf 'lab.sh: %s\n' "$*" >&2; exit 1; }
[ -x "$VENV/bin/python" ] || die "no Python in $VENV: run scripts/setup.sh first."

# The news check off, as a default the user's own overrides.json can change:
# overrides.d/ in the lab's settings dir is read before overrides.json.
# Rewritten only when it differs.
"$VENV/bin/python" - <<'EOF' || die "could not write JupyterLab's settings (the message is above)."
import json, os
from jupyterlab.commands import get_app_dir
d = os.path.join(get_app_dir(), "settings", "overrides.d")
path = os.path.join(d, "cudacell.json")
want = json.dumps({"@jupyterlab/apputils-extension:notification":
                   {"fetchNews": "false", "checkForUpdates": False}}, indent=2) + "\n"
try:
    with open(path, encoding="utf-8") as f:
        same = f.read() == want
except OSError:
    same = False
if not same:
    os.makedirs(d, exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(want)
    os.replace(path + ".tmp", path)
EOF
[ "$SETTINGS_ONLY" = 0 ] || exit 0

if [ -z "$PORT" ]; then
    PORT=$("$VENV/bin/python" - <<'EOF'
import socket
for port in range(8888, 8988):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
EOF
)
    [ -n "$PORT" ] || die "no free port between 8888 and 8987; pass one with --port N."
fi
TOKEN=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(24))')
# answer_yes: one Ctrl-C stops the lab (no "Shutdown this Jupyter server?"
# question, which a lab in the background could not read anyway).
LAB_ARGS=(--ip=127.0.0.1 --port="$PORT" --ServerApp.port_retries=0 --ServerApp.answer_yes=True
          --IdentityProvider.token="$TOKEN" --ServerApp.root_dir="$PWD")
if [ "$BROWSER" = 0 ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
    LAB_ARGS+=(--no-browser)
fi
[ "$(id -u)" -ne 0 ] || LAB_ARGS+=(--allow-root)

URL="http://127.0.0.1:$PORT/lab?token=$TOKEN"
cat <<EOF

  JupyterLab with the cudacell kernel:
      $URL

  On a headless machine, forward the port from your own computer first:
      ssh -N -L $PORT:127.0.0.1:$PORT $(id -un)@$(hostname -f 2>/dev/null || hostname)
  then open the URL above there. Stop JupyterLab with Ctrl-C.

EOF
# A script's background job (`scripts/setup.sh &`) starts with SIGINT
# ignored, bash cannot trap a signal ignored on entry, and Python keeps it
# ignored: restore the default before exec'ing the lab, which then takes
# SIGINT as KeyboardInterrupt and shuts down cleanly.
exec "$VENV/bin/python" -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.executable, [sys.executable, "-m", "jupyterlab"] + sys.argv[1:])
' "${LAB_ARGS[@]}"

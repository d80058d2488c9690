#!/usr/bin/env bash
# scripts/install-remote-kernelspecs.sh — install a kernelspec that runs
# cudacell somewhere else through gateway_provisioners (README: Running on a
# cluster). The templates are in share/kernelspecs/{ssh,kubernetes,docker}.
#
# Usage:
#   scripts/install-remote-kernelspecs.sh ssh --hosts gpu1,gpu2 [--cudacell PATH]
#   scripts/install-remote-kernelspecs.sh kubernetes --image IMAGE
#   scripts/install-remote-kernelspecs.sh docker --image IMAGE [--swarm]
# Options for all three:
#   --name NAME          kernelspec name (default cudacell-ssh / -k8s / -docker)
#   --display-name TEXT  name shown in the launcher
#   --env NAME=VALUE     set in the kernel's environment (repeatable; ssh only
#                        passes it on: e.g. --env PATH=/usr/local/cuda/bin:/usr/bin:/bin)
#   --user | --prefix DIR  where to install (default: the Jupyter of .venv, else --user)
#   --jupyter PATH       the jupyter command of the server that starts kernels
#                        (default .venv/bin/jupyter, else jupyter on PATH); its
#                        Python must have gateway_provisioners installed
# ssh: --hosts is the list the distributed-provisioner picks from (round
#   robin); --cudacell is the kernel binary's path on those hosts (default:
#   this checkout's .venv/bin/cudacell, as scripts/setup.sh installs it).
# kubernetes / docker: --image is the kernel image built from ./Dockerfile.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { printf 'install-remote-kernelspecs.sh: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }

KIND=${1:-}
case "$KIND" in
    ssh|kubernetes|docker) shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
esac

HOSTS="" CUDACELL="" IMAGE="" NAME="" DISPLAY="" WHERE=() SWARM=0 ENVS=()
JUPYTER=""
[ -x "$ROOT/.venv/bin/jupyter" ] && JUPYTER="$ROOT/.venv/bin/jupyter"
while [ $# -gt 0 ]; do
    case "$1" in
        --hosts) HOSTS=${2:?--hosts needs a list like gpu1,gpu2}; shift ;;
        --cudacell) CUDACELL=${2:?--cudacell needs a path}; shift ;;
        --image) IMAGE=${2:?--image needs an image name}; shift ;;
        --name) NAME=${2:?--name needs a name}; shift ;;
        --display-name) DISPLAY=${2:?--display-name needs a text}; shift ;;
        --env) ENVS+=("${2:?--env needs NAME=VALUE}"); shift ;;
        --user) WHERE=(--user) ;;
        --prefix) WHERE=(--prefix "${2:?--prefix needs a directory}"); shift ;;
        --jupyter) JUPYTER=${2:?--jupyter needs a path}; shift ;;
        --swarm) SWARM=1 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
case "$NAME" in
    *[!a-z0-9._-]*) die "--name '$NAME': use lower-case letters, digits, '.', '_' and '-' only." ;;
esac

[ -n "$JUPYTER" ] || JUPYTER=$(command -v jupyter) ||
    die "no jupyter found: run scripts/setup.sh, or name the server's jupyter with --jupyter PATH."
PY=$(dirname "$(readlink -f "$JUPYTER")")/python
[ -x "$PY" ] || PY=$(head -1 "$JUPYTER" | sed 's/^#! *//')
if [ ${#WHERE[@]} -eq 0 ]; then
    if [ "$JUPYTER" = "$ROOT/.venv/bin/jupyter" ]; then WHERE=(--sys-prefix); else WHERE=(--user); fi
fi
GP_DIR=$("$PY" -c 'import gateway_provisioners, os; print(os.path.dirname(gateway_provisioners.__file__))' 2>/dev/null) ||
    die "the Python of $JUPYTER ($PY) has no gateway_provisioners: install it there (pip install gateway_provisioners, with [k8s] or [docker] for those) and run this again."

case "$KIND" in
    ssh)
        [ -n "$HOSTS" ] || die "ssh needs --hosts: the GPU hosts to start kernels on, e.g. --hosts gpu1,gpu2."
        CUDACELL=${CUDACELL:-$ROOT/.venv/bin/cudacell}
        NAME=${NAME:-cudacell-ssh}; DISPLAY=${DISPLAY:-"C / CUDA (SSH: $HOSTS)"}
        PROVISIONER=distributed-provisioner ;;
    kubernetes)
        [ -n "$IMAGE" ] || die "kubernetes needs --image: the kernel image built from ./Dockerfile."
        NAME=${NAME:-cudacell-k8s}; DISPLAY=${DISPLAY:-"C / CUDA (Kubernetes)"}
        PROVISIONER=kubernetes-provisioner
        LAUNCHER=$GP_DIR/kernel-launchers/kubernetes/scripts/launch_kubernetes.py ;;
    docker)
        [ -n "$IMAGE" ] || die "docker needs --image: the kernel image built from ./Dockerfile."
        NAME=${NAME:-cudacell-docker}; DISPLAY=${DISPLAY:-"C / CUDA (Docker)"}
        PROVISIONER=docker-provisioner; [ "$SWARM" = 0 ] || PROVISIONER=docker-swarm-provisioner
        LAUNCHER=$GP_DIR/kernel-launchers/docker/scripts/launch_docker.py ;;
esac

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
SPEC=$STAGE/$NAME
mkdir -p "$SPEC"
cp "$ROOT"/share/kernelspec/logo-32x32.png "$ROOT"/share/kernelspec/logo-64x64.png "$SPEC"/
if [ "$KIND" != ssh ]; then
    # The gateway's own launcher script, from the installed package.
    mkdir -p "$SPEC/scripts"
    cp "$LAUNCHER" "$SPEC/scripts/"
    [ "$KIND" != kubernetes ] || cp "$ROOT/share/kernelspecs/kubernetes/kernel-pod.yaml.j2" "$SPEC/scripts/"
fi

# Fill in the template; @SPEC_DIR@ waits for the installed location.
fill() {   # $1 = template, $2 = output, $3 = spec dir
    "$PY" - "$1" "$2" "$3" "$CUDACELL" "$HOSTS" "$IMAGE" "$DISPLAY" "$PY" "$PROVISIONER" "${ENVS[@]}" <<'PYEOF'
import json, sys
tmpl, out, spec_dir, cudacell, hosts, image, display, py, prov, *envs = sys.argv[1:]
text = open(tmpl).read()
subs = {"@CUDACELL@": cudacell, "@IMAGE@": image, "@DISPLAY_NAME@": display,
        "@PYTHON@": py, "@SPEC_DIR@": spec_dir, "@PROVISIONER@": prov}
for k, v in subs.items():
    text = text.replace(k, json.dumps(v)[1:-1])
text = text.replace("@HOSTS@", json.dumps([h.strip() for h in hosts.split(",") if h.strip()]))
spec = json.loads(text)
for e in envs:
    name, sep, value = e.partition("=")
    if not sep or not name:
        sys.exit(f"--env wants NAME=VALUE, not '{e}'")
    spec["env"][name] = value
json.dump(spec, open(out, "w"), indent=1)
PYEOF
}
fill "$ROOT/share/kernelspecs/$KIND/kernel.json" "$SPEC/kernel.json" "@SPEC_DIR@"

case "${WHERE[0]}" in
    --prefix) DATA=${WHERE[1]}/share/jupyter ;;
    --sys-prefix) DATA=$("$PY" -c 'import sys; print(sys.prefix)')/share/jupyter ;;
    *) DATA=$("$PY" -c 'from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())') ;;
esac
"$JUPYTER" kernelspec install "$SPEC" --name "$NAME" "${WHERE[@]}" --replace >/dev/null ||
    die "jupyter kernelspec install failed (its messages are above)."
DEST=$DATA/kernels/$NAME
[ -f "$DEST/kernel.json" ] || die "jupyter kernelspec install did not create $DEST/kernel.json."
fill "$ROOT/share/kernelspecs/$KIND/kernel.json" "$DEST/kernel.json" "$DEST"
echo "installed kernelspec '$NAME' ($PROVISIONER) in $DEST"

#!/usr/bin/env bash
# scripts/test.sh — every test of cudacell, from a fresh clone:
#   1. scripts/setup.sh --no-lab --with-tests (packages, .venv, build/),
#   2. `meson test` in build/ (suites unit, protocol, cells, gpu, notebooks),
#   3. a second build, build-asan/, with AddressSanitizer + UBSan, running the
#      unit, protocol and magics suites (meson's test setup `asan`),
# then ONE closing line "N passed, N failed, N skipped" summing every test case
# (each TAP line of every suite) of both builds. Exits non-zero on any failure.
#
# Usage: scripts/test.sh [--no-asan] [-- extra meson test args]
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

ASAN=1
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-asan) ASAN=0 ;;
        --) shift; EXTRA=("$@"); break ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "test.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

say() { printf '==> %s\n' "$*"; }
VENV=$ROOT/.venv
export CI=${CI:-}

if ! bash scripts/setup.sh --no-lab --with-tests </dev/null; then
    echo "setup failed: nothing was tested (the reason is above)"
    echo "0 passed, 1 failed"
    exit 1
fi

# ---- the normal build ------------------------------------------------------
say "meson test (build/)"
rm -f build/meson-logs/testlog.json
meson test -C build --print-errorlogs "${EXTRA[@]}" </dev/null
normal_rc=$?

# ---- the sanitizer build ---------------------------------------------------
asan_rc=0
if [ "$ASAN" = 1 ]; then
    ASAN_DIR=$ROOT/build-asan
    ASAN_OPTS="-Db_sanitize=address,undefined -Dsanitize_tests=true -Dtest_python=$VENV/bin/python"
    if [ ! -f "$ASAN_DIR/build.ninja" ]; then
        say "configuring build-asan/"
        # shellcheck disable=SC2086
        meson setup "$ASAN_DIR" $ASAN_OPTS >/dev/null || meson setup --wipe "$ASAN_DIR" $ASAN_OPTS
        echo "$ASAN_OPTS" > "$ASAN_DIR/.cudacell-setup"
    elif [ "$(cat "$ASAN_DIR/.cudacell-setup" 2>/dev/null)" != "$ASAN_OPTS" ]; then
        # shellcheck disable=SC2086
        meson setup --reconfigure "$ASAN_DIR" $ASAN_OPTS >/dev/null
        echo "$ASAN_OPTS" > "$ASAN_DIR/.cudacell-setup"
    fi

    # The sanitizer options are meson's test setup `asan` (tests/meson.build).
    # LeakSanitizer needs to stop the process's threads (ptrace-like); some
    # containers forbid that. Probe once and fall back to no leak checking:
    # options exported here come after the setup's, and the last one wins.
    unset ASAN_OPTIONS UBSAN_OPTIONS
    probe=$(mktemp -d)
    printf '#include <stdlib.h>\nint main(void){return malloc(7)==0;}\n' > "$probe/p.c"
    if cc -fsanitize=address -o "$probe/p" "$probe/p.c" 2>/dev/null; then
        out=$(ASAN_OPTIONS=detect_leaks=1 "$probe/p" 2>&1)
        if ! grep -q 'detected memory leaks' <<<"$out"; then
            export ASAN_OPTIONS=detect_leaks=0
            say "LeakSanitizer does not work here (ptrace restricted?): leak checks are off"
        fi
    fi
    rm -rf "$probe"

    say "building build-asan/"
    if out=$(ninja -C "$ASAN_DIR" 2>&1); then
        say "meson test (build-asan/, setup asan: unit, protocol, magics)"
        rm -f "$ASAN_DIR/meson-logs/testlog-asan.json"   # meson names the log after the setup
        meson test -C "$ASAN_DIR" --setup asan --print-errorlogs \
            --suite unit --suite protocol --suite magics "${EXTRA[@]}" </dev/null
        asan_rc=$?
    else
        printf '%s\n' "$out" | tail -40
        echo "the sanitizer build failed (the compiler's messages are above)"
        asan_rc=1
        mkdir -p "$ASAN_DIR/meson-logs"
        echo '{"name": "build-asan", "result": "ERROR", "stdout": ""}' > "$ASAN_DIR/meson-logs/testlog-asan.json"
    fi
fi

# ---- one closing line --------------------------------------------------------
# Count TAP lines of each test in meson's JSON log; a test that failed without
# a failing TAP line (crash, timeout, a non-TAP test) counts as one failure.
logs=(build/meson-logs/testlog.json)
[ "$ASAN" = 1 ] && logs+=(build-asan/meson-logs/testlog-asan.json)
summary=$(python3 - "${logs[@]}" <<'EOF'
import json, re, sys

TAP = re.compile(r'^(not )?ok\b(.*)$')
SKIP = re.compile(r'#\s*(skip|todo)\b', re.I)
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding='utf-8').read().splitlines()
    except OSError:
        print(f'{path}: missing (that build ran no test)', file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        p = f = s = 0
        for out in (t.get('stdout') or '').splitlines():
            m = TAP.match(out)
            if not m:
                continue
            if SKIP.search(m.group(2)):
                s += 1
            elif m.group(1):
                f += 1
            else:
                p += 1
        res = t.get('result', 'ERROR')
        if res in ('OK', 'EXPECTEDFAIL'):
            if p + f + s == 0:
                p = 1
        elif res == 'SKIP':
            if p + f + s == 0:
                s = 1
        elif f == 0:
            f = 1
        passed, failed, skipped = passed + p, failed + f, skipped + s
print(f'{passed} passed, {failed} failed, {skipped} skipped')
EOF
)
[ -n "$summary" ] || summary="0 passed, 1 failed"
echo
echo "$summary"
case "$summary" in
    *" 0 failed"*) [ "$normal_rc" = 0 ] && [ "$asan_rc" = 0 ] && exit 0 ;;
esac
exit 1

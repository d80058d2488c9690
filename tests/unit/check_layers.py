#!/usr/bin/env python3
"""tests/unit/check_layers.py — the layering check of the unit suite: a file
of a lower layer must not include a header of a higher one.

It owns LAYERS (the layers bottom to top and what each must not include),
UTIL_ALLOWED (kernel headers cuda/ may include until they move to a util
folder) and KNOWN (today's violations, each with its reason). It reads every
`#include` of the C sources and headers under kernel/, runtime/ and cuda/,
resolves "..." includes as the compiler would (the including file's folder,
then the project's include folders) and reports each violation as
file:line. It prints TAP: one line per layer, one for stale exceptions, one
for a self-test on a planted violation.

KNOWN and UTIL_ALLOWED may only shrink: an entry that no longer matches an
include fails the check until it is removed, and a new violation is fixed in
the code, not added here.

Usage: check_layers.py [SOURCE_ROOT]   (default: two folders up)
"""
from __future__ import annotations

import fnmatch
import os
import re
import sys
import tempfile

# The Jupyter side: what the engine and the magics must not know about.
SERVER = ("kernel/server.h", "kernel/shell.h", "kernel/execute.h", "kernel/dispatch.h",
          "kernel/intake.h", "kernel/wire.h", "zmq.h")

# Bottom to top: (layer, its folders, what its files must not include). A
# pattern is a path from the source root ("kernel/*" is every file of
# kernel/ and of the folders below it) or, for a header outside the tree, its
# name (zmq.h). Folders not listed (kernel/ itself) are the top: no rule.
LAYERS = [
    ("runtime", ["runtime", "runtime/display"], ["kernel/*", "cuda/*"]),
    ("cuda", ["cuda"], ["kernel/*"]),
    ("kernel/engine", ["kernel/engine"], list(SERVER)),
    ("kernel/magics", ["kernel/magics"], list(SERVER)),
    ("kernel", ["kernel"], []),
]

# Util-level kernel headers cuda/ includes today. They are allowed, not
# violations: the step that makes kernel/util/ (issue 9, item 5) moves them
# there, below cuda/, and this list goes.
UTIL_ALLOWED = {
    ("cuda/*", "kernel/child_spawn.h"): "spawning a helper and capturing its output",
    ("cuda/*", "kernel/util/clock.h"): "the one clock (kernel/util/ sits below cuda/)",
    ("cuda/*", "kernel/strbuf.h"): "the growable string",
    ("cuda/*", "kernel/cellutil.h"): "pure helpers: word splitting, diagnostics, durations",
    ("cuda/*", "kernel/display_dirs.h"): "where libcudacell is (config.h-to-be, item 6)",
}

# Violations on main when this check came; each goes with the change named.
KNOWN = {
    ("cuda/standalone.c", "kernel/compiler.h"): "the standalone build reuses the compiler driver; moves with item 1",
    ("cuda/standalone.c", "kernel/engine/cc_output.h"): "reports through the engine's output interface; the standalone builder moves above cuda/ (item 6)",
    ("cuda/standalone.c", "kernel/interrupt.h"): "polls for interrupts directly until the output interface does (item 1)",
    ("cuda/standalone.c", "kernel/services.h"): "takes the kernel's services until the output interface (item 1)",
    ("cuda/standalone.c", "kernel/session.h"): "reads the session's declarations; the standalone builder belongs above cell/ (item 6)",
}

SCANNED = ("kernel", "runtime", "cuda")
INCLUDE_PATH = ("kernel", "kernel/util", "kernel/engine", "kernel/magics", "cuda", "runtime")   # meson.build's `inc`
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def sources(root: str) -> list[str]:
    """Every .c and .h under the scanned folders, as paths from root."""
    out = []
    for top in SCANNED:
        for d, _, names in os.walk(os.path.join(root, top)):
            out += [os.path.relpath(os.path.join(d, n), root) for n in names if n.endswith((".c", ".h"))]
    return sorted(out)


def resolve(root: str, including: str, kind: str, name: str, by_base: dict[str, list[str]]) -> str:
    """The included file as a path from root, or its bare name when it is not
    in the tree (a system or library header)."""
    if kind == '"':
        for d in [os.path.dirname(including), *INCLUDE_PATH]:
            p = os.path.normpath(os.path.join(d, name))
            if os.path.isfile(os.path.join(root, p)):
                return p
        found = by_base.get(os.path.basename(name), [])
        if len(found) == 1:   # a folder with an include directory of its own
            return found[0]
    return name


def layer_of(path: str) -> tuple[str, list[str]] | None:
    """The layer whose folder holds path, directly or below (the innermost
    listed folder wins: kernel/magics/ before kernel/)."""
    best = None
    for name, folders, forbidden in LAYERS:
        for f in folders:
            if path.startswith(f + "/") and (best is None or len(f) > len(best[2])):
                best = (name, forbidden, f)
    return (best[0], best[1]) if best else None


def includes(root: str) -> list[tuple[str, int, str]]:
    """(file, line, included path) for every #include of the scanned files."""
    files = sources(root)
    by_base: dict[str, list[str]] = {}
    for f in files:
        by_base.setdefault(os.path.basename(f), []).append(f)
    out = []
    for f in files:
        with open(os.path.join(root, f), errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if m:
                    out.append((f, n, resolve(root, f, m.group(1), m.group(2), by_base)))
    return out


def excused(table: dict, f: str, target: str) -> tuple | None:
    for key in table:
        if fnmatch.fnmatchcase(f, key[0]) and target == key[1]:
            return key
    return None


def check(root: str):
    """(violations by layer, exception keys that matched)."""
    bad: dict[str, list[str]] = {name: [] for name, _, _ in LAYERS}
    used = set()
    for f, n, target in includes(root):
        layer = layer_of(f)
        if not layer or not any(fnmatch.fnmatchcase(target, p) for p in layer[1]):
            continue
        key = excused(UTIL_ALLOWED, f, target) or excused(KNOWN, f, target)
        if key:
            used.add(key)
        else:
            bad[layer[0]].append(f"{f}:{n}: includes {target}, which layer {layer[0]} must not include")
    return bad, used


def self_test() -> list[str]:
    """The check finds a planted violation (runtime/ including a kernel
    header, kernel/magics/ a server header) and passes a clean tree."""
    problems = []
    with tempfile.TemporaryDirectory() as t:
        for d in ("kernel", "kernel/magics", "runtime"):
            os.makedirs(os.path.join(t, d))
        for path, text in (("kernel/server.h", ""), ("kernel/log.h", ""),
                           ("kernel/magics/m.c", '#include "log.h"\n'),
                           ("runtime/r.c", '#include <stdio.h>\n')):
            with open(os.path.join(t, path), "w") as fh:
                fh.write(text)
        bad, _ = check(t)
        if any(bad.values()):
            problems.append(f"a clean tree fails: {bad}")
        with open(os.path.join(t, "runtime/r.c"), "a") as fh:
            fh.write('\n#include "../kernel/log.h"\n')
        with open(os.path.join(t, "kernel/magics/m.c"), "a") as fh:
            fh.write('#include "server.h"\n')
        bad, _ = check(t)
        if bad["runtime"] != ["runtime/r.c:3: includes kernel/log.h, which layer runtime must not include"]:
            problems.append(f"runtime/ including kernel/log.h not found: {bad['runtime']}")
        if bad["kernel/magics"] != ["kernel/magics/m.c:2: includes kernel/server.h, which layer kernel/magics must not include"]:
            problems.append(f"kernel/magics/ including server.h not found: {bad['kernel/magics']}")
    return problems


def main() -> int:
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                           else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    bad, used = check(root)
    print(f"1..{len(LAYERS) + 2}")
    failed = 0
    for i, (name, folders, forbidden) in enumerate(LAYERS, 1):
        what = ", ".join(f + "/" for f in folders)
        rule = "may include anything (the top)" if not forbidden else "includes nothing of " + " ".join(forbidden)
        print(f"{'not ok' if bad[name] else 'ok'} {i} - {what} {rule}")
        for v in bad[name]:
            print("# " + v)
        failed += bool(bad[name])
    stale = [k for k in list(UTIL_ALLOWED) + list(KNOWN) if k not in used]
    print(f"{'not ok' if stale else 'ok'} {len(LAYERS) + 1} - every listed exception is still needed")
    for k in stale:
        print(f"# {k[0]} no longer includes {k[1]}: remove the entry from check_layers.py")
    problems = self_test()
    print(f"{'not ok' if problems else 'ok'} {len(LAYERS) + 2} - the check finds planted violations")
    for p in problems:
        print("# " + p)
    return 1 if failed or stale or problems else 0


if __name__ == "__main__":
    sys.exit(main())

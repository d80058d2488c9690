#!/usr/bin/env python3
"""tests/unit/check_layers.py — dependencies run one way: each source folder
may include (#include "x.h") only its own headers and those of the folders
below it in LAYERS, and only kernel/server and kernel/proto may include
<zmq.h>. There are no exceptions. Prints TAP: one case for the folders
themselves, one per folder (a failing case names each offending
file:line), one for a self-test on planted violations. Run by meson (suite
'unit') with the source root as its argument.

The meson build enforces the same at compile time (each folder's library
sees only the include directories of the libraries below it); this check
also covers the header each include resolves to and catches a header name
that two folders both define."""
import os
import re
import sys
import tempfile

# folder -> the folders it may include from (besides itself), bottom to top.
LAYERS = {
    "runtime/proto": [],                       # kernel <-> runtime frames
    "runtime": ["runtime/proto"],              # the runtime process
    "runtime/display": ["runtime/proto"],      # libcudacell
    "kernel/util": [],
    "kernel/proto": ["kernel/util"],
    "kernel/cell": ["kernel/util"],
    "cuda": ["kernel/util"],
    "kernel/pipeline": ["kernel/cell", "cuda", "runtime/proto", "kernel/util"],
    "kernel/magics": ["kernel/pipeline"],
    "kernel/engine": ["kernel/magics"],
    "kernel/server": ["kernel/engine", "kernel/proto"],
}
# Headers meson generates (not in the source tree) and the folder owning them.
GENERATED = {"config.h": "kernel/util"}

# System headers only some folders may include: the transport stays in server/.
SYSTEM_ONLY = {"zmq.h": {"kernel/server", "kernel/proto"}}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def allowed(folder):
    """The folder itself and everything below it, transitively."""
    seen, todo = {folder}, list(LAYERS[folder])
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo.extend(LAYERS[f])
    return seen


def check(root):
    """(problems with the folders themselves, {folder: [violations]})."""
    owner, dup = {}, []
    files = {}
    for folder in LAYERS:
        d = os.path.join(root, folder)
        names = sorted(n for n in os.listdir(d) if n.endswith((".c", ".h")))
        files[folder] = names
        for n in names:
            if n.endswith(".h"):
                if n in owner:
                    dup.append(f"{n}: in {owner[n]} and {folder}")
                owner[n] = folder
    owner.update(GENERATED)

    for d in sorted(os.listdir(os.path.join(root, "kernel"))):
        if os.path.isdir(os.path.join(root, "kernel", d)) and f"kernel/{d}" not in LAYERS:
            dup.append(f"kernel/{d} is in no layer of LAYERS")
    for d in sorted(os.listdir(os.path.join(root, "kernel"))):
        if d.endswith((".c", ".h")):
            dup.append(f"kernel/{d} is in no folder")

    bad_by = {}
    for folder in LAYERS:
        ok_set, bad = allowed(folder), []
        for name in files[folder]:
            path = os.path.join(folder, name)
            with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
                for i, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    kind, inc = m.group(1), m.group(2)
                    if kind == "<":
                        if inc in SYSTEM_ONLY and folder not in SYSTEM_ONLY[inc]:
                            bad.append(f"{path}:{i}: includes <{inc}>, which only "
                                       f"{', '.join(sorted(SYSTEM_ONLY[inc]))} may include")
                        continue
                    where = owner.get(os.path.basename(inc))
                    if "/" in inc or where is None:
                        bad.append(f"{path}:{i}: includes \"{inc}\", which is no folder's header")
                    elif where not in ok_set:
                        bad.append(f"{path}:{i}: includes {where}/{inc}, a layer above or beside {folder}")
        bad_by[folder] = bad
    return dup, bad_by


def self_test():
    """A clean tree passes; planted upward includes (kernel/util including a
    server header, kernel/engine including <zmq.h>, runtime/ a kernel
    header) are each found."""
    problems = []
    with tempfile.TemporaryDirectory() as t:
        for folder in LAYERS:
            os.makedirs(os.path.join(t, folder), exist_ok=True)
        files = {"kernel/util/log.h": "", "kernel/server/server.h": "",
                 "kernel/util/log.c": '#include "log.h"\n',
                 "kernel/engine/engine.c": '#include <stdio.h>\n#include "log.h"\n',
                 "runtime/runtime.c": "#include <stdio.h>\n"}
        for path, text in files.items():
            with open(os.path.join(t, path), "w") as fh:
                fh.write(text)
        dup, bad = check(t)
        if dup or any(bad.values()):
            problems.append(f"a clean tree fails: {dup} {bad}")
        for path, text in (("kernel/util/log.c", '#include "server.h"\n'),
                           ("kernel/engine/engine.c", "#include <zmq.h>\n"),
                           ("runtime/runtime.c", '#include "log.h"\n')):
            with open(os.path.join(t, path), "a") as fh:
                fh.write(text)
        dup, bad = check(t)
        want = {"kernel/util": "kernel/util/log.c:2:", "kernel/engine": "kernel/engine/engine.c:3:",
                "runtime": "runtime/runtime.c:2:"}
        for folder, where in want.items():
            if len(bad[folder]) != 1 or not bad[folder][0].startswith(where):
                problems.append(f"planted violation in {folder} not found: {bad[folder]}")
    return problems


def main(root):
    dup, bad_by = check(root)
    print(f"1..{len(LAYERS) + 2}")
    n = 1
    print(("ok" if not dup else "not ok") + f" {n} - every kernel file is in a layer folder; every header name has one folder")
    for d in dup:
        print(f"#   {d}")
    for folder in LAYERS:
        n += 1
        bad = bad_by[folder]
        below = sorted(allowed(folder) - {folder})
        print(("ok" if not bad else "not ok") + f" {n} - {folder} includes only {', '.join(below) or 'itself'}")
        for b in bad:
            print(f"#   {b}")
    problems = self_test()
    print(("ok" if not problems else "not ok") + f" {n + 1} - the check finds planted violations")
    for p in problems:
        print(f"#   {p}")
    return 0 if not dup and not any(bad_by.values()) and not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1
                  else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))

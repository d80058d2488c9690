#!/usr/bin/env python3
"""tests/unit/check_layers.py — dependencies run one way: each source folder
may include (#include "x.h") only its own headers and those of the folders
below it in LAYERS. Prints TAP, one case per folder; a failing case names
each offending file:line. Run by meson (suite 'unit') with the source root
as its argument.

The meson build enforces the same at compile time (each folder's library
sees only the include directories of the libraries below it); this check
also covers the header each include resolves to and catches a header name
that two folders both define."""
import os
import re
import sys

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

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def allowed(folder):
    """The folder itself and everything below it, transitively."""
    seen, todo = {folder}, list(LAYERS[folder])
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo.extend(LAYERS[f])
    return seen


def main(root):
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

    all_ok = not dup
    print(f"1..{len(LAYERS) + 1}")
    n = 1
    print(("ok" if not dup else "not ok") + f" {n} - every kernel file is in a layer folder; every header name has one folder")
    for d in dup:
        print(f"#   {d}")
    for folder in LAYERS:
        n += 1
        ok_set, bad = allowed(folder), []
        for name in files[folder]:
            path = os.path.join(folder, name)
            with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
                for i, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    where = owner.get(os.path.basename(inc))
                    if "/" in inc or where is None:
                        bad.append(f"{path}:{i}: includes \"{inc}\", which is no folder's header")
                    elif where not in ok_set:
                        bad.append(f"{path}:{i}: includes {where}/{inc}, a layer above or beside {folder}")
        all_ok = all_ok and not bad
        print(("ok" if not bad else "not ok") + f" {n} - {folder} includes only {', '.join(sorted(ok_set - {folder})) or 'itself'}")
        for b in bad:
            print(f"#   {b}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))

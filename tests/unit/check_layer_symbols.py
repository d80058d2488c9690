#!/usr/bin/env python3
"""tests/unit/check_layer_symbols.py — dependencies run one way at the symbol
level too. The folders' static libraries link as one group, so an upward
*call* (a lower folder calling a function it declares itself but that only a
higher folder defines) would still link; check_layers.py, which reads
includes, cannot see it. This check runs nm on each folder's libraries in the
build tree and fails when one of them has an undefined symbol defined in no
library of its own folder or the folders below it (check_layers.LAYERS) but
in a library of a folder above or beside it. Symbols no folder defines
(libc, jansson, ZeroMQ, OpenSSL, CUDA...) are fine.

Prints TAP: one case that the libraries were found, one per folder (a
failing case names each offending symbol with both libraries), one for a
self-test on planted violations. Run by meson (suite 'unit') with the source
root and the build root as its arguments; $NM names another nm."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_layers import LAYERS, allowed  # noqa: E402  (the one layer table)

# nm -P types: U, and lowercase w/v (weak, no default), are references.
UNDEFINED = set("Uwv")


def parse_nm(text):
    """(defined, undefined) global symbol names of nm -P -g output."""
    defined, undefined = set(), set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2 or line.endswith(":"):
            continue                      # blank, or an archive member's name
        name, kind = parts[0], parts[1]
        if kind in UNDEFINED:
            undefined.add(name)
        else:
            defined.add(name)
    return defined, undefined - defined   # a member may use another's symbol


def nm_library(path):
    nm = os.environ.get("NM") or "nm"
    out = subprocess.run([nm, "-P", "-g", path], check=True, capture_output=True, text=True)
    return parse_nm(out.stdout)


def folder_libraries(build):
    """{folder: [path of each lib*.a built in it]} (a folder may have none)."""
    libs = {}
    for folder in LAYERS:
        d = os.path.join(build, folder)
        names = sorted(n for n in os.listdir(d) if n.startswith("lib") and n.endswith(".a")) \
            if os.path.isdir(d) else []
        libs[folder] = [os.path.join(d, n) for n in names]
    return libs


def check_symbols(symbols):
    """symbols: {folder: {library name: (defined, undefined)}}.
    Returns {folder: ["sym: undefined in A, defined only in B (folder above or beside)"]}."""
    where = {}                            # symbol -> [(folder, library)] defining it
    for folder, libs in symbols.items():
        for lib, (defined, _) in libs.items():
            for s in defined:
                where.setdefault(s, []).append((folder, lib))
    bad_by = {}
    for folder, libs in symbols.items():
        ok_set, bad = allowed(folder), []
        for lib, (_, undefined) in sorted(libs.items()):
            for s in sorted(undefined):
                defs = where.get(s, [])
                if defs and not any(f in ok_set for f, _ in defs):
                    others = ", ".join(f"{l} ({f})" for f, l in defs)
                    bad.append(f"{s}: undefined in {lib} ({folder}), defined only in {others}, "
                               f"a layer above or beside {folder}")
        bad_by[folder] = bad
    return bad_by


def _fake(defined="", undefined=""):
    lines = [f"{s} T 0 10" for s in defined.split()] + [f"{s} U" for s in undefined.split()]
    return parse_nm("x.a[x.o]:\n" + "\n".join(lines) + "\n")


def self_test_fake():
    """check_symbols on made-up nm output: a clean set passes; an upward call
    (kernel/util using a kernel/server function) and a sideways one (kernel/cell
    using cuda/) are each found; a symbol also defined below is fine."""
    problems = []
    clean = {"kernel/util": {"libccutil.a": _fake("cc_log", "malloc")},
             "kernel/server": {"libccserver.a": _fake("cc_server_run", "cc_log zmq_send")},
             "kernel/cell": {"libcccell.a": _fake("cc_tok", "cc_log")},
             "cuda": {"libcccuda.a": _fake("cc_nvcc_find cc_log", "")}}
    bad = check_symbols(clean)
    if any(bad.values()):
        problems.append(f"a clean set fails: {bad}")
    clean["kernel/util"]["libccutil.a"] = _fake("cc_log", "malloc cc_server_run")
    clean["kernel/cell"]["libcccell.a"] = _fake("cc_tok", "cc_log cc_nvcc_find")
    bad = check_symbols(clean)
    want = {"kernel/util": "cc_server_run: undefined in libccutil.a (kernel/util), defined only in "
                           "libccserver.a (kernel/server)",
            "kernel/cell": "cc_nvcc_find: undefined in libcccell.a (kernel/cell), defined only in "
                           "libcccuda.a (cuda)"}
    for folder, start in want.items():
        if len(bad[folder]) != 1 or not bad[folder][0].startswith(start):
            problems.append(f"planted violation in {folder} not found: {bad[folder]}")
    if bad["kernel/server"] or bad["cuda"]:
        problems.append(f"a lower or own symbol was reported: {bad}")
    return problems


def self_test_archives():
    """The same through cc, ar and nm: two real archives, kernel/util's calling
    a function only kernel/server's defines, are found (so parse_nm reads
    what nm really prints)."""
    cc, ar = os.environ.get("CC") or shutil.which("cc"), shutil.which("ar")
    if not cc or not ar:
        return [f"cannot build the planted archives: cc={cc} ar={ar}"]
    problems = []
    with tempfile.TemporaryDirectory() as t:
        srcs = {"kernel/util/libccutil.a": "int cc_server_up(void);\nint cc_low(void) { return cc_server_up(); }\n",
                "kernel/server/libccserver.a": "int cc_low(void);\nint cc_server_up(void) { return 1; }\n"
                                               "int cc_high(void) { return cc_low(); }\n"}
        for rel, text in srcs.items():
            lib = os.path.join(t, rel)
            os.makedirs(os.path.dirname(lib), exist_ok=True)
            c, o = lib[:-2] + ".c", lib[:-2] + ".o"
            with open(c, "w") as fh:
                fh.write(text)
            subprocess.run(cc.split() + ["-c", c, "-o", o], check=True)
            subprocess.run([ar, "rcs", lib, o], check=True)
        bad = check_symbols({f: {os.path.basename(p): nm_library(p) for p in ps}
                             for f, ps in folder_libraries(t).items()})
        if len(bad["kernel/util"]) != 1 or not bad["kernel/util"][0].startswith(
                "cc_server_up: undefined in libccutil.a (kernel/util), defined only in libccserver.a"):
            problems.append(f"planted archive violation not found: {bad['kernel/util']}")
        if bad["kernel/server"]:
            problems.append(f"kernel/server's call down to kernel/util was reported: {bad['kernel/server']}")
    return problems


def main(root, build):
    libs = folder_libraries(build)
    found = [p for ps in libs.values() for p in ps]
    symbols = {f: {os.path.basename(p): nm_library(p) for p in ps} for f, ps in libs.items()}
    bad_by = check_symbols(symbols)
    print(f"1..{len(LAYERS) + 2}")
    n = 1
    print(("ok" if found else "not ok") + f" {n} - the folders' static libraries are in {build}")
    for folder in LAYERS:
        n += 1
        bad = bad_by[folder]
        names = ", ".join(os.path.basename(p) for p in libs[folder]) or "no library"
        print(("ok" if not bad else "not ok") + f" {n} - {folder} ({names}) uses only symbols of "
              f"{', '.join(sorted(allowed(folder))) or 'itself'} or the system")
        for b in bad:
            print(f"#   {b}")
    problems = self_test_fake() + self_test_archives()
    print(("ok" if not problems else "not ok") + f" {n + 1} - the check finds planted upward calls")
    for p in problems:
        print(f"#   {p}")
    return 0 if found and not any(bad_by.values()) and not problems else 1


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..")
    sys.exit(main(src, sys.argv[2] if len(sys.argv) > 2 else os.path.join(src, "build")))

"""The compile cache through the real kernel: a damaged entry is rebuilt, a
cache directory or entry other users could write is never trusted, nothing
is loaded from the cache by library search, and the cache stays under its
size cap without removing what a session uses; and, in the suite's shared
cache, a cell run again (in the same or a new kernel) is a cache hit.

Every test but the last two has a cache directory of its own. Tests run as root here; another
user is simulated with chown to uid 65534 (nobody) or chmod o+w."""
import contextlib
import os
import subprocess
import time
import uuid

import pytest

from kernel_harness import C_PRELUDE, Kernel

NOBODY = 65534


@contextlib.contextmanager
def kernel_with(cache, **env):
    k = Kernel(env={"CUDACELL_CACHE_DIR": str(cache), **env})
    try:
        k.first = k.execute(C_PRELUDE)   # the first cell: says once if the cache was refused
        assert k.first.status == "ok", k.first.describe()
        yield k
    finally:
        k.shutdown()


def objects(cache):
    """The cell objects in the cache directory."""
    try:
        return {n for n in os.listdir(cache) if n.startswith("cell-") and n.endswith(".so")}
    except FileNotFoundError:
        return set()


def run_new(k, cache, code):
    """Run code; return (result, the objects it added to the cache)."""
    before = objects(cache)
    r = k.ok(code)
    return r, objects(cache) - before


def mkcache(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    return cache


# ---- item 4: a damaged entry is rebuilt -------------------------------------------------

def test_truncated_entry_is_rebuilt_after_reset(tmp_path):
    cache = mkcache(tmp_path)
    token = uuid.uuid4().hex
    cell = f'puts("intact {token}");'
    with kernel_with(cache) as k:
        _, new = run_new(k, cache, cell)
        assert len(new) == 1, new
        path = cache / new.pop()
        with open(path, "r+b") as f:   # what a power loss leaves behind
            f.truncate(os.path.getsize(path) // 3)
        k.ok("%reset")
        k.ok(C_PRELUDE)
        r = k.execute(cell)
        assert r.status == "ok", f"a truncated cache entry should be rebuilt:\n{r.describe()}"
        assert token in r.stdout
        assert "damaged" in r.stderr and "rebuilt" in r.stderr, r.describe()
        r = k.ok(cell)   # and it is a good entry now
        assert "damaged" not in r.stderr


def test_truncated_entry_is_rebuilt_in_a_new_kernel(tmp_path):
    cache = mkcache(tmp_path)
    token = uuid.uuid4().hex
    cell = f'puts("intact {token}");'
    with kernel_with(cache) as k:
        _, new = run_new(k, cache, cell)
    path = cache / new.pop()
    with open(path, "r+b") as f:
        f.truncate(0)
    with kernel_with(cache) as k:
        r = k.execute(cell)
        assert r.status == "ok", r.describe()
        assert token in r.stdout and "damaged" in r.stderr, r.describe()


# ---- item 6: directories and entries others could write -----------------------------

@pytest.mark.parametrize("how", ["chmod o+w", "chmod g+w", "chown nobody"])
def test_untrusted_cache_dir_is_refused(tmp_path, how):
    cache = mkcache(tmp_path)
    if how == "chmod o+w":
        os.chmod(cache, 0o707)
    elif how == "chmod g+w":
        os.chmod(cache, 0o770)
    else:
        os.chown(cache, NOBODY, NOBODY)
    token = uuid.uuid4().hex
    with kernel_with(cache) as k:
        note = k.first.stderr
        assert str(cache) in note and "CUDACELL_CACHE_DIR" in note, f"no refusal message:\n{k.first.describe()}"
        assert "another user" in note and "chmod" in note
        r = k.execute(f'puts("still works {token}");')
        assert r.status == "ok", r.describe()
        assert token in r.stdout
        assert str(cache) not in r.stderr, "the refusal is said once per session"
    assert objects(cache) == set(), "nothing may be stored in (or loaded from) a refused directory"


def test_symlink_of_another_user_as_cache_dir_is_refused(tmp_path):
    real = mkcache(tmp_path)
    link = tmp_path / "link"
    os.symlink(real, link)
    os.lchown(link, NOBODY, NOBODY)
    with kernel_with(link) as k:
        assert "symbolic link" in k.first.stderr, k.first.describe()
        k.ok('puts("x");')
    assert objects(real) == set()


@pytest.mark.parametrize("how", ["chown nobody", "chmod o+w"])
def test_swapped_entry_others_could_write_is_not_loaded(tmp_path, how):
    cache = mkcache(tmp_path)
    good, evil = uuid.uuid4().hex, uuid.uuid4().hex
    good_cell = f'puts("good {good}");'
    with kernel_with(cache) as k:
        _, g = run_new(k, cache, good_cell)
        _, e = run_new(k, cache, f'puts("evil {evil}");')
    g, e = cache / g.pop(), cache / e.pop()
    # the other user swaps in their object, seal included
    for suffix in ("", ".sum"):
        if os.path.exists(str(e) + suffix):
            os.replace(str(e) + suffix, str(g) + suffix)
    if how == "chown nobody":
        os.chown(g, NOBODY, NOBODY)
        if os.path.exists(str(g) + ".sum"):
            os.chown(str(g) + ".sum", NOBODY, NOBODY)
    else:
        os.chmod(g, 0o757)
    with kernel_with(cache) as k:
        r = k.execute(good_cell)
        assert evil not in r.stdout, f"ran another user's object from the cache:\n{r.describe()}"
        assert r.status == "ok" and good in r.stdout, r.describe()
        assert "not safe" in r.stderr and "rebuilt" in r.stderr, r.describe()
    st = os.stat(g)
    assert st.st_uid == os.geteuid() and not st.st_mode & 0o022


PLANTED = r"""
#include <stdio.h>
__attribute__((constructor)) static void planted(void)
{
    FILE *f = fopen(MARKER, "w");
    if (f) { fputs("planted library ran\n", f); fclose(f); }
}
"""


def test_planted_library_in_cache_dir_is_never_loaded(tmp_path):
    cache = mkcache(tmp_path)
    marker = tmp_path / "planted-ran"
    src = tmp_path / "planted.c"
    src.write_text(PLANTED)
    for name in ("libcudacell.so", "libm.so.6", "libcudart.so.12", "libcudart.so.13"):
        subprocess.run(["cc", "-shared", "-fPIC", f'-DMARKER="{marker}"', "-o", str(cache / name), str(src)],
                       check=True)
    with kernel_with(cache) as k:
        k.ok('int twice(int x) { return 2 * x; }')   # a dependency, linked by the next cell
        r = k.execute('const char *p = getenv("LD_LIBRARY_PATH");\n'
                      'printf("[%s] %d\\n", p ? p : "", twice(21));\n'
                      'cc_display_text("shown");')
        assert r.status == "ok", r.describe()
        assert "42" in r.stdout
        assert str(cache) not in r.stdout, f"the cache is on the runtime's library path:\n{r.stdout}"
        k.ok("%reset")      # a fresh runtime loads everything again
        k.ok(C_PRELUDE + '\ncc_display_text("again");')
    assert not marker.exists(), "a library planted in the cache directory was loaded"


# ---- item 12: the size cap ----------------------------------------------------------

def fake_entry(cache, age_days, size):
    name = f"cell-{uuid.uuid4().hex[:24]}.so"
    p = cache / name
    p.write_bytes(b"\0" * size)
    t = time.time() - age_days * 86400
    os.utime(p, (t, t))
    return name


def test_cache_is_evicted_to_its_cap_at_start_oldest_first(tmp_path):
    cache = mkcache(tmp_path)
    oldest = fake_entry(cache, 4, 400_000)
    old = fake_entry(cache, 3, 400_000)
    newer = fake_entry(cache, 2, 400_000)
    newest = fake_entry(cache, 1, 400_000)
    with kernel_with(cache, CUDACELL_CACHE_MAX_MB="1"):
        left = objects(cache)
        assert oldest not in left and old not in left, f"the least recently used entries stay: {left}"
        assert newer in left and newest in left, f"too much was evicted: {left}"


def test_eviction_after_compile_spares_what_sessions_use(tmp_path):
    cache = mkcache(tmp_path)
    with kernel_with(cache, CUDACELL_CACHE_MAX_MB="0") as a:
        _, defs = run_new(a, cache, "int base(void) { return 40; }")   # declarations only: never loaded yet
        # another kernel, with the same cap, starts and evicts: a's entries are in use
        with kernel_with(cache, CUDACELL_CACHE_MAX_MB="0") as b:
            stale = fake_entry(cache, 5, 10_000)
            b.ok(f'puts("b {uuid.uuid4().hex}");')   # a compile: evicts after it
            assert stale not in objects(cache), "an unused entry survived a cap of 0 after a compile"
        assert defs <= objects(cache), "another kernel evicted an entry this session uses"
        for i in range(3):
            r = a.ok(f'printf("%d\\n", base() + {i});')
            assert str(40 + i) in r.stdout
        assert defs <= objects(cache), "a kernel evicted an entry its own session uses"


# ---- entries that vanish while a session uses them ---------------------------------------

def test_deleted_dependency_is_restored(tmp_path):
    cache = mkcache(tmp_path)
    with kernel_with(cache) as k:
        _, defs = run_new(k, cache, "int forty_one(void) { return 41; }")
        for n in defs:   # deleted by hand, or by an older kernel's clean-up
            os.remove(cache / n)
        r = k.execute('printf("%d\\n", forty_one() + 1);')
        assert r.status == "ok" and "42" in r.stdout, r.describe()


def test_deleted_dependency_after_a_crash_is_restored(tmp_path):
    cache = mkcache(tmp_path)
    with kernel_with(cache) as k:
        _, defs = run_new(k, cache, 'int seven(void) { return 7; }\nprintf("%d\\n", seven());')
        for n in defs:
            os.remove(cache / n)
        r = k.execute("abort();")
        assert r.status == "error"
        r = k.execute('printf("%d\\n", seven() * 6);')   # the restarted runtime reloaded seven's cell
        assert r.status == "ok" and "42" in r.stdout, r.describe()


def test_compile_cache_hit_on_rerun(kernel):
    token = uuid.uuid4().hex
    cell = f'%%time\nputs("cache {token}");'
    r1 = kernel.ok(cell)
    r2 = kernel.ok(cell)
    assert token in r1.stdout and token in r2.stdout
    t2 = (r2.stdout + r2.stderr).lower()
    assert "cache" in t2, f"second run should say it was cached:\n{r2.describe()}"


def test_identical_cell_in_new_kernel_is_cached(workdir):
    """The cache is persistent: a new session compiling the same cell hits it."""
    from kernel_harness import c_kernel
    token = uuid.uuid4().hex
    cell = f'%%time\nputs("persist {token}");'
    for expect_cached in (False, True):
        k = c_kernel()
        try:
            r = k.ok(cell)
            said = "cache" in (r.stdout + r.stderr).lower() and "miss" not in (r.stdout + r.stderr).lower()
            if expect_cached:
                assert said, f"not cached in a new session:\n{r.describe()}"
        finally:
            k.shutdown()

/* tests/unit/test_pch.c — the precompiled prelude (kernel/pipeline/
 * compiler_pch.c): when a build starts (the second unit with the same
 * flags), that a unit's real command line finds and *accepts* the saved
 * state (GCC's -H marks a used one with '!'), that other flags start over,
 * that a non-GCC compiler gets none, and that freeing during a build leaves
 * no child behind. Needs gcc (and g++ with the CUDA headers for the C++
 * part, skipped without them). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_spawn.h"
#include "compiler_int.h"
#include "compiler_pch.h"
#include "display_dirs.h"
#include "nvcc.h"
#include "tap.h"

static char root[256], inc[PATH_MAX], lib[PATH_MAX];

static bool exists(const char *dir, const char *name)
{
    char p[PATH_MAX + 64];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

/* cc_pch_for for req with tool, as the driver asks it (compiler.c). */
static char *ask(cc_pch *p, const cc_compile_req *req, char *const *tool)
{
    argv_buf f = {0};
    char *err = NULL, *dir = NULL;
    size_t ntool = 0;
    while (tool[ntool])
        ntool++;
    if (cc_unit_flags(&f, req, tool, NULL, inc, &err) == 0)
        dir = cc_pch_for(p, req, &f, ntool, inc);
    free(err);
    av_free(&f);
    return dir;
}

/* Asks until a state is ready (the build runs in the background), ≤ 60 s;
 * each ask is a unit that compiled. */
static char *ask_until_ready(cc_pch *p, const cc_compile_req *req, char *const *tool)
{
    for (int i = 0; i < 1200; i++) {
        cc_pch_compiled(p, true);
        char *d = ask(p, req, tool);
        if (d)
            return d;
        usleep(50000);
    }
    return NULL;
}

/* Compiles a unit that starts as a cell does, with the driver's own command
 * line plus -H; true when GCC used the saved state in dir. */
static bool unit_uses(const cc_compile_req *req, char *const *tool, const char *dir, const char *ext)
{
    char src[PATH_MAX], out[PATH_MAX], so[PATH_MAX];
    snprintf(src, sizeof src, "%s/unit.%s", root, ext);
    snprintf(out, sizeof out, "%s/unit.so", root);
    snprintf(so, sizeof so, "%s/cell-unit.so", root);
    FILE *f = fopen(src, "w");
    if (!f)
        return false;
    fputs("#include <cudacell_prelude.h>\nint unit_value(void) { return (int)sizeof(size_t); }\n", f);
    fclose(f);
    argv_buf a = {0};
    char *err = NULL, *text = NULL;
    int st = -1;
    bool used = false;
    if (cc_compile_argv(&a, req, tool, NULL, inc, lib, dir, src, out, so, &err) == 0) {
        av_add(&a, "-H");
        cc_capture_opts o = {.with_stderr = true, .timeout_ms = 120000};
        if (cc_spawn_capture_ex(&o, a.v, &text, NULL, &st) >= 0 && text) {
            char want[PATH_MAX + 8];
            snprintf(want, sizeof want, "! %s/cudacell_prelude.h.gch", dir);
            used = strstr(text, want) != NULL && WIFEXITED(st) && WEXITSTATUS(st) == 0;
            if (!used)
                fprintf(stderr, "# compile (status %d):\n%.2000s\n", st, text);
        }
    }
    free(text);
    free(err);
    av_free(&a);
    return used;
}

static void test_c(char *gcc)
{
    char *tool[] = {gcc, NULL};
    cc_pch *p = cc_pch_new(root);
    cc_compile_req req = {.lang = CC_LANG_C, .cflags = "", .nvccflags = "", .ldflags = "",
                          .workdir = root, .cache_dir = root};
    char *d = ask(p, &req, tool);
    CHECK(d == NULL && !exists(root, "pch-c-1"), "the first unit neither gets nor starts a saved state");
    d = ask(p, &req, tool);
    CHECK(d == NULL && !exists(root, "pch-c-1"), "the second unit with the same flags prepares one ...");
    cc_pch_compiled(p, false);
    CHECK(!exists(root, "pch-c-1"), "... not started when that unit's compile failed or was stopped ...");
    cc_pch_compiled(p, true);
    CHECK(exists(root, "pch-c-1"), "... started once a compile succeeded");
    d = ask_until_ready(p, &req, tool);
    CHECK(d && exists(d, "cudacell_prelude.h.gch") && !exists(d, "cudacell_prelude.h.gch.tmp"),
          "a later unit gets the finished state, sealed into place");
    if (d)
        CHECK(unit_uses(&req, tool, d, "c"), "a C unit's own command line uses the saved state");
    free(d);

    cc_compile_req other = req;
    other.cflags = "-DCELL_FLAG=1 -O2";
    d = ask(p, &other, tool);
    CHECK(d == NULL && !exists(root, "pch-c-1"), "other %%cflags: no state, and the old one is removed");
    free(ask(p, &other, tool));
    cc_pch_compiled(p, true);
    d = ask_until_ready(p, &other, tool);
    CHECK(d && strstr(d, "pch-c-2"), "... and a state for the new flags follows");
    if (d)
        CHECK(unit_uses(&other, tool, d, "c"), "with -D and -O2 in %%cflags too");
    free(d);
    cc_pch_free(p);

    char *fake[] = {"/usr/bin/clang-not-gcc", NULL};
    p = cc_pch_new(root);
    for (int i = 0; i < 3; i++)
        free(ask(p, &req, fake));
    CHECK(!exists(root, "pch-c-3") && !exists(root, "pch-c-1"), "a compiler that is not GCC gets none");
    cc_pch_free(p);

    /* freed while it builds: the build is killed and reaped */
    p = cc_pch_new(root);
    free(ask(p, &req, tool));
    free(ask(p, &req, tool));
    cc_pch_compiled(p, true);
    cc_pch_free(p);
    errno = 0;
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "freeing during a build leaves no child");

    /* a finished build is reaped at once, not when the next unit asks */
    p = cc_pch_new(root);
    free(ask(p, &req, tool));
    free(ask(p, &req, tool));
    cc_pch_compiled(p, true);
    bool reaped = false;
    for (int i = 0; i < 600 && !reaped; i++) {   /* ≤ 30 s: running, or a zombie, until then */
        usleep(50000);
        siginfo_t si;
        memset(&si, 0, sizeof si);
        errno = 0;   /* WNOWAIT: look, leave the reaping to the kernel's thread */
        reaped = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
    }
    CHECK(reaped, "the finished build left no zombie behind");
    cc_pch_free(p);
}

static void test_cxx(void)
{
    char *root_cuda = cc_cuda_root();
    char *gxx = cc_spawn_find("g++");
    if (!root_cuda || !gxx) {
        CHECK(1, "# SKIP no g++ or CUDA headers: the C++ saved state is not tried");
        free(root_cuda);
        free(gxx);
        return;
    }
    char *tool[] = {gxx, NULL};
    cc_pch *p = cc_pch_new(root);
    cc_compile_req req = {.lang = CC_LANG_CXX, .cflags = "", .nvccflags = "-DN=4 -arch=sm_90", .ldflags = "",
                          .workdir = root, .cache_dir = root};
    free(ask(p, &req, tool));
    free(ask(p, &req, tool));
    cc_pch_compiled(p, true);
    char *d = ask_until_ready(p, &req, tool);
    CHECK(d && strstr(d, "pch-cxx-"), "a host C++ unit gets a saved state of its own");
    if (d)
        CHECK(unit_uses(&req, tool, d, "cpp"), "a host C++ unit's command line uses it (cuda_runtime.h inside)");
    free(d);
    cc_compile_req cuda = req;
    cuda.lang = CC_LANG_CUDA;
    char *nv[] = {"/usr/local/cuda/bin/nvcc", NULL};
    d = ask(p, &cuda, nv);
    CHECK(d == NULL, "nvcc units get none");
    cc_pch_free(p);
    free(root_cuda);
    free(gxx);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/cc-unit-pch-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 2;
    }
    char *gcc = cc_spawn_find("gcc");
    if (cc_display_dirs(NULL, inc, lib) < 0 || !gcc) {
        CHECK(1, "# SKIP no gcc or no libcudacell headers");
    } else {
        test_c(gcc);
        test_cxx();
    }
    free(gcc);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "# could not remove %s\n", root);
    return tap_done();
}

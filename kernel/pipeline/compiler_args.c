/* kernel/pipeline/compiler_args.c — the compiler's command lines (compiler_int.h).
 *
 * C:    $CC (default cc) -std=gnu17 -shared -fPIC -g -gdwarf-4 -O1 ... The default
 *       optimisation is -O1: on a typical cell it compiles within ~10 ms of
 *       -O0 (40 vs 50 ms measured) yet runs loops several times faster, which
 *       matters for %%timeit. %cflags -O0 / -O2 override it (the last -O wins).
 *       With GCC, also -fno-tree-ter: otherwise GCC expands a single-use
 *       value where it is used, and in main, whose `return x;` it merges
 *       with the implicit `return 0` at the closing brace, the code of x
 *       (a load that faults, say) is put on the `}` line, so a crash report
 *       names the wrong line. The generated code is otherwise the same
 *       (checked on loops, a matrix product, a list walk). Clang has no such
 *       flag and needs none.
 * C++:  (a cell of a CUDA session without device code) $CXX (default c++)
 *       -x c++ -std=c++17 -shared -fPIC -g -gdwarf-4 -O1 -Wno-attributes
 *       -I<cuda>/include ... -L<cuda>/lib64 -lcudart, with the host compiler's
 *       share of %nvccflags (-D -U -I -O -std= -g -Xcompiler).
 * CUDA: nvcc -x cu -shared -Xcompiler -fPIC --cudart shared
 *       -gencode arch=compute_NN,code=[sm_NN,compute_NN] (SASS for the GPU
 *       plus PTX, so a newer GPU can still JIT it).
 * Both link the earlier cells' objects by absolute path and set their own
 * soname to their absolute path in the cache, so DT_NEEDED names exactly
 * that file and the runtime never searches a library path for a cell (the
 * cache directory is on no search path). They bind their own symbols first
 * (-Bsymbolic) and refuse undefined symbols at link time (--no-undefined), so
 * a missing definition is a compile error with a line number rather than a
 * load failure.
 * Every cell also gets libcudacell (rich output): -I<dir of cudacell.h>
 * -L<dir of libcudacell.so> -lcudacell; see cc_display_dirs. */
#include "compiler_int.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cellutil.h"
#include "nvcc.h"
#include "xalloc.h"

/* ---- argv building ------------------------------------------------------ */

void av_add(argv_buf *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 32;
        a->v = cc_xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n] = cc_xstrdup(s);
    a->v[++a->n] = NULL;
}

void av_addf(argv_buf *a, const char *fmt, const char *arg)
{
    char *s = cc_xasprintf(fmt, arg);
    av_add(a, s);
    free(s);
}

/* Adds the words of a user flag string; returns -1 with *err on bad quoting. */
int av_add_words(argv_buf *a, const char *flags, char **err)
{
    size_t n;
    char **w = cc_split_words(flags, &n, err);
    if (!w)
        return -1;
    for (size_t i = 0; i < n; i++)
        av_add(a, w[i]);
    cc_words_free(w);
    return 0;
}

void av_free(argv_buf *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* ---- the command line ------------------------------------------------------- */

/* The words of %nvccflags a host C++ compile shares: -D, -U, -I, -O, -std=,
 * -g and -Xcompiler's argument (with its comma-separated words); the rest
 * (-arch, --expt-extended-lambda …) is nvcc's own. */
static int add_host_flags(argv_buf *a, const char *flags, char **err)
{
    size_t n;
    char **w = cc_split_words(flags, &n, err);
    if (!w)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *f = w[i];
        if ((!strcmp(f, "-Xcompiler") || !strcmp(f, "--compiler-options")) && i + 1 < n) {
            char *x = w[++i], *save = NULL;
            for (char *p = strtok_r(x, ",", &save); p; p = strtok_r(NULL, ",", &save))
                av_add(a, p);
        } else if ((!strcmp(f, "-D") || !strcmp(f, "-U") || !strcmp(f, "-I")) && i + 1 < n) {
            av_add(a, f);
            av_add(a, w[++i]);
        } else if (!strncmp(f, "-D", 2) || !strncmp(f, "-U", 2) || !strncmp(f, "-I", 2) ||
                   !strncmp(f, "-O", 2) || !strncmp(f, "-std=", 5) || !strcmp(f, "-g")) {
            av_add(a, f);
        }
    }
    cc_words_free(w);
    return 0;
}

/* "sm_90a" → "90a"; NULL or odd input → the default's number. */
static const char *arch_number(const char *arch)
{
    if (arch && strncmp(arch, "sm_", 3) == 0 && arch[3])
        return arch + 3;
    return CC_CUDA_DEFAULT_ARCH + 3;
}

/* Whether the compiler is GCC (gcc or g++): a word of it (the compiler, or
 * the one a wrapper such as ccache runs) names it once links are resolved
 * (/usr/bin/cc → x86_64-linux-gnu-gcc-12). Unknown compilers count as not
 * GCC, so they get no GCC-only flag and no precompiled prelude. */
bool cc_tool_is_gnu(char *const *tool_argv)
{
    for (char *const *t = tool_argv; *t; t++) {
        if ((*t)[0] == '-')
            continue;
        char *real = realpath(*t, NULL);
        const char *path = real ? real : *t;
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        bool gcc = (strstr(base, "gcc") || strstr(base, "g++")) && !strstr(base, "clang");
        free(real);
        if (gcc)
            return true;
    }
    return false;
}

/* The words that decide how a unit compiles, up to its file names: the
 * tool, the language and code-generation flags, libcudacell's include
 * directory and the user's flags. A precompiled prelude is valid for a
 * unit whose words these are (compiler_pch.c builds it from the same). */
int cc_unit_flags(argv_buf *a, const cc_compile_req *req, char *const *tool_argv, const char *arch,
                  const char *inc, char **err)
{
    for (char *const *t = tool_argv; *t; t++)
        av_add(a, *t);
    if (req->lang == CC_LANG_CUDA) {
        const char *num = arch_number(arch);
        char gencode[96];
        snprintf(gencode, sizeof gencode, "arch=compute_%s,code=[sm_%s,compute_%s]", num, num, num);
        av_add(a, "-x");
        av_add(a, "cu");
        av_add(a, "-shared");
        av_add(a, "-Xcompiler");
        av_add(a, "-fPIC");
        av_add(a, "--cudart");
        av_add(a, "shared");
        av_add(a, "-g");
        av_add(a, "-Xcompiler");
        av_add(a, "-gdwarf-4");   /* see below */
        av_add(a, "-gencode");
        av_add(a, gencode);
        av_addf(a, "-I%s", inc);
        return av_add_words(a, req->nvccflags, err);
    }
    if (req->lang == CC_LANG_CXX) {
        char *root = cc_cuda_root();
        av_add(a, "-x");
        av_add(a, "c++");
        av_add(a, "-std=c++17");   /* nvcc's default dialect */
        av_add(a, "-shared");
        av_add(a, "-fPIC");
        av_add(a, "-g");
        av_add(a, "-gdwarf-4");
        av_add(a, CC_C_OPT);
        av_add(a, "-Wno-attributes");   /* __host__ __device__ on a host compiler */
        av_add(a, "-fdiagnostics-color=never");
        av_addf(a, "-I%s", inc);
        av_addf(a, "-I%s/include", root ? root : "/usr/local/cuda");
        free(root);
        return add_host_flags(a, req->nvccflags, err);
    }
    av_add(a, "-std=gnu17");
    av_add(a, "-shared");
    av_add(a, "-fPIC");
    av_add(a, "-g");
    av_add(a, "-gdwarf-4");   /* addr2line 2.40 names the wrong file for #line code in DWARF 5 */
    av_add(a, CC_C_OPT);
    if (cc_tool_is_gnu(tool_argv))
        av_add(a, "-fno-tree-ter");   /* see the top of this file */
    av_add(a, "-fdiagnostics-color=never");
    av_addf(a, "-I%s", inc);
    return av_add_words(a, req->cflags, err);
}

/* `#include "my.h"` finds my.h in the notebook's directory (%cd's), as gcc
 * finds it next to a file it compiles: -iquote <cwd> (nvcc passes it to
 * the host preprocessor of both its passes). A directory with a comma in
 * its name is left out: nvcc would split it. */
static void add_quote_dir(argv_buf *a, bool cuda)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd) || strchr(cwd, ','))
        return;
    if (cuda)
        av_add(a, "-Xcompiler");
    av_add(a, "-iquote");
    if (cuda)
        av_add(a, "-Xcompiler");
    av_add(a, cwd);
}

int cc_compile_argv(argv_buf *a, const cc_compile_req *req, char *const *tool_argv, const char *arch,
                    const char *inc, const char *lib, const char *pch_dir, const char *src,
                    const char *tmp_out, const char *so_path, char **err)
{
    bool cuda = req->lang == CC_LANG_CUDA;
    argv_buf f = {0};
    if (cc_unit_flags(&f, req, tool_argv, arch, inc, err) < 0) {
        av_free(&f);
        return -1;
    }
    size_t ntool = 0;
    while (tool_argv[ntool])
        ntool++;
    for (size_t i = 0; i < f.n; i++) {
        if (i == ntool && pch_dir)
            av_addf(a, "-I%s", pch_dir);   /* searched first: its .gch stands for the prelude */
        av_add(a, f.v[i]);
    }
    av_free(&f);
    add_quote_dir(a, cuda);
    av_add(a, "-o");
    av_add(a, tmp_out);
    av_add(a, src);
    if (req->lang == CC_LANG_CXX) {
        char *root = cc_cuda_root();
        av_add(a, "-x");      /* the earlier cells' objects that follow are not C++ source */
        av_add(a, "none");
        av_addf(a, "-L%s/lib64", root ? root : "/usr/local/cuda");
        free(root);
        av_add(a, "-lcudart");
    }
    for (size_t i = 0; i < req->n_deps; i++) {
        char *dep = cc_xasprintf("%s/%s", req->cache_dir, req->deps[i]);
        if (cuda)
            av_add(a, "-Xlinker");   /* nvcc's -x cu would read a plain .so argument as source */
        av_add(a, dep);
        free(dep);
    }
    av_addf(a, "-L%s", lib);
    av_add(a, "-lcudacell");
    if (cuda) {
        av_add(a, "-Xlinker");
        av_addf(a, "-soname=%s", so_path);
        av_add(a, "-Xlinker");
        av_add(a, "-Bsymbolic");
        av_add(a, "-Xlinker");
        av_add(a, "--no-undefined");
        av_add(a, "-Xlinker");
        av_addf(a, "-rpath-link=%s", lib);
    } else {
        av_add(a, "-Xlinker");   /* not -Wl,: the path may hold a comma */
        av_addf(a, "-soname=%s", so_path);
        av_add(a, "-Wl,-Bsymbolic");
        av_add(a, "-Wl,--no-undefined");
        av_addf(a, "-Wl,-rpath-link,%s", lib);
    }
    if (av_add_words(a, req->ldflags, err) < 0)
        return -1;
    av_add(a, "-lm");
    return 0;
}

int cc_preprocess_argv(argv_buf *a, const cc_compile_req *req, char *const *tool_argv, const char *inc,
                       const char *src, const char *dst, char **err)
{
    for (char *const *t = tool_argv; *t; t++)
        av_add(a, *t);
    bool cuda = req->lang == CC_LANG_CUDA;
    if (cuda) {   /* nvcc's host view: __CUDACC__ and its version macros */
        av_add(a, "-x");
        av_add(a, "cu");
        av_addf(a, "-I%s", inc);
        if (av_add_words(a, req->nvccflags, err) < 0)
            return -1;
    } else if (req->lang == CC_LANG_CXX) {   /* as a host-only C++ cell compiles */
        char *root = cc_cuda_root();
        av_add(a, "-x");
        av_add(a, "c++");
        av_add(a, "-std=c++17");
        av_add(a, CC_C_OPT);
        av_addf(a, "-I%s", inc);
        av_addf(a, "-I%s/include", root ? root : "/usr/local/cuda");
        free(root);
        if (add_host_flags(a, req->nvccflags, err) < 0)
            return -1;
    } else {
        av_add(a, "-std=gnu17");
        av_add(a, CC_C_OPT);
        av_addf(a, "-I%s", inc);
        if (av_add_words(a, req->cflags, err) < 0)
            return -1;
    }
    add_quote_dir(a, cuda);
    av_add(a, "-E");
    if (cuda)
        av_add(a, "-Xcompiler");   /* -P is the host preprocessor's */
    av_add(a, "-P");
    av_add(a, "-w");
    av_add(a, "-o");
    av_add(a, dst);
    av_add(a, src);
    return 0;
}

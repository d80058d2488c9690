/* kernel/magics/profile.c — the %%ncu and %%nsys cell magics: profile a cell
 * with Nsight Compute or Nsight Systems.
 *
 * A profiler must start the program it profiles, and a cell normally runs
 * inside the long-lived runtime process, so these magics build the cell as a
 * standalone CUDA program instead: the cell's declarations, types and
 * functions stay at file scope, its statements (in order) become the body of
 * main() — or, when the cell defines main() itself, it is the whole program.
 * The session's earlier cells are NOT part of that program (their
 * declarations and values are not visible); the output says so.
 *
 * Steps, in the session's private workdir (profile-N/):
 *   1. find the profiler: $CUDACELL_NCU / $CUDACELL_NSYS when set (only that),
 *      else PATH, $CUDA_HOME/bin, /usr/local/cuda/bin,
 *      /opt/nvidia/nsight-compute/<version>/, /opt/nvidia/nsight-systems/<version>/bin;
 *      missing → one paragraph saying what to install, the cell did not run;
 *   2. write prog.cu with #line directives, so nvcc's messages name cell lines;
 *   3. nvcc -lineinfo (with %nvccflags and the session GPU's arch) → prog;
 *   4. run `<profiler> <args> ./prog <%args>`; its output streams as it comes.
 * Steps 3 and 4 go through cc_shell_run (pty, streamed, interruptible).
 * Quoting, the PATH search, the GPU's architecture and writing the file are
 * kernel/magics/standalone.c's. Everything malloc'd here is freed before the handler
 * returns. */
#include "child_spawn.h"
#include "strbuf.h"
#include "handlers.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc_output.h"
#include "cellsplit.h"
#include "nvcc.h"
#include "services.h"
#include "shellcmd.h"
#include "standalone.h"
#include "xalloc.h"

typedef struct pm_tool {
    const char *magic;     /* "ncu" */
    const char *exe;       /* file name on PATH */
    const char *env;       /* override variable */
    const char *product;   /* for messages */
    const char *opt_glob;  /* where the standalone installers put it */
    const char *default_args;  /* when the magic line has none */
} pm_tool;

static const pm_tool pm_ncu = {
    "ncu", "ncu", "CUDACELL_NCU", "Nsight Compute",
    "/opt/nvidia/nsight-compute/*/ncu", "",
};
static const pm_tool pm_nsys = {
    "nsys", "nsys", "CUDACELL_NSYS", "Nsight Systems",
    "/opt/nvidia/nsight-systems/*/bin/nsys", "profile --stats=true --force-overwrite=true -o report",
};


/* ---- finding the profiler ---- */

static char *pm_exec_path(const char *dir, const char *exe)
{
    char *p = cc_xasprintf("%s/%s", dir, exe);
    if (access(p, X_OK) == 0)
        return p;
    free(p);
    return NULL;
}

/* malloc'd path of the tool, or NULL. */
static char *pm_find(const pm_tool *t)
{
    const char *over = getenv(t->env);
    if (over && *over)
        return access(over, X_OK) == 0 ? cc_xstrdup(over) : NULL;

    char *on_path = cc_spawn_find(t->exe);
    if (on_path)
        return on_path;
    const char *home = getenv("CUDA_HOME");
    char *p = NULL;
    if (home && *home) {
        char *bin = cc_xasprintf("%s/bin", home);
        p = pm_exec_path(bin, t->exe);
        free(bin);
        if (p)
            return p;
    }
    if ((p = pm_exec_path("/usr/local/cuda/bin", t->exe)))
        return p;
    glob_t g;
    if (glob(t->opt_glob, 0, NULL, &g) == 0) {
        for (size_t i = g.gl_pathc; i-- > 0;) {   /* sorted: the newest version is last */
            if (access(g.gl_pathv[i], X_OK) == 0) {
                p = cc_xstrdup(g.gl_pathv[i]);
                break;
            }
        }
        globfree(&g);
    }
    return p;
}

static void pm_missing(cc_out *x, const pm_tool *t)
{
    const char *over = getenv(t->env);
    char *msg;
    if (over && *over)
        msg = cc_xasprintf("%s is set to '%s', which is not an executable file, so %%%%%s cannot profile "
                           "this cell and the cell did not run. Point %s at the %s binary, or unset it to let "
                           "cudacell search PATH, $CUDA_HOME/bin and /usr/local/cuda/bin.",
                           t->env, over, t->magic, t->env, t->exe);
    else
        msg = cc_xasprintf("%%%%%s needs NVIDIA %s ('%s'), which was not found on PATH, in $CUDA_HOME/bin, "
                           "/usr/local/cuda/bin or %s, so the cell did not run. Install it (it comes with the "
                           "full CUDA toolkit, or as the standalone %s package from NVIDIA), then put its folder "
                           "on PATH or set %s to the '%s' binary. Cells without %%%%%s keep working.",
                           t->magic, t->product, t->exe, t->opt_glob, t->product, t->env, t->exe, t->magic);
    char evalue[96];
    snprintf(evalue, sizeof evalue, "%s (%s) was not found", t->exe, t->product);
    cc_out_error(x, "ProfilerNotFound", evalue, msg);
    free(msg);
}

/* ---- the standalone program ---- */

/* Source text of item it (its first token to its last), appended to b after
 * a #line directive, with ';' added to a tail expression. */
static void pm_put_item(cc_strbuf *b, const cc_cell *c, const cc_item *it, int line0)
{
    const cc_tok *first = &c->toks[it->first], *last = &c->toks[it->end - 1];
    cc_strbuf_printf(b, "#line %d \"cell\"\n", line0 + first->line - 1);
    cc_strbuf_printf(b, "%.*s%s\n", (int)(last->off + last->len - first->off), c->src + first->off,
           it->kind == CC_ITEM_STMT && it->no_semicolon ? ";" : "");
}

/* The program for body (cell lines start at line0). Returns malloc'd text,
 * or NULL with *err (malloc'd) when the cell cannot be split. */
static char *pm_program(const char *body, int line0, char **err)
{
    cc_cell c;
    if (cc_cell_split(body, NULL, NULL, &c, err) != 0)
        return NULL;
    cc_strbuf b = {0};
    cc_strbuf_printf(&b, "/* generated by cudacell for a profiling magic */\n"
               "#include <stdio.h>\n#include <stdlib.h>\n#include <stdint.h>\n"
               "#include <stdbool.h>\n#include <stddef.h>\n#include <string.h>\n"
               "#include <cuda_runtime.h>\n");
    bool has_main = false;
    for (size_t i = 0; i < c.n_items; i++)
        if (c.items[i].kind == CC_ITEM_FUNC && c.items[i].name && strcmp(c.items[i].name, "main") == 0)
            has_main = true;
    for (size_t i = 0; i < c.n_items; i++)
        if (has_main || c.items[i].kind != CC_ITEM_STMT)
            pm_put_item(&b, &c, &c.items[i], line0);
    if (!has_main) {
        cc_strbuf_printf(&b, "int main(int argc, char **argv)\n{\n    (void)argc; (void)argv;\n");
        for (size_t i = 0; i < c.n_items; i++)
            if (c.items[i].kind == CC_ITEM_STMT)
                pm_put_item(&b, &c, &c.items[i], line0);
        cc_strbuf_printf(&b, "    cudaDeviceSynchronize();\n    return 0;\n}\n");
    }
    cc_cell_free(&c);
    return b.s;
}

/* ---- the magic ---- */

static int pm_run(cc_out *x, cc_services *svc, const cc_segment *seg, const pm_tool *t)
{
    const char *body = seg->body ? seg->body : "";
    if (strspn(body, " \t\r\n") == strlen(body)) {
        char tb[512];
        snprintf(tb, sizeof tb, "%%%%%s needs code below its first line: CUDA code whose statements "
                 "become main() of a standalone program (or a cell with its own main()), e.g.\n"
                 "%%%%%s\n__global__ void k(float *p) { p[threadIdx.x] += 1; }\n"
                 "float *d; cudaMalloc(&d, 256 * sizeof(float));\nk<<<1, 256>>>(d);", t->magic, t->magic);
        cc_out_error(x, "UsageError", "the cell is empty", tb);
        return -1;
    }
    char *tool = pm_find(t);
    if (!tool) {
        pm_missing(x, t);
        return -1;
    }
    char *nvcc = cc_nvcc_find();
    if (!nvcc) {
        free(tool);
        char *m = cc_nvcc_missing_message();
        cc_out_error(x, "NvccNotFound", "nvcc was not found", m);
        free(m);
        return -1;
    }

    int rc = -1;
    char *err = NULL, *prog = NULL, *dir = NULL, *src = NULL;
    cc_strbuf cmd = {0};
    prog = pm_program(body, seg->line, &err);
    if (!prog) {
        cc_out_error(x, "SyntaxError", "the cell could not be split", err ? err : "");
        goto out;
    }
    static unsigned counter;
    dir = cc_xasprintf("%s/profile-%u", svc->workdir, ++counter);
    src = cc_xasprintf("%s/prog.cu", dir);
    if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || cc_sa_write_file(src, prog) != 0) {
        char m[512];
        snprintf(m, sizeof m, "Could not write the program to profile into %s (%s). Check that the disk "
                 "is not full; restarting the kernel makes a fresh work directory.", dir, strerror(errno));
        cc_out_error(x, "OSError", "could not write the program", m);
        goto out;
    }

    cc_out_printf(x, 1, "%%%%%s: profiling this cell as a standalone program (its statements are main(); "
                  "earlier cells' declarations are not part of it) with %s\n", t->magic, tool);

    /* 1. compile */
    char arch[32];
    cc_sa_gpu_arch(svc, arch, sizeof arch);
    cc_strbuf_printf(&cmd, "cd ");
    cc_sa_quote(&cmd, dir);
    cc_strbuf_printf(&cmd, " && ");
    cc_sa_quote(&cmd, nvcc);
    cc_strbuf_printf(&cmd, " -O2 -lineinfo -arch=%s %s -o prog prog.cu", arch[0] ? arch : CC_CUDA_DEFAULT_ARCH,
           svc->nvccflags ? svc->nvccflags : "");
    int st = cc_shell_run(x, cmd.s);
    if (x->failed)
        goto out;   /* interrupted, or could not start: already reported */
    if (st != 0) {
        cc_out_error(x, "CompileError", "nvcc could not compile the cell",
                     "nvcc's messages are above; cell(N) is line N of this notebook cell. "
                     "Remember that the program holds only this cell: declare here what it uses.");
        goto out;
    }

    /* 2. run under the profiler */
    cmd.len = 0;
    cc_strbuf_printf(&cmd, "cd ");
    cc_sa_quote(&cmd, dir);
    cc_strbuf_printf(&cmd, " && ");
    cc_sa_quote(&cmd, tool);
    cc_strbuf_printf(&cmd, " %s ./prog %s", seg->args && *seg->args ? seg->args : t->default_args,
           svc->args ? svc->args : "");
    st = cc_shell_run(x, cmd.s);
    if (x->failed)
        goto out;
    if (st != 0) {
        char m[512];
        snprintf(m, sizeof m, "%s exited with status %d; its messages are above. Check the arguments "
                 "after %%%%%s (run `!%s --help`), and that a GPU is visible (%%gpu).", t->exe, st,
                 t->magic, t->exe);
        cc_out_error(x, "ProfilerError", "the profiler failed", m);
        goto out;
    }
    rc = 0;
out:
    free(cmd.s);
    free(src);
    free(dir);
    free(prog);
    free(err);
    free(nvcc);
    free(tool);
    return rc;
}

int cc_magic_ncu(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    return pm_run(x, svc, seg, &pm_ncu);
}

int cc_magic_nsys(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    return pm_run(x, svc, seg, &pm_nsys);
}

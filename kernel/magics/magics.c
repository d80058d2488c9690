/* kernel/magics/magics.c — the table of magics and running a segment that is
 * not code: a `!` line (shellcmd.c), or a magic through its table entry. Each
 * entry says which handler runs it, whether it is a cell magic, whether it
 * takes arguments and whether it needs the runtime (the engine,
 * engine/engine.c, asks cc_segment_needs_runtime before taking the run
 * lock). The handlers are in this folder, one file per family (handlers.h);
 * the split is split.c. */
#include "magics.h"

#include <stdio.h>
#include <string.h>

#include "cc_output.h"
#include "handlers.h"
#include "services.h"
#include "shellcmd.h"

/* ---- the table ---------------------------------------------------------- */

#define RT CC_MAGIC_RUNTIME
#define RT_IF_ARGS CC_MAGIC_RUNTIME_IF_ARGS
#define ARGS CC_MAGIC_ARGS

/* name, cell magic?, flags, usage, help, handler (handlers.h names its file) */
static const cc_magic magic_table[] = {
    /* line magics */
    {"args", false, RT | ARGS, "%args [ARGS]",
     "Set the command-line arguments passed to main() (no ARGS: show them).", cc_magic_args},
    {"cd", false, ARGS, "%cd [DIR]",
     "Change the working directory (no DIR: $HOME, -: the previous one).", cc_magic_cd},
    {"cflags", false, RT | ARGS, "%cflags [FLAGS]",
     "Set extra C compiler flags, e.g. %cflags -O3 -march=native (no FLAGS: show them).", cc_magic_cflags},
    {"env", false, ARGS, "%env [NAME[=VALUE]]",
     "List, show or set environment variables (%env NAME=VALUE or %env NAME VALUE).", cc_magic_env},
    {"gpu", false, RT_IF_ARGS | ARGS, "%gpu [N]",
     "Show the GPUs and their memory; %gpu N selects device N for later cells.", cc_magic_gpu},
    {"lang", false, RT | ARGS, "%lang [c|cuda]",
     "Show the session's language, or set it: c (C cells, until the first CUDA cell) or cuda (every cell CUDA C++).", cc_magic_lang},
    {"ldflags", false, RT | ARGS, "%ldflags [FLAGS]",
     "Set extra linker flags, e.g. %ldflags -lm -lcublas (no FLAGS: show them).", cc_magic_ldflags},
    {"lsmagic", false, 0, "%lsmagic",
     "List every magic with a line of help.", cc_magic_lsmagic},
    {"nvccflags", false, RT | ARGS, "%nvccflags [FLAGS]",
     "Set extra nvcc flags for CUDA cells, e.g. %nvccflags -arch=sm_90 (no FLAGS: show them).", cc_magic_nvccflags},
    {"pwd", false, 0, "%pwd",
     "Show the working directory.", cc_magic_pwd},
    {"reset", false, RT, "%reset",
     "Forget every declaration and restart the runtime process (globals are lost).", cc_magic_reset},
    {"who", false, RT, "%who",
     "List the variables, functions, types and kernels defined so far.", cc_magic_who},
    /* cell magics */
    {"bash", true, 0, "%%bash",
     "Run the cell as a bash script, output streamed as it comes.", cc_magic_bash},
    {"c", true, RT, "%%c",
     "Compile the cell as C even if it looks like CUDA.", cc_magic_c},
    {"cuda", true, RT, "%%cuda",
     "Compile the cell as CUDA with nvcc.", cc_magic_cuda},
    {"mpirun", true, RT | ARGS, "%%mpirun [-np N] [OPTIONS]",
     "Run the cell as an MPI program under Open MPI's mpirun (options pass through), with the session's declarations; every rank's output tagged with its rank.", cc_magic_mpirun},
    {"ncu", true, ARGS, "%%ncu [ARGS]",
     "Profile the cell with Nsight Compute (ncu ARGS), built as a standalone program: its statements are main(), earlier cells are not part of it.", cc_magic_ncu},
    {"nsys", true, ARGS, "%%nsys [ARGS]",
     "Profile the cell with Nsight Systems (default: nsys profile --stats=true), built as a standalone program like %%ncu.", cc_magic_nsys},
    {"time", true, RT, "%%time",
     "Run the cell and report its wall and CPU time.", cc_magic_time},
    {"timeit", true, RT | ARGS, "%%timeit [-n N] [-r R] [-q] [-o]",
     "Run the cell's code many times (-n loops per run, -r runs) and report the mean time per loop.", cc_magic_timeit},
    {"writefile", true, ARGS, "%%writefile [-a] FILE",
     "Write the rest of the cell to FILE (-a: append to it).", cc_magic_writefile},
};

#undef RT
#undef RT_IF_ARGS
#undef ARGS

#define N_MAGICS (sizeof magic_table / sizeof magic_table[0])

const cc_magic *cc_magic_table(size_t *n)
{
    *n = N_MAGICS;
    return magic_table;
}

const cc_magic *cc_magic_find(const char *name, bool cell)
{
    for (size_t i = 0; i < N_MAGICS; i++)
        if (magic_table[i].cell == cell && strcmp(magic_table[i].name, name) == 0)
            return &magic_table[i];
    return NULL;
}

/* ---- dispatch ----------------------------------------------------------- */

static int unknown_magic(cc_out *x, const cc_segment *seg)
{
    bool cell = seg->kind == CC_SEG_CELL_MAGIC;
    const char *pct = cell ? "%%" : "%";
    char evalue[256], tb[768];
    snprintf(evalue, sizeof evalue, "Unknown magic: %s%s", pct, seg->name);
    int k = snprintf(tb, sizeof tb, "Unknown %s magic %s%s. Run %%lsmagic to list the magics this kernel knows.",
                     cell ? "cell" : "line", pct, seg->name);
    const cc_magic *other = cc_magic_find(seg->name, !cell);
    if (other && k > 0 && (size_t)k < sizeof tb)
        snprintf(tb + k, sizeof tb - k, cell
                 ? " (%%%s is a line magic: write it with one %%.)"
                 : " (%%%%%s is a cell magic: write it with two %%%% on the first line of the cell.)",
                 seg->name);
    cc_out_error(x, "UsageError", evalue, tb);
    return -1;
}

/* After `!cmd` exits 127 ("not found"): when cmd is nvidia-smi, say what its
 * absence means for CUDA cells. */
static void shell_note(cc_out *x, const char *cmd, int status)
{
    if (status != 127)
        return;
    while (*cmd == ' ' || *cmd == '\t')
        cmd++;
    const char *end = cmd + strcspn(cmd, " \t;|&<>"), *base = cmd;
    for (const char *p = cmd; p < end; p++)
        if (*p == '/')
            base = p + 1;
    if (end - base != 10 || memcmp(base, "nvidia-smi", 10) != 0)
        return;
    cc_out_printf(x, 2, "Note: nvidia-smi is not installed here. It comes with the NVIDIA driver, so this "
                        "machine (or container) has no NVIDIA driver and CUDA cells cannot use a GPU: they "
                        "still compile, and their host code runs. %%gpu shows what was detected.\n");
}

bool cc_segment_needs_runtime(const cc_segment *seg)
{
    if (seg->kind == CC_SEG_CODE)
        return true;
    if (seg->kind == CC_SEG_SHELL)
        return false;
    bool cell = seg->kind == CC_SEG_CELL_MAGIC;
    const cc_magic *m = cc_magic_find(seg->name, cell);
    if (!m || (cell && !seg->body))
        return false;
    if (m->flags & CC_MAGIC_RUNTIME_IF_ARGS)
        return seg->args && *seg->args;
    return m->flags & CC_MAGIC_RUNTIME;
}

int cc_magic_run(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    if (seg->kind == CC_SEG_CODE)
        return -1;   /* not a magic: the engine runs code cells */
    if (seg->kind == CC_SEG_SHELL) {
        if (seg->args[0] == '\0')
            return 0;
        shell_note(x, seg->args, cc_shell_run(x, seg->args));
        return x->failed ? -1 : 0;   /* a non-zero exit status is not an error */
    }
    bool cell = seg->kind == CC_SEG_CELL_MAGIC;
    const cc_magic *m = cc_magic_find(seg->name, cell);
    if (!m)
        return unknown_magic(x, seg);
    if (cell && !seg->body) {
        char evalue[160], tb[512];
        snprintf(evalue, sizeof evalue, "%%%%%s must be on the first line of the cell", seg->name);
        snprintf(tb, sizeof tb,
                 "Cell magic %%%%%s was found on line %d. A cell magic applies to the whole cell, so it must be "
                 "the cell's first line; move it to the top, or into a cell of its own. Line magics use a single %%.",
                 seg->name, seg->line);
        cc_out_error(x, "UsageError", evalue, tb);
        return -1;
    }
    return m->fn(x, svc, seg);
}

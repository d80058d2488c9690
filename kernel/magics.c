/* kernel/magics.c — splitting a cell into segments (code runs, `!` lines,
 * line magics, a leading cell magic), the table of magics, dispatching a
 * segment to its handler, and %lsmagic.
 * The handlers themselves live in magics_env.c, cells.c and cuda/gpu_magic.c. */
#include "magics.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_output.h"
#include "cells.h"
#include "clex.h"
#include "services.h"
#include "shellcmd.h"

/* ---- the table ---------------------------------------------------------- */

static const cc_magic magic_table[] = {
    /* line magics */
    {"args",      false, "%args [ARGS]",         "Set the command-line arguments passed to main() (no ARGS: show them).", cc_magic_args},
    {"cd",        false, "%cd [DIR]",            "Change the working directory (no DIR: $HOME, -: the previous one).", cc_magic_cd},
    {"cflags",    false, "%cflags [FLAGS]",      "Set extra C compiler flags, e.g. %cflags -O3 -march=native (no FLAGS: show them).", cc_magic_cflags},
    {"env",       false, "%env [NAME[=VALUE]]",  "List, show or set environment variables (%env NAME=VALUE or %env NAME VALUE).", cc_magic_env},
    {"gpu",       false, "%gpu [N]",             "Show the GPUs and their memory; %gpu N selects device N for later cells.", cc_magic_gpu},
    {"ldflags",   false, "%ldflags [FLAGS]",     "Set extra linker flags, e.g. %ldflags -lm -lcublas (no FLAGS: show them).", cc_magic_ldflags},
    {"lsmagic",   false, "%lsmagic",             "List every magic with a line of help.", cc_magic_lsmagic},
    {"nvccflags", false, "%nvccflags [FLAGS]",   "Set extra nvcc flags for CUDA cells, e.g. %nvccflags -arch=sm_90 (no FLAGS: show them).", cc_magic_nvccflags},
    {"pwd",       false, "%pwd",                 "Show the working directory.", cc_magic_pwd},
    {"reset",     false, "%reset",               "Forget every declaration and restart the runtime process (globals are lost).", cc_magic_reset},
    {"who",       false, "%who",                 "List the variables, functions, types and kernels defined so far.", cc_magic_who},
    /* cell magics */
    {"bash",      true,  "%%bash",               "Run the cell as a bash script, output streamed as it comes.", cc_magic_bash},
    {"c",         true,  "%%c",                  "Compile the cell as C even if it looks like CUDA.", cc_magic_c},
    {"cuda",      true,  "%%cuda",               "Compile the cell as CUDA with nvcc.", cc_magic_cuda},
    {"mpirun",    true,  "%%mpirun [-np N] [OPTIONS]", "Run the cell as an MPI program under Open MPI's mpirun (options pass through), with the session's declarations; every rank's output tagged with its rank.", cc_magic_mpirun},
    {"ncu",       true,  "%%ncu [ARGS]",         "Profile the cell with Nsight Compute (ncu ARGS), built as a standalone program: its statements are main(), earlier cells are not part of it.", cc_magic_ncu},
    {"nsys",      true,  "%%nsys [ARGS]",        "Profile the cell with Nsight Systems (default: nsys profile --stats=true), built as a standalone program like %%ncu.", cc_magic_nsys},
    {"time",      true,  "%%time",               "Run the cell and report its wall and CPU time.", cc_magic_time},
    {"timeit",    true,  "%%timeit [-n N] [-r R] [-q] [-o]", "Run the cell's code many times (-n loops per run, -r runs) and report the mean time per loop.", cc_magic_timeit},
    {"writefile", true,  "%%writefile [-a] FILE", "Write the rest of the cell to FILE (-a: append to it).", cc_magic_writefile},
};

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

/* ---- the split ---------------------------------------------------------- */

typedef struct seg_list {
    cc_segment *v;
    size_t n, cap;
} seg_list;

static char *xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        abort();
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* A trimmed copy of s[0..n) (blanks and a '\r' at either end removed). */
static char *trim_dup(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

static cc_segment *seg_push(seg_list *l, cc_seg_kind kind, int line)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    cc_segment *s = &l->v[l->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->line = line;
    return s;
}

/* Name (letters, digits, '_') then the trimmed rest as args. */
static void parse_magic(cc_segment *seg, const char *s, size_t len)
{
    size_t k = 0;
    while (k < len && (isalnum((unsigned char)s[k]) || s[k] == '_'))
        k++;
    seg->name = xstrndup(s, k);
    seg->args = trim_dup(s + k, len - k);
}

static bool blank_line(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i]))
            return false;
    return true;
}

/* Close the pending code run [start, end) as a CODE segment, unless blank. */
static void flush_code(seg_list *l, const char *code, size_t start, size_t end, int line)
{
    if (end <= start || blank_line(code + start, end - start))
        return;
    cc_segment *seg = seg_push(l, CC_SEG_CODE, line);
    seg->body = xstrndup(code + start, end - start);
}

/* A cell magic on a line other than the first: kept as a CELL_MAGIC segment
 * with body == NULL, which cc_magic_run reports as an error. */
int cc_magics_split(const char *code, cc_segment **segs, size_t *n)
{
    seg_list l = {0};
    cc_clex lex;
    cc_clex_init(&lex);
    size_t pos = 0, code_start = 0, total = strlen(code);
    int line = 1, code_line = 1;
    bool seen_content = false;

    while (pos < total) {
        const char *s = code + pos;
        const char *nl = memchr(s, '\n', total - pos);
        size_t len = nl ? (size_t)(nl - s) : total - pos;
        size_t next = pos + len + (nl ? 1 : 0);
        size_t rest = 0;
        int kind = cc_clex_at_top(&lex) ? cc_clex_magic_line(s, len, &rest) : 0;

        if (kind == 'C' && !seen_content) {
            cc_segment *seg = seg_push(&l, CC_SEG_CELL_MAGIC, line + 1);
            parse_magic(seg, s + rest, len - rest);
            seg->body = xstrndup(code + next, total - next);
            code_start = total;
            break;
        }
        if (kind) {
            flush_code(&l, code, code_start, pos, code_line);
            cc_segment *seg;
            if (kind == '!') {
                seg = seg_push(&l, CC_SEG_SHELL, line);
                if (rest < len && s[rest] == '!')   /* IPython's `!!cmd` */
                    rest++;
                seg->args = trim_dup(s + rest, len - rest);
            } else {
                seg = seg_push(&l, kind == 'C' ? CC_SEG_CELL_MAGIC : CC_SEG_LINE_MAGIC, line);
                parse_magic(seg, s + rest, len - rest);
            }
            code_start = next;
            code_line = line + 1;
        } else {
            cc_clex_line(&lex, s, len);
        }
        if (!blank_line(s, len))
            seen_content = true;
        pos = next;
        line++;
    }
    flush_code(&l, code, code_start, total, code_line);
    *segs = l.v;
    *n = l.n;
    return 0;
}

void cc_segments_free(cc_segment *segs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(segs[i].name);
        free(segs[i].args);
        free(segs[i].body);
    }
    free(segs);
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

int cc_magic_run(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    switch (seg->kind) {
    case CC_SEG_CODE:
        return cc_cell_execute(x, svc, seg->body, seg->line, -1, CC_CELL_RUN);
    case CC_SEG_SHELL:
        if (seg->args[0] == '\0')
            return 0;
        shell_note(x, seg->args, cc_shell_run(x, seg->args));
        return x->failed ? -1 : 0;   /* a non-zero exit status is not an error */
    case CC_SEG_LINE_MAGIC:
    case CC_SEG_CELL_MAGIC:
        break;
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

/* ---- %lsmagic ----------------------------------------------------------- */

int cc_magic_lsmagic(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    (void)svc;
    (void)seg;
    for (int pass = 0; pass < 2; pass++) {
        bool cell = pass == 1;
        cc_out_printf(x, 1, "%s%s magics:\n", cell ? "\n" : "", cell ? "Cell" : "Line");
        for (size_t i = 0; i < N_MAGICS; i++)
            if (magic_table[i].cell == cell)
                cc_out_printf(x, 1, "  %-24s %s\n", magic_table[i].usage, magic_table[i].help);
    }
    cc_out_printf(x, 1, "\nA line starting with ! runs a shell command, e.g. !ls -l or !nvidia-smi.\n");
    return 0;
}

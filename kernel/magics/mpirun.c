/* kernel/magics/mpirun.c — the %%mpirun cell magic: run a cell as an MPI
 * program, many processes (and GPUs) at once, under Open MPI's mpirun.
 *
 *   %%mpirun [-np N] [mpirun options]
 *
 * The cell, with the session's declarations and <cudacell_mpi.h> (mpi.h and
 * the NCCL helper), is built as a program by cc_sa_build_program
 * (standalone.c): C with $CC plus `mpicc --showme:compile/--showme:link`,
 * CUDA with nvcc plus the same flags. A cell that mentions nccl is CUDA
 * (as one with CUDA syntax) and links -lnccl. Variables are not shared with the ranks: earlier cells' variables
 * start zeroed in every process; a note says so. Then
 *
 *   OMPI_MCA_opal_signal= exec mpirun --tag-output <options> <program> <%args>
 *
 * runs through cc_shell_run: every rank's output streams as it comes,
 * prefixed by Open MPI with [job,rank]; an interrupt sends SIGINT to mpirun,
 * which ends the ranks (SIGTERM, then SIGKILL after its grace of one
 * second); a second interrupt escalates to SIGTERM/SIGKILL of mpirun, and
 * the ranks, armed with the parent-death signal, die with it. Each rank
 * records how it ended in a status file; opal_signal is emptied so Open
 * MPI's own crash handler does not replace the launcher's. After mpirun the
 * status of every rank is reported: a line when all exited with 0, else one
 * error naming the failing rank and its signal or status, and every rank's
 * end. Running as root passes Open MPI's opt-in (OMPI_ALLOW_RUN_AS_ROOT=1,
 * OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1) and says so. Hostfiles, -H and Slurm
 * allocations are Open MPI's business: options pass through unchanged. */
#include "child_spawn.h"
#include "handlers.h"

#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cc_output.h"
#include "cells.h"
#include "cellutil.h"
#include "display_dirs.h"
#include "interrupt.h"
#include "services.h"
#include "session.h"
#include "shellcmd.h"
#include "standalone.h"
#include "strbuf.h"
#include "xalloc.h"

#define MR_EXE "mpi-cell"

typedef struct mr_mpi {
    char *mpirun, *mpicc;
    int major;              /* Open MPI major version, 0 when unknown */
    char *cflags, *ldflags; /* from mpicc --showme */
} mr_mpi;

static void mr_mpi_free(mr_mpi *m)
{
    free(m->mpirun);
    free(m->mpicc);
    free(m->cflags);
    free(m->ldflags);
}

/* ---- finding Open MPI ---------------------------------------------------------- */

static void mr_missing(cc_out *x, const char *which)
{
    char *m = cc_xasprintf("%%%%mpirun needs Open MPI: '%s' was not found on PATH, so the cell did not run. "
                           "On Debian or Ubuntu install it with `sudo apt-get install -y openmpi-bin libopenmpi-dev` "
                           "(openmpi-bin brings mpirun, libopenmpi-dev mpicc and mpi.h), or put the bin folder of "
                           "your MPI installation on PATH (%%env PATH=/opt/openmpi/bin:$PATH); then run the cell "
                           "again. Other cells keep working.", which);
    char ev[96];
    snprintf(ev, sizeof ev, "%s was not found (Open MPI is not installed)", which);
    cc_out_error(x, "MPINotFound", ev, m);
    free(m);
}

/* mpicc next to mpirun, else on PATH. */
static char *mr_find_mpicc(const char *mpirun)
{
    const char *slash = strrchr(mpirun, '/');
    char *p = cc_xasprintf("%.*s/mpicc", slash ? (int)(slash - mpirun) : 1, slash ? mpirun : ".");
    if (access(p, X_OK) == 0)
        return p;
    free(p);
    return cc_spawn_find("mpicc");
}

/* Output of `exe arg` (trimmed, malloc'd), or NULL when it failed. */
static char *mr_ask(cc_out *x, const char *exe, const char *arg)
{
    char *argv[] = {(char *)exe, (char *)arg, NULL}, *out = NULL;
    int st = cc_sa_capture(x, argv, &out);
    if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        free(out);
        return NULL;
    }
    size_t n = strlen(out);
    while (n && isspace((unsigned char)out[n - 1]))
        out[--n] = '\0';
    return out;
}

/* Fills m, or reports one error and returns -1. */
static int mr_find(cc_out *x, mr_mpi *m)
{
    memset(m, 0, sizeof *m);
    if (!(m->mpirun = cc_spawn_find("mpirun"))) {
        mr_missing(x, "mpirun");
        return -1;
    }
    if (!(m->mpicc = mr_find_mpicc(m->mpirun))) {
        mr_missing(x, "mpicc");
        return -1;
    }
    char *ver = mr_ask(x, m->mpirun, "--version");
    const char *o = ver ? strstr(ver, "Open MPI)") : NULL;
    if (o)
        m->major = atoi(o + strlen("Open MPI)"));
    free(ver);
    m->cflags = mr_ask(x, m->mpicc, "--showme:compile");
    m->ldflags = mr_ask(x, m->mpicc, "--showme:link");
    if (cc_intr_count() > 0) {
        cc_out_error(x, "KeyboardInterrupt", "interrupted", "KeyboardInterrupt: nothing of this cell ran.");
        return -1;
    }
    if (!o || !m->cflags || !m->ldflags) {
        char *t = cc_xasprintf("%%%%mpirun works with Open MPI, but '%s --version' does not name Open MPI, or "
                               "'%s --showme:compile' failed, so the cell did not run. Put Open MPI first on PATH "
                               "(on Debian or Ubuntu: sudo apt-get install -y openmpi-bin libopenmpi-dev) and run "
                               "the cell again.", m->mpirun, m->mpicc);
        cc_out_error(x, "MPINotFound", "Open MPI's mpirun and mpicc were not found", t);
        free(t);
        return -1;
    }
    return 0;
}

/* ---- flags --------------------------------------------------------------------------- */

/* mpicc's flags as nvcc takes them: -I -D -L -l as they are, -Wl,a,b as
 * -Xlinker a -Xlinker b, anything else through -Xcompiler. */
static char *mr_nvcc_flags(const char *flags)
{
    size_t n = 0;
    char **w = cc_split_words(flags, &n, NULL);
    cc_strbuf b = {0};
    cc_strbuf_printf(&b, "%s", "");
    for (size_t i = 0; w && i < n; i++) {
        const char *s = w[i];
        if (s[0] == '-' && strchr("IDLl", s[1]) && s[1])
            cc_strbuf_printf(&b, " %s", s);
        else if (strncmp(s, "-Wl,", 4) == 0) {
            char *copy = cc_xstrdup(s + 4), *save = NULL;
            for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
                cc_strbuf_printf(&b, " -Xlinker %s", p);
            free(copy);
        } else
            cc_strbuf_printf(&b, " -Xcompiler %s", s);
    }
    cc_words_free(w);
    return b.s;
}

/* " -D__CC_MPI_HDR=<hash>": the compile cache hashes cudacell.h but not
 * cudacell_mpi.h, so a changed helper header must change the flags. */
static char *mr_header_define(void)
{
    char inc[PATH_MAX], lib[PATH_MAX];
    unsigned long long h = 14695981039346656037ull;   /* FNV-1a */
    if (cc_display_dirs(NULL, inc, lib) == 0) {
        char *path = cc_xasprintf("%s/cudacell_mpi.h", inc);
        FILE *f = fopen(path, "re");
        for (int c; f && (c = getc(f)) != EOF;)
            h = (h ^ (unsigned char)c) * 1099511628211ull;
        if (f)
            fclose(f);
        free(path);
    }
    return cc_xasprintf(" -D__CC_MPI_HDR=0x%llx", h);
}

/* The -L directories of flags (the program's run path); *n set. */
static char **mr_lib_dirs(const char *flags, size_t *n)
{
    size_t nw = 0;
    char **w = cc_split_words(flags, &nw, NULL);
    char **dirs = cc_xcalloc(nw + 1, sizeof *dirs);
    *n = 0;
    for (size_t i = 0; w && i < nw; i++)
        if (strncmp(w[i], "-L", 2) == 0 && w[i][2])
            dirs[(*n)++] = cc_xstrdup(w[i] + 2);
    cc_words_free(w);
    return dirs;
}

/* ---- after the run: every rank's end -------------------------------------------------- */

static const char *mr_signal_words(int sig)
{
    switch (sig) {
    case SIGSEGV: return "it read or wrote memory it does not own (a bad or NULL pointer, an index out of "
                         "bounds, or a use after free)";
    case SIGBUS: return "it accessed memory that cannot be accessed (misaligned, or a truncated mapped file)";
    case SIGFPE: return "an arithmetic error, usually an integer division by zero";
    case SIGABRT: return "abort() was called, for example by a failed assert()";
    case SIGILL: return "an illegal instruction";
    default: return NULL;
    }
}

static void mr_put_end(cc_strbuf *b, const cc_sa_status *s)
{
    if (s->end == CC_SA_EXIT)
        cc_strbuf_printf(b, "exited with status %d", s->value);
    else if (s->end == CC_SA_SIGNAL)
        cc_strbuf_printf(b, "killed by signal %d (SIG%s: %s)", s->value,
                         sigabbrev_np(s->value) ? sigabbrev_np(s->value) : "?", strsignal(s->value));
    else
        cc_strbuf_printf(b, "ended without recording how (SIGKILL, _exit() or MPI_Abort())");
}

static bool mr_same(const cc_sa_status *a, const cc_sa_status *b)
{
    return a->end == b->end && (a->end == CC_SA_STARTED || a->value == b->value);
}

/* "  ranks 0-2: exited with status 0" lines, runs of equal ends grouped. */
static void mr_put_ranks(cc_strbuf *b, const cc_sa_status *st, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && mr_same(&st[j], &st[i]) && st[j].rank == st[j - 1].rank + 1)
            j++;
        if (j - i == 1)
            cc_strbuf_printf(b, "  rank %ld: ", st[i].rank);
        else
            cc_strbuf_printf(b, "  ranks %ld-%ld: ", st[i].rank, st[j - 1].rank);
        mr_put_end(b, &st[i]);
        cc_strbuf_printf(b, "\n");
        i = j;
    }
}

/* The rank to blame: a crash first, then a non-zero exit, then any other end. */
static const cc_sa_status *mr_culprit(const cc_sa_status *st, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (st[i].end == CC_SA_SIGNAL && mr_signal_words(st[i].value))
            return &st[i];
    for (size_t i = 0; i < n; i++)
        if (st[i].end == CC_SA_EXIT && st[i].value != 0)
            return &st[i];
    for (size_t i = 0; i < n; i++)
        if (st[i].end != CC_SA_EXIT)
            return &st[i];
    return NULL;
}

static int mr_report(cc_out *x, const char *status_dir, int mpirun_status)
{
    cc_sa_status *st = NULL;
    size_t n = cc_sa_read_status(status_dir, &st);
    const cc_sa_status *bad = mr_culprit(st, n);
    if (!bad && mpirun_status == 0) {
        if (n)
            cc_out_printf(x, 1, "%%%%mpirun: %zu rank%s, every one exited with status 0.\n", n, n == 1 ? "" : "s");
        free(st);
        return 0;
    }
    cc_strbuf ev = {0}, tb = {0};
    const char *ename = "MPIRunError";
    if (bad && bad->end == CC_SA_SIGNAL) {
        const char *words = mr_signal_words(bad->value);
        ename = cc_signal_ename(bad->value);
        cc_strbuf_printf(&ev, "rank %ld crashed: SIG%s (%s)", bad->rank,
                         sigabbrev_np(bad->value) ? sigabbrev_np(bad->value) : "?", strsignal(bad->value));
        cc_strbuf_printf(&tb, "Rank %ld of the %%%%mpirun job was killed by signal %d (SIG%s, %s)%s%s.\n",
                         bad->rank, bad->value, sigabbrev_np(bad->value) ? sigabbrev_np(bad->value) : "?",
                         strsignal(bad->value), words ? ": " : "", words ? words : "");
    } else if (bad && bad->end == CC_SA_EXIT) {
        ename = "Exit";
        cc_strbuf_printf(&ev, "rank %ld exited with status %d", bad->rank, bad->value);
        cc_strbuf_printf(&tb, "Rank %ld of the %%%%mpirun job exited with status %d.\n", bad->rank, bad->value);
    } else {
        cc_strbuf_printf(&ev, "mpirun exited with status %d", mpirun_status);
        cc_strbuf_printf(&tb, "mpirun exited with status %d%s.\n", mpirun_status,
                         bad ? ", and a rank ended without recording how" : "");
    }
    if (n) {
        cc_strbuf_printf(&tb, "How every rank ended:\n");
        mr_put_ranks(&tb, st, n);
    } else {
        cc_strbuf_printf(&tb, "No rank recorded how it ended: mpirun did not start them (its message is "
                              "above; for more ranks than cores add --oversubscribe), or they ran on other "
                              "hosts that do not share the kernel's work directory.\n");
    }
    cc_strbuf_printf(&tb, "mpirun's own messages are above (when one rank fails, mpirun ends the others with "
                          "SIGTERM). The kernel and this session are unaffected: fix the cell and run it again.");
    cc_out_error(x, ename, ev.s, tb.s);
    free(ev.s);
    free(tb.s);
    free(st);
    return -1;
}

/* ---- the magic ------------------------------------------------------------------------- */

static int mr_usage(cc_out *x, const char *why)
{
    char tb[640];
    snprintf(tb, sizeof tb, "%s. %%%%mpirun runs the rest of the cell as an MPI program, e.g.\n"
             "%%%%mpirun -np 4\nMPI_Init(NULL, NULL);\nint rank; MPI_Comm_rank(MPI_COMM_WORLD, &rank);\n"
             "printf(\"hello from rank %%d\\n\", rank);\nMPI_Finalize();\n"
             "Options on the first line go to mpirun unchanged (-np, -H, --hostfile, --oversubscribe...).", why);
    cc_out_error(x, "UsageError", why, tb);
    return -1;
}

/* The mpirun command line (malloc'd). */
static char *mr_command(const mr_mpi *m, const cc_segment *seg, const char *exe, const char *args)
{
    cc_strbuf c = {0};
    if (!getenv("OMPI_MCA_opal_signal"))
        cc_strbuf_printf(&c, "OMPI_MCA_opal_signal= ");
    if (geteuid() == 0)
        cc_strbuf_printf(&c, "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ");
    cc_strbuf_printf(&c, "exec ");
    cc_sa_quote(&c, m->mpirun);
    cc_strbuf_printf(&c, " %s %s ", m->major >= 5 ? "--output tag" : "--tag-output", seg->args ? seg->args : "");
    cc_sa_quote(&c, exe);
    cc_strbuf_printf(&c, " %s", args ? args : "");
    return c.s;
}

int cc_magic_mpirun(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    const char *body = seg->body ? seg->body : "";
    if (strspn(body, " \t\r\n") == strlen(body))
        return mr_usage(x, "the %%mpirun cell is empty");
    char *err = NULL;
    size_t nw;
    char **w = cc_split_words(seg->args ? seg->args : "", &nw, &err);
    if (!w) {
        int rc = mr_usage(x, err ? err : "the mpirun options cannot be read");
        free(err);
        return rc;
    }
    cc_words_free(w);

    mr_mpi m;
    int rc = -1;
    char *dir = NULL, *status = NULL, *code = NULL, *exe = NULL, *cmd = NULL, *cflags = NULL, *nvccflags = NULL, *ldflags = NULL;
    size_t n_rpath = 0;
    char **rpath = NULL;
    if (mr_find(x, &m) < 0 || !(dir = cc_sa_job_dir(x, svc, "mpirun")))
        goto out;
    status = cc_xasprintf("%s/status", dir);
    code = cc_xasprintf("#include <cudacell_mpi.h>\n%s", body);
    if (mkdir(status, 0700) != 0) {
        cc_out_error(x, "OSError", "could not create the status directory", status);
        goto out;
    }
    bool nccl = strstr(body, "nccl") != NULL;   /* ncclAllReduce, cc_nccl_init, <nccl.h> */
    bool cuda = nccl || cc_cell_is_cuda(body) || cc_session_is_cxx(svc->session);   /* a C++ session's cell is C++ */
    char *hdr = mr_header_define(), *nv = mr_nvcc_flags(m.cflags);
    cflags = cc_xasprintf("%s%s", m.cflags, hdr);
    nvccflags = cc_xasprintf("%s%s", nv, hdr);
    free(hdr);
    free(nv);
    char *link = cuda ? mr_nvcc_flags(m.ldflags) : cc_xstrdup(m.ldflags);
    ldflags = cc_xasprintf("%s%s", link, nccl ? " -lnccl" : "");
    free(link);
    rpath = mr_lib_dirs(m.ldflags, &n_rpath);
    cc_sa_build b = {
        .code = code, .first_line = seg->line - 1, .lang = cuda ? CC_LANG_CUDA : CC_LANG_C,
        .cflags = cflags, .nvccflags = nvccflags, .ldflags = ldflags,
        .rpath = (const char *const *)rpath, .n_rpath = n_rpath,
        .dir = dir, .exe_name = MR_EXE, .status_dir = status,
    };
    bool is_cuda = false;
    if (!(exe = cc_sa_build_program(x, svc, &b, &is_cuda)))
        goto out;
    cc_out_printf(x, 1, "%%%%mpirun: this cell runs as an MPI program in every rank, with the session's "
                  "types, functions, kernels and macros; variables are not shared between processes "
                  "(earlier cells' variables start zeroed in each rank).\n");
    if (geteuid() == 0)
        cc_out_printf(x, 2, "note: the kernel runs as root, so %%%%mpirun gives mpirun Open MPI's opt-in "
                      "(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1).\n");
    cmd = mr_command(&m, seg, exe, svc->args);
    int st = cc_shell_run(x, cmd);
    if (x->failed)
        goto out;   /* interrupted, or could not start: reported */
    rc = mr_report(x, status, st);
out:
    for (size_t i = 0; i < n_rpath; i++)
        free(rpath[i]);
    free(rpath);
    free(cmd);
    free(exe);
    free(ldflags);
    free(nvccflags);
    free(cflags);
    free(code);
    free(status);
    free(dir);
    mr_mpi_free(&m);
    return rc;
}

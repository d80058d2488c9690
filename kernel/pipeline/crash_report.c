/* kernel/pipeline/crash_report.c — the kernel's side of crash locations (see
 * crash_report.h): the table object → cell, and addr2line.
 *
 * Owns: the table (sonames, copies of the cells' code). For each cell object
 * among the frames it runs `addr2line -a -f -i -C -e <object> <offsets>`
 * once (cells are compiled with line tables: -g), then leaves the reading
 * and the layout to crash_format.c. Return addresses are looked up one byte
 * earlier, so a call is found on its own line, not the next one. */
#include "crash_report.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_spawn.h"
#include "crash_format.h"
#include "log.h"
#include "xalloc.h"

extern char **environ;

#define CC_A2L_TIMEOUT_MS 10000
#define CC_A2L_OUT_MAX (4u << 20)

typedef struct cell_entry {
    char *soname, *code;
    int count, first_line;
} cell_entry;

struct cc_crash_cells {
    cell_entry *v;
    size_t n, cap;
};

/* ---- the table ------------------------------------------------------------- */

cc_crash_cells *cc_crash_cells_new(void) { return cc_xcalloc(1, sizeof(cc_crash_cells)); }

void cc_crash_cells_clear(cc_crash_cells *cells)
{
    for (size_t i = 0; cells && i < cells->n; i++) {
        free(cells->v[i].soname);
        free(cells->v[i].code);
    }
    if (cells)
        cells->n = 0;
}

void cc_crash_cells_free(cc_crash_cells *cells)
{
    if (!cells)
        return;
    cc_crash_cells_clear(cells);
    free(cells->v);
    free(cells);
}

void cc_crash_cells_add(cc_crash_cells *cells, const char *soname, int count, const char *code, int first_line)
{
    cell_entry *e = NULL;
    for (size_t i = 0; i < cells->n && !e; i++)
        if (strcmp(cells->v[i].soname, soname) == 0)
            e = &cells->v[i];
    if (e) {
        free(e->code);
    } else {
        if (cells->n == cells->cap) {
            cells->cap = cells->cap ? cells->cap * 2 : 32;
            cells->v = cc_xrealloc(cells->v, cells->cap * sizeof *cells->v);
        }
        e = &cells->v[cells->n++];
        e->soname = cc_xstrdup(soname);
    }
    e->code = cc_xstrdup(code ? code : "");
    e->count = count;
    e->first_line = first_line;
}

static const cell_entry *find_cell(const cc_crash_cells *cells, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    for (size_t i = 0; cells && i < cells->n; i++)
        if (strcmp(cells->v[i].soname, base) == 0)
            return &cells->v[i];
    return NULL;
}

/* ---- addr2line --------------------------------------------------------------- */

/* addr2line's stdout for these addresses of obj, or NULL. */
static char *run_addr2line(const char *obj, const uint64_t *addrs, size_t n)
{
    char **argv = cc_xcalloc(n + 8, sizeof *argv);
    char (*hex)[24] = cc_xcalloc(n ? n : 1, sizeof *hex);
    const char *fixed[] = {"addr2line", "-a", "-f", "-i", "-C", "-e", obj};
    size_t k = 0;
    for (; k < sizeof fixed / sizeof fixed[0]; k++)
        argv[k] = (char *)fixed[k];
    for (size_t i = 0; i < n; i++) {
        snprintf(hex[i], sizeof hex[i], "0x%llx", (unsigned long long)addrs[i]);
        argv[k++] = hex[i];
    }
    char *out = NULL;
    int status;
    int rc = cc_spawn_capture(argv, NULL, CC_A2L_TIMEOUT_MS, &out, NULL, &status);
    if (rc < 0)
        cc_log_warn("crash report: cannot run addr2line: %s", strerror(errno));
    else if (rc != CC_CAPTURE_DONE || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        free(out);
        out = NULL;
    }
    free(hex);
    free(argv);
    return out;
}

/* The address looked up for frame i: a return address minus one, so it
 * lies inside the call instruction. */
static uint64_t lookup_addr(const cc_crash *c, size_t i)
{
    uint64_t off = c->frames[i].offset;
    return i == 0 || off == 0 ? off : off - 1;
}

/* addr2line once for object o; fills syms[i] for its frames (groups is
 * kept for freeing). */
static void symbolize(const cc_crash *c, uint32_t o, const cc_a2l_group **syms, cc_a2l_group **groups,
                      size_t *ngroups)
{
    uint64_t *addrs = cc_xcalloc(c->nframes ? c->nframes : 1, sizeof *addrs);
    size_t n = 0;
    for (size_t i = 0; i < c->nframes; i++)
        if (c->frames[i].obj == o)
            addrs[n++] = lookup_addr(c, i);
    char *out = n ? run_addr2line(c->objs[o], addrs, n) : NULL;
    *ngroups = out ? cc_a2l_parse(out, groups) : 0;
    free(out);
    free(addrs);
    size_t g = 0;   /* addr2line answers in the order asked */
    for (size_t i = 0; i < c->nframes && g < *ngroups; i++)
        if (c->frames[i].obj == o && (*groups)[g].addr == lookup_addr(c, i))
            syms[i] = &(*groups)[g++];
}

static char *upper_first(const char *s)
{
    char *t = cc_xstrdup(s);
    if (*t >= 'a' && *t <= 'z')
        *t = (char)(*t - 'a' + 'A');
    return t;
}

char *cc_crash_report(const cc_crash_cells *cells, const char *payload, size_t len, const char *note)
{
    cc_crash c;
    if (cc_crash_decode(payload, len, &c) < 0) {
        return NULL;
    }
    cc_crash_cell *info = cc_xcalloc(c.nobj ? c.nobj : 1, sizeof *info);
    const cc_crash_cell **per_obj = cc_xcalloc(c.nobj ? c.nobj : 1, sizeof *per_obj);
    const cc_a2l_group **syms = cc_xcalloc(c.nframes ? c.nframes : 1, sizeof *syms);
    cc_a2l_group **groups = cc_xcalloc(c.nobj ? c.nobj : 1, sizeof *groups);
    size_t *ngroups = cc_xcalloc(c.nobj ? c.nobj : 1, sizeof *ngroups);
    for (uint32_t o = 0; o < c.nobj; o++) {
        const cell_entry *e = find_cell(cells, c.objs[o]);
        if (!e)
            continue;
        info[o] = (cc_crash_cell){e->count, e->code, e->first_line};
        per_obj[o] = &info[o];
        symbolize(&c, o, syms, &groups[o], &ngroups[o]);
    }
    char *frames = cc_crash_frames_text(&c, per_obj, syms);
    char *cause = note && *note ? upper_first(note) : cc_crash_cause(c.sig, c.code, c.addr);
    char *text = cc_xasprintf("%s\n%s", cause, frames);
    free(cause);
    free(frames);
    for (uint32_t o = 0; o < c.nobj; o++)
        cc_a2l_free(groups[o], ngroups[o]);
    free(groups);
    free(ngroups);
    free(syms);
    free(per_obj);
    free(info);
    cc_crash_clear(&c);
    return text;
}

/* bench/frontend_split.c — times cudacell's own cell splitter (kernel/cell:
 * cc_cell_split) on whole files and prints the top-level items it finds, for
 * bench/bench_frontend.py to compare with libclang's. Not part of the
 * product; the script compiles it against build/kernel/cell/libcccell.a and
 * build/kernel/util/libccutil.a.
 *
 *     frontend_split REPS FILE...
 *
 * A .c file holding #if/#ifdef/... is first settled as the kernel does for a
 * C cell (kernel/cell/cellpp.c: the probe run through `cc -E -P`, the
 * untaken branches blanked, offsets kept). One line per file: name, median
 * microseconds of one split over REPS runs, microseconds of that
 * preprocessor step (0 when none), then the items as KIND:FIRST-END byte ranges (END exclusive, a trailing ';'
 * left out so ranges compare with clang's cursor extents). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cellpp.h"
#include "cellsplit.h"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (n + 1 == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (buf) buf[n] = 0;
    return buf;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *kind_name(cc_item_kind k)
{
    switch (k) {
    case CC_ITEM_PREPROC: return "PP";
    case CC_ITEM_TYPE: return "TYPE";
    case CC_ITEM_FUNC: return "FUNC";
    case CC_ITEM_DECL: return "DECL";
    case CC_ITEM_STMT: return "STMT";
    default: return "OTHER";
    }
}

static void print_items(const cc_cell *c)
{
    for (size_t i = 0; i < c->n_items; i++) {
        const cc_item *it = &c->items[i];
        size_t last = it->end - 1;
        if (last > it->first && c->toks[last].len == 1 && c->src[c->toks[last].off] == ';') last--;
        int end = c->toks[last].off + c->toks[last].len;
        printf(" %s:%d-%d", kind_name(it->kind), c->toks[it->first].off, end);
    }
}

/* The cell with its untaken #if branches blanked (src itself when nothing
 * needs settling); *us is the time it took. */
static char *settle_conditionals(const char *path, char *src, double *us)
{
    *us = 0;
    size_t n = strlen(path);
    if (n < 2 || strcmp(path + n - 2, ".c") || !cc_pp_has_cond(src)) return src;
    double t0 = now_us();
    cc_pp_probe pr;
    if (cc_pp_probe_build(src, 1, &pr)) return src;
    char tmp[] = "/tmp/frontend_split_XXXXXX";
    FILE *f = fdopen(mkstemp(tmp), "w");
    fputs(pr.text, f);
    fclose(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "cc -E -P -std=gnu17 -O1 -x c %s 2>/dev/null", tmp);
    FILE *p = popen(cmd, "r");
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    for (size_t got; (got = fread(out + len, 1, cap - len - 1, p)) > 0;)
        if ((len += got) + 1 == cap) out = realloc(out, cap *= 2);
    out[len] = 0;
    pclose(p);
    remove(tmp);
    char *res = cc_pp_apply(src, &pr, out);
    free(out);
    cc_pp_probe_free(&pr);
    *us = now_us() - t0;
    if (!res) return src;
    free(src);
    return res;
}

static int bench_file(const char *path, int reps)
{
    char *src = read_all(path);
    if (!src) { fprintf(stderr, "%s: cannot read\n", path); return -1; }
    double pp_us;
    src = settle_conditionals(path, src, &pp_us);
    double *t = malloc(sizeof *t * reps);
    cc_cell c;
    char *err = NULL;
    for (int r = 0; r < reps; r++) {
        double t0 = now_us();
        int rc = cc_cell_split(src, NULL, NULL, &c, &err);
        t[r] = now_us() - t0;
        if (rc) { printf("%s\t-1\t0\tREFUSED %s\n", path, err); free(err); free(t); free(src); return 0; }
        if (r + 1 < reps) cc_cell_free(&c);
    }
    qsort(t, reps, sizeof *t, cmp_double);
    printf("%s\t%.2f\t%.0f\t", path, t[reps / 2], pp_us);
    print_items(&c);
    printf("\n");
    cc_cell_free(&c);
    free(t);
    free(src);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s REPS FILE...\n", argv[0]); return 2; }
    int reps = atoi(argv[1]);
    if (reps < 1) reps = 1;
    for (int i = 2; i < argc; i++) bench_file(argv[i], reps);
    return 0;
}

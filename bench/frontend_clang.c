/* bench/frontend_clang.c — times libclang (the C API of clang, Debian
 * libclang-dev) parsing whole files and prints the extents of their top-level
 * declarations, for bench/bench_frontend.py to compare with cudacell's own
 * splitter (bench/frontend_split.c). A measurement tool only: libclang is
 * not a dependency of cudacell, and the script skips when it is absent.
 *
 *     frontend_clang MODE REPS FILE... -- CLANG-ARGS...
 *
 * MODE: full (headers parsed), single (CXTranslationUnit_SingleFileParse:
 * #include skipped), skip (full + SkipFunctionBodies), preamble (parse once
 * with PrecompiledPreamble, then time reparses of the text with its tail
 * changed, as a next cell sharing the includes would be).
 *
 * One line per file, tab-separated: name, median microseconds over REPS,
 * microseconds of the first parse, errors in the file, errors in headers,
 * VmRSS in kB with the unit alive, then the top-level declarations, with
 * overlapping extents merged (`int a, b;` is two cursors), as KIND:FIRST-END
 * byte ranges, END exclusive. */
#define _POSIX_C_SOURCE 200809L
#include <clang-c/Index.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct range { unsigned a, b; const char *kind; } range;
typedef struct ranges { range *v; size_t n, cap; CXFile main; } ranges;

static char *read_all(const char *path, unsigned long *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 64);
    if (fread(buf, 1, n, f) != (size_t)n) n = 0;
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *kind_of(CXCursor c)
{
    switch (clang_getCursorKind(c)) {
    case CXCursor_FunctionDecl: case CXCursor_FunctionTemplate: case CXCursor_CXXMethod:
    case CXCursor_Constructor: case CXCursor_Destructor: case CXCursor_ConversionFunction:
        return clang_isCursorDefinition(c) ? "FUNC" : "DECL";
    case CXCursor_StructDecl: case CXCursor_UnionDecl: case CXCursor_EnumDecl: case CXCursor_ClassDecl:
    case CXCursor_TypedefDecl: case CXCursor_TypeAliasDecl: case CXCursor_ClassTemplate:
    case CXCursor_ClassTemplatePartialSpecialization:
        return "TYPE";
    case CXCursor_VarDecl:
        return "DECL";
    default:
        return "OTHER";
    }
}

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    ranges *r = data;
    CXFile f;
    clang_getFileLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
    if (!f || !clang_File_isEqual(f, r->main)) return CXChildVisit_Continue;   /* a header's */
    if (clang_isPreprocessing(clang_getCursorKind(c))) return CXChildVisit_Continue;
    CXSourceRange ext = clang_getCursorExtent(c);
    unsigned a, b;
    clang_getFileLocation(clang_getRangeStart(ext), NULL, NULL, NULL, &a);
    clang_getFileLocation(clang_getRangeEnd(ext), NULL, NULL, NULL, &b);
    if (r->n == r->cap) r->v = realloc(r->v, sizeof *r->v * (r->cap = r->cap ? 2 * r->cap : 64));
    r->v[r->n++] = (range){ a, b, kind_of(c) };
    return CXChildVisit_Continue;
}

static int cmp_range(const void *x, const void *y)
{
    const range *p = x, *q = y;
    return p->a != q->a ? (p->a > q->a) - (p->a < q->a) : (p->b > q->b) - (p->b < q->b);
}

/* Merge overlapping extents: `int a, b;` and `struct S {…} s;` are one item. */
static void merge(ranges *r)
{
    qsort(r->v, r->n, sizeof *r->v, cmp_range);
    size_t o = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (o && r->v[i].a < r->v[o - 1].b) {
            if (r->v[i].b > r->v[o - 1].b) r->v[o - 1].b = r->v[i].b;
            if (!strcmp(r->v[i].kind, "FUNC")) r->v[o - 1].kind = "FUNC";
            continue;
        }
        r->v[o++] = r->v[i];
    }
    r->n = o;
}

static void count_errors(CXTranslationUnit tu, int *in_file, int *in_headers)
{
    *in_file = *in_headers = 0;
    for (unsigned i = 0, n = clang_getNumDiagnostics(tu); i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
            if (getenv("FRONTEND_CLANG_DIAG")) {   /* print the errors too */
                CXString s = clang_formatDiagnostic(d, clang_defaultDiagnosticDisplayOptions());
                fprintf(stderr, "%s\n", clang_getCString(s));
                clang_disposeString(s);
            }
            if (clang_Location_isFromMainFile(clang_getDiagnosticLocation(d))) (*in_file)++;
            else (*in_headers)++;
        }
        clang_disposeDiagnostic(d);
    }
}

typedef struct cfg {
    const char *mode;
    int reps;
    const char *const *args;
    int n_args;
    unsigned flags;
} cfg;

static CXTranslationUnit parse(CXIndex idx, const cfg *k, const char *path, const char *text,
                               unsigned long len)
{
    struct CXUnsavedFile u = { path, text, len };
    CXTranslationUnit tu = NULL;
    if (clang_parseTranslationUnit2(idx, path, k->args, k->n_args, &u, 1, k->flags, &tu) != CXError_Success)
        return NULL;
    return tu;
}

/* A reparse as the next cell would be: same text, its tail changed. */
static double reparse_us(CXTranslationUnit tu, const char *path, char *text, unsigned long len, int r)
{
    int n = snprintf(text + len, 64, "\n/*%d*/\n", r);
    struct CXUnsavedFile u = { path, text, len + n };
    double t0 = now_us();
    clang_reparseTranslationUnit(tu, 1, &u, clang_defaultReparseOptions(tu));
    double t = now_us() - t0;
    text[len] = 0;
    return t;
}

static void print_result(const char *path, double med, double first, CXTranslationUnit tu)
{
    int ef, eh;
    count_errors(tu, &ef, &eh);
    ranges r = { 0 };
    r.main = clang_getFile(tu, path);
    clang_visitChildren(clang_getTranslationUnitCursor(tu), visit, &r);
    merge(&r);
    printf("%s\t%.1f\t%.1f\t%d\t%d\t%ld\t", path, med, first, ef, eh, rss_kb());
    for (size_t i = 0; i < r.n; i++) printf(" %s:%u-%u", r.v[i].kind, r.v[i].a, r.v[i].b);
    printf("\n");
    free(r.v);
}

static void bench_file(CXIndex idx, const cfg *k, const char *path)
{
    unsigned long len;
    char *text = read_all(path, &len);
    if (!text) { printf("%s\t-1\tunreadable\n", path); return; }
    double *t = malloc(sizeof *t * k->reps), first = 0;
    CXTranslationUnit tu = NULL;
    for (int r = 0; r < k->reps; r++) {
        if (tu && strcmp(k->mode, "preamble")) clang_disposeTranslationUnit(tu), tu = NULL;
        if (!tu) {
            double t0 = now_us();
            tu = parse(idx, k, path, text, len);
            t[r] = now_us() - t0;
            if (!tu) { printf("%s\t-1\tparse failed\n", path); free(t); free(text); return; }
            if (!r) first = t[r];
        } else {
            t[r] = reparse_us(tu, path, text, len, r);
        }
    }
    /* preamble: the first parse builds the preamble; the reparses reuse it */
    int skip = strcmp(k->mode, "preamble") ? 0 : (k->reps > 2 ? 1 : 0);
    qsort(t + skip, k->reps - skip, sizeof *t, cmp_double);
    print_result(path, t[skip + (k->reps - skip) / 2], first, tu);
    clang_disposeTranslationUnit(tu);
    free(t);
    free(text);
}

int main(int argc, char **argv)
{
    int dd = 1;
    while (dd < argc && strcmp(argv[dd], "--")) dd++;
    if (dd < 4) { fprintf(stderr, "usage: %s MODE REPS FILE... -- CLANG-ARGS...\n", argv[0]); return 2; }
    cfg k = { argv[1], atoi(argv[2]), (const char *const *)argv + dd + 1, argc - dd - 1, 0 };
    if (k.reps < 1) k.reps = 1;
    k.flags = CXTranslationUnit_KeepGoing;
    if (!strcmp(k.mode, "single")) k.flags |= CXTranslationUnit_SingleFileParse;
    if (!strcmp(k.mode, "skip")) k.flags |= CXTranslationUnit_SkipFunctionBodies;
    if (!strcmp(k.mode, "preamble"))
        k.flags |= CXTranslationUnit_PrecompiledPreamble | CXTranslationUnit_CreatePreambleOnFirstParse;
    CXIndex idx = clang_createIndex(0, 0);
    fprintf(stderr, "rss after loading libclang: %ld kB\n", rss_kb());
    for (int i = 3; i < dd; i++) bench_file(idx, &k, argv[i]);
    clang_disposeIndex(idx);
    return 0;
}

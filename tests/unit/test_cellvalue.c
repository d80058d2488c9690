/* tests/unit/test_cellvalue.c — kernel/cell/cellvalue.c: which last expressions
 * are truth values (table-driven), and the struct formatters it generates,
 * compiled for real (cc, and c++ for the CUDA-cell form) into a program
 * that shows values through libcudacell's __CC_SHOW with a capturing sink,
 * so the printed text is checked, not the generated source. In a sanitizer
 * build the program gets the same -fsanitize (the library is instrumented). */
#include "cellvalue.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- booleans ------------------------------------------------------------ */

static void test_boolean(void)
{
    static const struct { const char *expr; bool want; } cases[] = {
        {"3 > 2", true}, {"a == b", true}, {"x != 0 && y", true}, {"p || q", true},
        {"a <= b", true}, {"(a >= b)", true}, {"!done", true}, {"true", true},
        {"false", true}, {"(int)x > 3", true}, {"sizeof x > 2", true}, {"-a < b", true},
        {"f(a > b)", false}, {"a > b ? 1 : 2", false}, {"x = a > b", false},
        {"(a > b) + 1", false}, {"a > b, 7", false}, {"a & b == c", false},
        {"!a + 1", false}, {"a - b", false}, {"x", false}, {"(int)(a < b)", false},
        {"arr[i < j]", false}, {"a < b | c", false}, {"t", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cc_cell c;
        char *err = NULL;
        if (cc_cell_split(cases[i].expr, NULL, NULL, &c, &err)) {
            CHECK(0, "split %s: %s", cases[i].expr, err);
            free(err);
            continue;
        }
        bool got = c.n_items == 1 && cv_is_boolean(&c, c.items[0].first, c.items[0].end);
        CHECK(got == cases[i].want, "%s is %sa truth value", cases[i].expr, cases[i].want ? "" : "not ");
        cc_cell_free(&c);
    }
}

/* ---- generated formatters, compiled and run ---------------------------------- */

static const char *const TYPES[] = {
    "struct v2 { int x; double y; };",
    "struct seg { struct v2 a, b; int tag[3]; char name[8]; const char *note; };",
    "typedef struct { float w; unsigned flags : 3; union { int i; float f; }; struct { int u, v; } uv; } pk_t;",
    "struct outer { struct inner { short q; } in; long n; };",
    "struct flex { int n; int data[]; };",
    "struct odd {\n#ifdef NOPE\n int hidden;\n#endif\n int seen; };",
    "enum color { RED, GREEN };",
};

/* The values main() shows, one per line, and what each must print. */
static const struct { const char *decl, *want, *cxx; } SHOWN[] = {
    {"struct v2 v = {1, 2.5};", "{x = 1, y = 2.5}", NULL},
    {"struct seg s = {{1, 2}, {3, 4.5}, {7, 8, 9}, \"ab\", \"hi\"};",
     "{a = {x = 1, y = 2.0}, b = {x = 3, y = 4.5}, tag = {7, 8, 9}, name = \"ab\", note = \"hi\"}", NULL},
    {"pk_t p = {1.5f, 5, {.f = 0.5f}, {1, 2}};",
     "{w = 1.5, flags = 5, {i = 1056964608, f = 0.5}, uv = {u = 1, v = 2}}", NULL},
    /* C++: a nested type is outer::inner, which gets no formatter */
    {"struct outer o = {{3}, 4};", "{in = {q = 3}, n = 4}", "{in = {...}, n = 4}"},
    {"struct inner in = {9};", "{q = 9}", ""},
    {"struct flex fl = {2};", "{n = 2, data = {...}}", NULL},
    {"struct odd od = {6};", "(value not shown", NULL},
    {"struct v2 vs[2] = {{1, 1}, {2, 2}};", "{{x = 1, y = 1.0}, {x = 2, y = 2.0}}", NULL},
    {"int m[2][3] = {{1, 2, 3}, {4, 5, 6}};", "{{1, 2, 3}, {4, 5, 6}}", NULL},
    {"bool b = 1;", "true", NULL},
    {"char ch = 'A';", "65 'A'", NULL},
};

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *s = calloc(1, 1 << 16);
    if (s) fread(s, 1, (1 << 16) - 1, f);
    fclose(f);
    return s;
}

/* Writes the program for cxx or C, compiles and runs it; returns its output. */
static char *build_and_run(bool cxx, const char *dir)
{
    cc_strbuf fm = {0};
    cv_formatters(TYPES, sizeof TYPES / sizeof TYPES[0], cxx, NULL, NULL, &fm);
    char src[512], exe[512], out[512], cmd[4096];
    snprintf(src, sizeof src, "%s/prog.%s", dir, cxx ? "cpp" : "c");
    snprintf(exe, sizeof exe, "%s/prog", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    FILE *f = fopen(src, "w");
    if (!f) { free(fm.s); return NULL; }
    fprintf(f, "#include <stdio.h>\n#include <stdbool.h>\n#include <string.h>\n#include \"cudacell.h\"\n");
    fprintf(f, "%s\n#include \"rt_display.h\"\n%s\n", cxx ? "extern \"C\" {" : "", cxx ? "}" : "");
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++) fprintf(f, "%s\n", TYPES[i]);
    fprintf(f, "%s\n", fm.s ? fm.s : "");
    fprintf(f, "static int sink(const char *t, const char *c, void *u)\n{\n    (void)u;\n"
               "    const char *p = strstr(c, \"\\\"text/plain\\\": \\\"\");\n"
               "    if (strcmp(t, \"execute_result\") == 0 && p) printf(\"%%s\\n\", p + 15);\n    return 0;\n}\n");
    fprintf(f, "int main(void)\n{\n    rt_display_set_sink(sink, NULL);\n");
    for (size_t i = 0; i < sizeof SHOWN / sizeof SHOWN[0]; i++) {
        if (cxx && SHOWN[i].cxx && !*SHOWN[i].cxx) continue;
        const char *sp = SHOWN[i].decl;   /* the variable: the identifier before [ or = */
        const char *eq = strpbrk(sp, "[=");
        const char *e = eq;
        while (e > sp && e[-1] == ' ') e--;
        const char *b = e;
        while (b > sp && (b[-1] == '_' || (b[-1] >= 'a' && b[-1] <= 'z') || (b[-1] >= '0' && b[-1] <= '9'))) b--;
        fprintf(f, "    { %s __CC_SHOW((%.*s)); }\n", SHOWN[i].decl, (int)(e - b), b);
    }
    fprintf(f, "    return 0;\n}\n");
    fclose(f);
    free(fm.s);
    snprintf(cmd, sizeof cmd, "%s %s %s -Wall -Wextra -Werror -Wno-missing-field-initializers "
             "-I'%s' -I'%s' -o '%s' '%s' '%s' -lz -lm -lpthread > '%s' 2>&1 && '%s' > '%s' 2>&1",
             cxx ? "c++" : "cc", cxx ? "-std=c++17" : "-std=gnu17", CCDISPLAY_CFLAGS,
             CCDISPLAY_INC, RUNTIME_INC,
             exe, src, CCDISPLAY_LIB, out, exe, out);
    int rc = system(cmd);
    char *text = read_file(out);
    if (rc != 0) {
        printf("# %s failed:\n", cxx ? "c++" : "cc");
        for (char *l = text ? strtok(text, "\n") : NULL; l; l = strtok(NULL, "\n")) printf("#   %s\n", l);
        free(text);
        return NULL;
    }
    return text;
}

/* The output line for value i, JSON-escaped as sent (quotes as \"). */
static void check_output(const char *text, bool cxx)
{
    const char *p = text, *what = cxx ? "C++" : "C";
    for (size_t i = 0; i < sizeof SHOWN / sizeof SHOWN[0]; i++) {
        const char *expect = cxx && SHOWN[i].cxx ? SHOWN[i].cxx : SHOWN[i].want;
        if (!*expect) continue;
        const char *nl = p ? strchr(p, '\n') : NULL;
        char line[512] = "", want[512];
        if (nl) { snprintf(line, sizeof line, "%.*s", (int)(nl - p), p); p = nl + 1; }
        size_t k = 0;
        for (const char *w = expect; *w && k + 3 < sizeof want; w++) {
            if (*w == '"') want[k++] = '\\';
            want[k++] = *w;
        }
        want[k] = '\0';
        bool prefix = strncmp(expect, "(value", 6) == 0;
        CHECK(prefix ? strncmp(line, want, strlen(want)) == 0
                     : strncmp(line, want, strlen(want)) == 0 && line[strlen(want)] == '"',
              "%s: %s shows %s (got %s)", what, SHOWN[i].decl, expect, line);
    }
}

static void test_formatters(void)
{
    char dir[] = "/tmp/cc-cellvalue-XXXXXX";
    if (!mkdtemp(dir)) { CHECK(0, "temporary directory"); return; }
    char *c_out = build_and_run(false, dir);
    CHECK(c_out != NULL, "C formatters compile warning-free and run");
    if (c_out) check_output(c_out, false);
    free(c_out);
    char *cxx_out = build_and_run(true, dir);
    CHECK(cxx_out != NULL, "C++ formatters (CUDA cells) compile warning-free and run");
    if (cxx_out) check_output(cxx_out, true);
    free(cxx_out);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("# could not remove %s\n", dir);

    cc_strbuf none = {0};
    const char *only_enum[] = {"enum e { A };", "typedef int myint;"};
    cv_formatters(only_enum, 2, false, NULL, NULL, &none);
    CHECK(none.s == NULL, "no struct, no formatter text");
}

int main(void)
{
    test_boolean();
    test_formatters();
    return tap_done();
}

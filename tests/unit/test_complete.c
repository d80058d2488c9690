/* tests/unit/test_complete.c — cc_complete (vocabularies, contexts,
 * cursor_start/end in code points with UTF-8 before the cursor, file and
 * header names) and cc_inspect. Session NULL throughout. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "complete.h"
#include "tap.h"

static json_t *last;

static json_t *comp(const char *code, int cursor)
{
    json_decref(last);
    last = cc_complete(code, cursor, NULL);
    return last;
}

static bool has(json_t *r, const char *m)
{
    json_t *arr = json_object_get(r, "matches"), *v;
    size_t i;
    json_array_foreach(arr, i, v)
        if (strcmp(json_string_value(v), m) == 0)
            return true;
    return false;
}

static size_t count(json_t *r)
{
    return json_array_size(json_object_get(r, "matches"));
}

static int cstart(json_t *r) { return (int)json_integer_value(json_object_get(r, "cursor_start")); }
static int cend(json_t *r) { return (int)json_integer_value(json_object_get(r, "cursor_end")); }

static bool sorted_unique(json_t *r)
{
    json_t *arr = json_object_get(r, "matches");
    for (size_t i = 1; i < json_array_size(arr); i++)
        if (strcmp(json_string_value(json_array_get(arr, i - 1)), json_string_value(json_array_get(arr, i))) >= 0)
            return false;
    return true;
}

static void test_shape(void)
{
    json_t *r = comp("pri", 3);
    CHECK_STR(json_string_value(json_object_get(r, "status")), "ok", "status ok");
    CHECK(json_is_object(json_object_get(r, "metadata")), "metadata is an object");
    CHECK(json_is_array(json_object_get(r, "matches")), "matches is an array");
    CHECK(has(r, "printf") && has(r, "print" "f") && cstart(r) == 0 && cend(r) == 3, "pri → printf, 0..3");
    CHECK(sorted_unique(r), "matches sorted and unique (printf is in two lists)");
    r = comp("", 0);
    CHECK(count(r) == 0 && cstart(r) == 0 && cend(r) == 0, "empty code: nothing, cursor 0");
    r = comp("x = 12", 6);
    CHECK(count(r) == 0, "a number completes to nothing");
    r = comp("pri", 99);
    CHECK(cend(r) == 3 && has(r, "printf"), "cursor past the end is clamped");
    r = comp("pri", -5);
    CHECK(cstart(r) == 0 && cend(r) == 0 && count(r) == 0, "negative cursor is clamped to 0");
}

static void test_vocab(void)
{
    json_t *r = comp("whi", 3);
    CHECK(has(r, "while"), "keyword while");
    r = comp("_Sta", 4);
    CHECK(has(r, "_Static_assert"), "C11 keyword _Static_assert");
    r = comp("uint6", 5);
    CHECK(has(r, "uint64_t"), "stdint type");
    r = comp("mem", 3);
    CHECK(has(r, "memcpy") && has(r, "memset") && has(r, "memmove"), "string.h functions");
    r = comp("cudaMemc", 8);
    CHECK(has(r, "cudaMemcpy") && has(r, "cudaMemcpyHostToDevice") && has(r, "cudaMemcpyAsync"), "CUDA runtime names");
    r = comp("cudaEv", 6);
    CHECK(has(r, "cudaEventCreate") && has(r, "cudaEventElapsedTime"), "CUDA events");
    r = comp("threadI", 7);
    CHECK(has(r, "threadIdx") && count(r) == 1, "threadIdx only");
    r = comp("__sync", 6);
    CHECK(has(r, "__syncthreads") && has(r, "__syncwarp"), "CUDA barriers");
    r = comp("__glo", 5);
    CHECK(has(r, "__global__"), "CUDA qualifier");
    r = comp("atomicA", 7);
    CHECK(has(r, "atomicAdd") && has(r, "atomicAnd"), "atomics");
    r = comp("cublasS", 7);
    CHECK(has(r, "cublasSgemm"), "cuBLAS basics");
    r = comp("zzzz_nothing", 12);
    CHECK(count(r) == 0, "no candidates for an unknown prefix (session NULL)");
    r = comp("int x = mal", 11);
    CHECK(has(r, "malloc") && cstart(r) == 8 && cend(r) == 11, "word after other code: start at the word");
    r = comp("print(x)", 3);
    CHECK(has(r, "printf") && cstart(r) == 0 && cend(r) == 3, "cursor inside a word completes its head");
    r = comp("a.b->pri", 8);
    CHECK(cstart(r) == 5 && cend(r) == 8, "start after ->");
}

static void test_utf8(void)
{
    /* "é" is 2 bytes, "日本" 3 bytes each, "😀" 4 bytes (one code point) */
    const char *code = "/* é 日本 😀 */ pri";
    int cps = 16;   /* code points in the string */
    json_t *r = comp(code, cps);
    CHECK(has(r, "printf"), "UTF-8 before the cursor: still completes");
    CHECK(cstart(r) == 13 && cend(r) == 16, "cursor_start/end in code points (13..16), not bytes");
    r = comp("char *s = \"ü\"; mem", 18);
    CHECK(cstart(r) == 15 && cend(r) == 18 && has(r, "memcpy"), "after a 2-byte char");
    r = comp("/* 日本 */\nfre", 12);
    CHECK(cstart(r) == 9 && cend(r) == 12 && has(r, "free"), "on a second line after multi-byte text");
    r = comp("日本 pri", 3);
    CHECK(count(r) == 0 && cstart(r) == 3 && cend(r) == 3, "cursor right after a space: no word");
}

static void test_magics_directives(void)
{
    json_t *r = comp("%c", 2);
    CHECK(has(r, "%cd") && has(r, "%cflags") && has(r, "%%cuda") && cstart(r) == 0 && cend(r) == 2,
          "%%c → line and cell magics (like IPython), start at the %%");
    r = comp("%%c", 3);
    CHECK(has(r, "%%c") && has(r, "%%cuda") && !has(r, "%cd") && cstart(r) == 0, "%%%%c → cell magics only");
    r = comp("%", 1);
    CHECK(has(r, "%lsmagic") && has(r, "%%bash") && count(r) >= 17, "%% alone → every magic");
    r = comp("  %pw", 5);
    CHECK(has(r, "%pwd") && cstart(r) == 2, "magic after leading blanks");
    r = comp("int x;\n%en", 10);
    CHECK(has(r, "%env") && cstart(r) == 7, "magic on a later line");
    r = comp("x = a %co", 9);
    CHECK(!has(r, "%cd") && has(r, "const"), "%% inside an expression is not a magic");
    r = comp("#inc", 4);
    CHECK(has(r, "include") && has(r, "include_next") && cstart(r) == 1, "#inc → directives after the #");
    r = comp("  #  def", 8);
    CHECK(has(r, "define") && cstart(r) == 5, "directive with blanks");
    r = comp("#", 1);
    CHECK(has(r, "pragma") && has(r, "endif") && cstart(r) == 1, "# alone → every directive");
    r = comp("#include <std", 13);
    CHECK(has(r, "stdio.h") && has(r, "stdlib.h") && has(r, "stdint.h") && cstart(r) == 10 && cend(r) == 13,
          "#include <std → headers, start after <");
    r = comp("#include <sys/ty", 16);
    CHECK(has(r, "sys/types.h"), "header in a subdirectory");
    r = comp("#include <cuda_runt", 19);
    CHECK(has(r, "cuda_runtime.h") && has(r, "cuda_runtime_api.h"), "CUDA headers");
    r = comp("#include <stdio.h>", 18);
    CHECK(count(r) == 0 || !has(r, "stdio.h>"), "after the closing > nothing header-like");
}

static void test_files(void)
{
    char tmpl[] = "/tmp/cc_complete_XXXXXX";
    char *dir = mkdtemp(tmpl);
    char *old = getcwd(NULL, 0);
    CHECK(dir && chdir(dir) == 0, "into a temp dir");
    FILE *f = fopen("mylib.h", "w");
    fclose(f);
    f = fopen("mydata.txt", "w");
    fclose(f);
    mkdir("mysub", 0700);
    f = fopen("mysub/inner.cuh", "w");
    fclose(f);

    json_t *r = comp("#include \"my", 12);
    CHECK(has(r, "mylib.h") && has(r, "mysub/") && !has(r, "mydata.txt") && cstart(r) == 10,
          "#include \"my → local headers and directories");
    r = comp("#include \"mysub/in", 18);
    CHECK(has(r, "mysub/inner.cuh"), "header inside a local directory");
    r = comp("!cat my", 7);
    CHECK(has(r, "mydata.txt") && has(r, "mylib.h") && has(r, "mysub/") && cstart(r) == 5,
          "file names on a ! line");
    r = comp("!ca", 3);
    CHECK(count(r) == 0 && cstart(r) == 3, "the program name on a ! line: nothing");
    r = comp("%cd mys", 7);
    CHECK(has(r, "mysub/") && cstart(r) == 4, "%%cd completes directories");
    r = comp("%%writefile my", 14);
    CHECK(has(r, "mylib.h") && cstart(r) == 12, "%%%%writefile completes file names");

    unlink("mysub/inner.cuh");
    rmdir("mysub");
    unlink("mylib.h");
    unlink("mydata.txt");
    CHECK(chdir(old) == 0 && rmdir(dir) == 0, "temp dir removed");
    free(old);
}

static const char *plain(json_t *r)
{
    return json_string_value(json_object_get(json_object_get(r, "data"), "text/plain"));
}

static void test_inspect(void)
{
    json_t *r = cc_inspect("printf", 3, 0, NULL);
    CHECK(json_is_true(json_object_get(r, "found")) && plain(r) && strstr(plain(r), "int printf(const char *format, ...);"),
          "printf: prototype");
    CHECK(strstr(plain(r), "stdio.h") != NULL, "printf: names its header");
    CHECK(json_object_get(json_object_get(r, "data"), "text/markdown") != NULL, "markdown too");
    CHECK_STR(json_string_value(json_object_get(r, "status")), "ok", "status ok");
    json_decref(r);

    r = cc_inspect("cudaMalloc(&p, n)", 11, 0, NULL);
    CHECK(json_is_true(json_object_get(r, "found")) && strstr(plain(r), "cudaError_t cudaMalloc("),
          "cursor after '(' inspects the function before it");
    json_decref(r);
    r = cc_inspect("x = cudaMemcpy", 14, 1, NULL);
    CHECK(json_is_true(json_object_get(r, "found")) && strstr(plain(r), "cudaMemcpyKind"), "cursor at the end of a name");
    json_decref(r);
    r = cc_inspect("/* ü */ memcpy", 10, 0, NULL);
    CHECK(json_is_true(json_object_get(r, "found")) && strstr(plain(r), "memcpy("), "code-point cursor after UTF-8");
    json_decref(r);
    r = cc_inspect("%cd /tmp", 2, 0, NULL);
    CHECK(json_is_true(json_object_get(r, "found")) && strstr(plain(r), "%cd [DIR]"), "magic help");
    json_decref(r);
    r = cc_inspect("%%writefile x", 5, 0, NULL);
    CHECK(json_is_true(json_object_get(r, "found")) && strstr(plain(r), "%%writefile [-a] FILE"), "cell magic help");
    json_decref(r);
    r = cc_inspect("threadIdx.x", 3, 0, NULL);
    CHECK(json_is_true(json_object_get(r, "found")) && strstr(plain(r), "block"), "CUDA built-in variable");
    json_decref(r);
    r = cc_inspect("my_own_thing", 4, 0, NULL);
    CHECK(json_is_false(json_object_get(r, "found")) && json_object_size(json_object_get(r, "data")) == 0,
          "unknown name: found false, empty data");
    json_decref(r);
    r = cc_inspect("   ", 1, 0, NULL);
    CHECK(json_is_false(json_object_get(r, "found")), "nothing under the cursor");
    json_decref(r);
}

int main(void)
{
    test_shape();
    test_vocab();
    test_utf8();
    test_magics_directives();
    test_files();
    test_inspect();
    json_decref(last);
    return tap_done();
}

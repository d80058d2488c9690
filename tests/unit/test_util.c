/* tests/unit/test_util.c — the utility layer (kernel/util): spawn and
 * capture (output whole, stderr on request, timeout kills the child's
 * group, a stop request, output limits), the one PATH search, the clock
 * and version-4 uuids. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_spawn.h"
#include "clock.h"
#include "tap.h"
#include "wire.h"
#include "xalloc.h"

static void capture_plain(void)
{
    char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    char *out;
    size_t len;
    int st;
    int rc = cc_spawn_capture(argv, NULL, 10000, &out, &len, &st);
    CHECK(rc == CC_CAPTURE_DONE, "a short helper runs to the end (rc %d)", rc);
    CHECK_STR(out, "out\n", "stdout is captured, stderr discarded");
    CHECK(len == 4, "length reported (%zu)", len);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "wait status carries the exit code");
    free(out);

    cc_capture_opts o = {.with_stderr = true};
    rc = cc_spawn_capture_ex(&o, argv, &out, NULL, &st);
    CHECK(rc == CC_CAPTURE_DONE && out && strstr(out, "out\n") && strstr(out, "err\n"),
          "with_stderr captures both streams");
    free(out);
}

static void capture_timeout(void)
{
    /* The grandchild holds the pipe open: only a group kill ends the read. */
    char *argv[] = {"sh", "-c", "echo started; sleep 30 & sleep 30; echo never", NULL};
    char *out;
    int st;
    long long t0 = cc_now_ms();
    int rc = cc_spawn_capture(argv, NULL, 300, &out, NULL, &st);
    long long ms = cc_now_ms() - t0;
    CHECK(rc == CC_CAPTURE_TIMEOUT, "a helper past its timeout is reported as such (rc %d)", rc);
    CHECK_STR(out, "started\n", "what it wrote before the timeout is kept");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "it was killed and reaped");
    printf("# timeout of 300 ms returned after %lld ms\n", ms);
    free(out);
}

static int stop_calls;
static bool stop_after_two(void *ctx)
{
    (void)ctx;
    return ++stop_calls > 2;
}

static void capture_stop_and_limits(void)
{
    char *argv[] = {"sh", "-c", "echo a; exec sleep 30", NULL};
    cc_capture_opts o = {.stop = stop_after_two};
    char *out;
    int st;
    int rc = cc_spawn_capture_ex(&o, argv, &out, NULL, &st);
    CHECK(rc == CC_CAPTURE_STOPPED, "a stop request kills the helper (rc %d)", rc);
    CHECK_STR(out, "a\n", "output before the stop is kept");
    free(out);

    char *big[] = {"sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done", NULL};
    cc_capture_opts first = {.max = 10};
    rc = cc_spawn_capture_ex(&first, big, &out, NULL, &st);
    CHECK(rc == CC_CAPTURE_DONE && strcmp(out, "line0\nline") == 0, "max keeps the first bytes: [%s]", out);
    free(out);
    cc_capture_opts latest = {.max = 8, .keep_latest = true};
    rc = cc_spawn_capture_ex(&latest, big, &out, NULL, &st);
    CHECK(rc == CC_CAPTURE_DONE && strcmp(out, "ine1999\n") == 0, "keep_latest keeps the last bytes: [%s]", out);
    free(out);
}

static void capture_missing(void)
{
    char *argv[] = {"cudacell-no-such-helper", NULL};
    char *out = (char *)1;
    int st;
    errno = 0;
    int rc = cc_spawn_capture(argv, NULL, 1000, &out, NULL, &st);
    CHECK(rc == -1 && errno == ENOENT && out == NULL, "a helper not on PATH: -1, ENOENT, no output");
}

static void path_search(void)
{
    char dir[] = "/tmp/cc_util_XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temporary directory");
    char *tool = cc_xasprintf("%s/realtool", dir), *link = cc_xasprintf("%s/cc-linked-tool", dir);
    FILE *f = fopen(tool, "w");
    fputs("#!/bin/sh\necho hi\n", f);
    fclose(f);
    chmod(tool, 0755);
    CHECK(symlink("realtool", link) == 0, "symlink made");

    char *old = getenv("PATH") ? cc_xstrdup(getenv("PATH")) : NULL;
    char *path = cc_xasprintf("/nonexistent:%s", dir);
    setenv("PATH", path, 1);
    char *found = cc_spawn_find("cc-linked-tool");
    CHECK_STR(found, link, "a PATH hit keeps its own name (symlink not resolved)");
    free(found);

    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL, "cwd");
    CHECK(chdir(dir) == 0, "chdir into the tool's directory");
    setenv("PATH", ":/nonexistent", 1);
    found = cc_spawn_find("realtool");
    CHECK(found == NULL, "an empty PATH entry does not mean the current directory");
    free(found);
    setenv("PATH", ".", 1);
    found = cc_spawn_find("realtool");
    CHECK(found && found[0] == '/' && strstr(found, "/realtool"), "a relative entry gives an absolute path");
    free(found);
    CHECK(chdir(cwd) == 0, "chdir back");

    char *argv[] = {"cc-linked-tool", NULL};
    setenv("PATH", path, 1);
    char *out;
    int st;
    int rc = cc_spawn_capture(argv, NULL, 5000, &out, NULL, &st);
    CHECK(rc == CC_CAPTURE_DONE && strcmp(out, "hi\n") == 0, "capture looks argv[0] up on PATH");
    free(out);

    if (old)
        setenv("PATH", old, 1);
    free(old);
    unlink(link);
    unlink(tool);
    rmdir(dir);
    free(path);
    free(link);
    free(tool);
}

static void clock_and_uuid(void)
{
    long long a = cc_now_ns(), b = cc_now_ms();
    CHECK(a > 0 && b >= a / 1000000, "cc_now_ns and cc_now_ms read one clock");
    char u[37], v[37];
    cc_uuid4(u);
    cc_uuid4(v);
    CHECK(strlen(u) == 36 && u[8] == '-' && u[14] == '4' && strchr("89ab", u[19]), "version-4 uuid: %s", u);
    CHECK(strcmp(u, v) != 0, "two uuids differ");
}

int main(void)
{
    capture_plain();
    capture_timeout();
    capture_stop_and_limits();
    capture_missing();
    path_search();
    clock_and_uuid();
    return tap_done();
}

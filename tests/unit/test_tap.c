/* tests/unit/test_tap.c — the TAP helper itself: whatever a test names or
 * compares (cell text with newlines), every line it prints is a TAP line
 * meson understands. The checks under test run in a child whose stdout is
 * captured, so their failures do not count here. */
#include "tap.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's TAP stream: a passing and a failing check named by multi-line
 * text, and a failing string comparison of multi-line strings. */
static void emit_checks(void)
{
    const char *cell = "%%bash\necho\r\nhi";
    CHECK(1, "'%s' passes", cell);
    CHECK(0, "'%s' fails", cell);
    CHECK_STR("line 1\nline 2", "line 1\nline 3", "compare %s", cell);
    tap_done();
}

/* Everything emit_checks printed (malloc'd), or NULL. */
static char *capture(void)
{
    int fd[2];
    if (pipe(fd)) return NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        emit_checks();
        fflush(stdout);
        _exit(0);
    }
    close(fd[1]);
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    ssize_t n;
    while (out && (n = read(fd[0], out + len, cap - len - 1)) > 0)
        if ((len += (size_t)n) + 1 == cap && !(out = realloc(out, cap *= 2))) break;
    close(fd[0]);
    waitpid(pid, NULL, 0);
    if (out) out[len] = '\0';
    return out;
}

static int is_tap_line(const char *l, size_t n)
{
    return (n >= 3 && strncmp(l, "ok ", 3) == 0) || (n >= 7 && strncmp(l, "not ok ", 7) == 0)
        || (n >= 1 && l[0] == '#') || (n >= 3 && strncmp(l, "1..", 3) == 0);
}

int main(void)
{
    char *out = capture();
    CHECK(out != NULL, "the checks' output is captured");
    int lines = 0, bad = 0;
    for (const char *l = out ? out : ""; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        lines++;
        if (!is_tap_line(l, n)) {
            bad++;
            printf("#   not a TAP line: ");
            fwrite(l, 1, n, stdout);
            printf("\n");
        }
        l += n + (e ? 1 : 0);
    }
    CHECK(lines >= 8, "the stream has its %d lines", lines);
    CHECK(bad == 0, "every line is a TAP line (%d are not)", bad);
    CHECK(out && strstr(out, "ok 1 - '%%bash\\necho\\r\\nhi' passes\n"),
          "a name's newlines are written as \\n and \\r on its one line");
    CHECK(out && strstr(out, "#   got:  [line 1\n#   line 2]\n"),
          "a multi-line got: value keeps its text, each line a comment");
    CHECK(out && strstr(out, "1..3\n"), "the plan counts the three checks");
    free(out);
    return tap_done();
}

/* kernel/magics/env.c — the magics about the kernel process's surroundings:
 * %cd and %pwd (the kernel's own cwd, so it persists), %env (setenv in the
 * kernel, inherited by `!` commands and compilers). cc_env_parse and
 * cc_path_expand are pure and used by the unit tests (and script.c). */
#include "handlers.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cc_output.h"
#include "magics_test.h"   /* cc_env_parse, called by the unit tests */
#include "services.h"
#include "xalloc.h"

extern char **environ;

static const char *home_dir(void)
{
    const char *h = getenv("HOME");
    if (h && *h)
        return h;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir ? pw->pw_dir : "/";
}

/* Remove one pair of matching quotes around the whole string, in place. */
static void unquote(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        memmove(s, s + 1, n - 2);
        s[n - 2] = '\0';
    }
}

/* A path argument as the user typed it: quotes removed, leading ~ or ~/
 * expanded to $HOME (~user too). malloc'd; caller frees. */
char *cc_path_expand(const char *arg)
{
    char *p = cc_xstrdup(arg);
    unquote(p);
    if (p[0] != '~')
        return p;
    const char *slash = strchr(p, '/');
    size_t ulen = slash ? (size_t)(slash - p - 1) : strlen(p) - 1;
    const char *home = NULL;
    if (ulen == 0) {
        home = home_dir();
    } else {
        char *user = cc_xstrndup(p + 1, ulen);
        struct passwd *pw = getpwnam(user);
        free(user);
        if (pw)
            home = pw->pw_dir;
    }
    if (!home)
        return p;
    const char *tail = slash ? slash : "";
    char *out = cc_xasprintf("%s%s", home, tail);
    free(p);
    return out;
}

static char *current_dir(void)
{
    char *d = getcwd(NULL, 0);
    return d ? d : cc_xstrdup(".");
}

/* ---- %cd / %pwd --------------------------------------------------------- */

int cc_magic_cd(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    (void)svc;
    char *target;
    if (seg->args[0] == '\0') {
        target = cc_xstrdup(home_dir());
    } else if (strcmp(seg->args, "-") == 0) {
        const char *old = getenv("OLDPWD");
        if (!old || !*old) {
            cc_out_error(x, "UsageError", "cd -: no previous directory",
                         "%cd - goes back to the directory you were in before the last %cd, "
                         "but there has been no %cd yet in this session.");
            return -1;
        }
        target = cc_xstrdup(old);
    } else {
        target = cc_path_expand(seg->args);
    }

    char *before = current_dir();
    if (chdir(target) != 0) {
        int e = errno;
        char evalue[PATH_MAX + 64], tb[2 * PATH_MAX + 512];
        snprintf(evalue, sizeof evalue, "cd: %s: %s", target, strerror(e));
        if (e == ENOENT)
            snprintf(tb, sizeof tb, "There is no directory %s. The working directory is still %s. "
                     "Check the spelling; a relative path starts from the working directory (see %%pwd and !ls).",
                     target, before);
        else if (e == ENOTDIR)
            snprintf(tb, sizeof tb, "%s is not a directory. The working directory is still %s.", target, before);
        else
            snprintf(tb, sizeof tb, "Could not change to %s: %s. The working directory is still %s.",
                     target, strerror(e), before);
        cc_out_error(x, "OSError", evalue, tb);
        free(target);
        free(before);
        return -1;
    }
    char *now = current_dir();
    setenv("OLDPWD", before, 1);
    setenv("PWD", now, 1);
    cc_out_printf(x, 1, "%s\n", now);
    free(now);
    free(before);
    free(target);
    return 0;
}

int cc_magic_pwd(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    (void)svc;
    (void)seg;
    char *d = getcwd(NULL, 0);
    if (!d) {
        cc_out_error(x, "OSError", "pwd: the working directory is gone",
                     "The kernel's working directory no longer exists (it was removed or renamed). "
                     "Use %cd DIR to move to an existing directory.");
        return -1;
    }
    cc_out_printf(x, 1, "%s\n", d);
    free(d);
    return 0;
}

/* ---- %env --------------------------------------------------------------- */

static bool valid_env_name(const char *s)
{
    if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return false;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

/* Parse %env's arguments. Returns 0: list all (*name = *value = NULL);
 * 1: show *name; 2: set *name to *value; -1: not a valid variable name
 * (*name holds what was given). *name and *value are malloc'd; caller frees.
 * Accepts NAME, NAME=VALUE, NAME VALUE; one pair of quotes around VALUE goes. */
int cc_env_parse(const char *args, char **name, char **value)
{
    *name = *value = NULL;
    while (*args == ' ' || *args == '\t')
        args++;
    size_t n = strlen(args);
    while (n > 0 && (args[n - 1] == ' ' || args[n - 1] == '\t' || args[n - 1] == '\r' || args[n - 1] == '\n'))
        n--;
    if (n == 0)
        return 0;
    size_t k = 0;
    while (k < n && args[k] != '=' && args[k] != ' ' && args[k] != '\t')
        k++;
    *name = cc_xstrndup(args, k);
    if (!valid_env_name(*name))
        return -1;
    if (k == n)
        return 1;
    size_t v = k;
    if (args[k] == '=') {
        v = k + 1;
    } else {
        while (v < n && (args[v] == ' ' || args[v] == '\t'))
            v++;
        if (v < n && args[v] == '=') {          /* NAME = VALUE */
            v++;
            while (v < n && (args[v] == ' ' || args[v] == '\t'))
                v++;
        }
    }
    *value = cc_xstrndup(args + v, n - v);
    unquote(*value);
    return 2;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void env_list(cc_out *x)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **v = cc_xmalloc((n + 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = environ[i];
    qsort(v, n, sizeof *v, cmp_str);
    for (size_t i = 0; i < n; i++)
        cc_out_printf(x, 1, "%s\n", v[i]);
    free(v);
}

int cc_magic_env(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    (void)svc;
    char *name, *value;
    int r = cc_env_parse(seg->args, &name, &value);
    int rc = 0;
    if (r == 0) {
        env_list(x);
    } else if (r < 0) {
        char evalue[200];
        snprintf(evalue, sizeof evalue, "env: '%.120s' is not a valid variable name", name);
        cc_out_error(x, "UsageError", evalue,
                     "A variable name is letters, digits and _ and does not start with a digit. "
                     "Usage: %env (list all), %env NAME (show one), %env NAME=VALUE or %env NAME VALUE (set).");
        rc = -1;
    } else if (r == 1) {
        const char *v = getenv(name);
        if (v) {
            cc_out_printf(x, 1, "%s\n", v);
        } else {
            char evalue[200];
            snprintf(evalue, sizeof evalue, "env: %.120s is not set", name);
            cc_out_error(x, "UsageError", evalue,
                         "That environment variable is not set. Set it with %env NAME=VALUE; %env alone lists all.");
            rc = -1;
        }
    } else {
        if (setenv(name, value, 1) != 0) {
            cc_out_error(x, "OSError", "env: could not set the variable", strerror(errno));
            rc = -1;
        } else {
            cc_out_printf(x, 1, "env: %s=%s\n", name, value);
        }
    }
    free(name);
    free(value);
    return rc;
}

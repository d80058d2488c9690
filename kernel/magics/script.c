/* kernel/magics/script.c — the cell magics that hand the cell body to the
 * outside world: %%writefile (to a file, FILE expanded as %cd's DIR) and
 * %%bash (to bash, through the `!` runner's pty: streamed, interruptible). */
#include "handlers.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cc_output.h"
#include "services.h"
#include "shellcmd.h"

/* ---- %%writefile -------------------------------------------------------- */

static int writefile_usage(cc_out *x, const char *why)
{
    char tb[400];
    snprintf(tb, sizeof tb, "%s Usage: %%%%writefile [-a] FILE on the first line; the rest of the cell is "
             "written to FILE (-a appends). A relative FILE is taken from the working directory (%%pwd).", why);
    cc_out_error(x, "UsageError", "%%writefile needs a file name", tb);
    return -1;
}

int cc_magic_writefile(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    (void)svc;
    const char *a = seg->args;
    bool append = false;
    if (strncmp(a, "-a", 2) == 0 && (a[2] == ' ' || a[2] == '\t' || a[2] == '\0')) {
        append = true;
        a += 2;
    } else if (strncmp(a, "--append", 8) == 0 && (a[8] == ' ' || a[8] == '\t' || a[8] == '\0')) {
        append = true;
        a += 8;
    }
    while (*a == ' ' || *a == '\t')
        a++;
    if (*a == '\0')
        return writefile_usage(x, "No file name was given.");
    if (*a == '-')
        return writefile_usage(x, "Unknown option (only -a is known).");

    char *path = cc_path_expand(a);
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        char evalue[PATH_MAX + 64];
        snprintf(evalue, sizeof evalue, "writefile: %s is a directory", path);
        cc_out_error(x, "IsADirectoryError", evalue,
                     "%%writefile needs a file name, and that name is a directory. Add the file name, e.g. DIR/name.c.");
        free(path);
        return -1;
    }
    FILE *f = fopen(path, append ? "a" : "w");
    if (!f) {
        int e = errno;
        char evalue[PATH_MAX + 128], tb[PATH_MAX + 400];
        snprintf(evalue, sizeof evalue, "writefile: %s: %s", path, strerror(e));
        if (e == ENOENT)
            snprintf(tb, sizeof tb, "Could not create %s because its directory does not exist. "
                     "Create it first (e.g. !mkdir -p DIR) or check the path.", path);
        else
            snprintf(tb, sizeof tb, "Could not open %s for writing: %s. Check the permissions of the file "
                     "and its directory.", path, strerror(e));
        cc_out_error(x, "OSError", evalue, tb);
        free(path);
        return -1;
    }
    cc_out_printf(x, 1, "%s %s\n", append ? "Appending to" : exists ? "Overwriting" : "Writing", path);

    const char *body = seg->body ? seg->body : "";
    size_t n = strlen(body);
    int rc = 0;
    bool ok = fwrite(body, 1, n, f) == n;
    if (ok && n > 0 && body[n - 1] != '\n')   /* like IPython: the file ends with a newline */
        ok = fputc('\n', f) != EOF;
    if (fclose(f) != 0)
        ok = false;
    if (!ok) {
        char evalue[PATH_MAX + 64];
        snprintf(evalue, sizeof evalue, "writefile: could not write %s", path);
        cc_out_error(x, "OSError", evalue, "Writing the file failed part way (is the disk full?). "
                     "The file may be incomplete.");
        rc = -1;
    }
    free(path);
    return rc;
}

/* ---- %%bash ------------------------------------------------------------- */

int cc_magic_bash(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    (void)svc;
    cc_shell_run_script(x, "bash", seg->body ? seg->body : "");
    return x->failed ? -1 : 0;
}

/* kernel/display_dirs.c — where libcudacell (cudacell.h and libcudacell.so,
 * the rich-output library every cell is compiled and linked with) lives:
 * next to the kernel in a build tree, or under the install prefix. Used by
 * the compiler driver (-I/-L) and the runtime client (LD_LIBRARY_PATH). */
#include "display_dirs.h"

#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set by meson.build: the build tree's header directory (the source tree),
 * the install's directories relative to the prefix, and absolute. */
#ifndef CC_DISPLAY_BUILD_INCDIR
#define CC_DISPLAY_BUILD_INCDIR "runtime/display"
#endif
#ifndef CC_DISPLAY_REL_INCDIR
#define CC_DISPLAY_REL_INCDIR "include/cudacell"
#endif
#ifndef CC_DISPLAY_REL_LIBDIR
#define CC_DISPLAY_REL_LIBDIR "lib/cudacell"
#endif
#ifndef CC_DISPLAY_INCDIR
#define CC_DISPLAY_INCDIR "/usr/local/" CC_DISPLAY_REL_INCDIR
#endif
#ifndef CC_DISPLAY_LIBDIR
#define CC_DISPLAY_LIBDIR "/usr/local/" CC_DISPLAY_REL_LIBDIR
#endif

static bool file_exists(const char *dir, const char *name)
{
    char p[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p)
        return false;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* inc = [base/]inc_dir, lib = [base/]lib_dir (PATH_MAX each); true when
 * cudacell.h and libcudacell.so are there. */
static bool try_dirs(const char *base, const char *inc_dir, const char *lib_dir, char *inc, char *lib)
{
    if (base && inc_dir[0] != '/')
        snprintf(inc, PATH_MAX, "%s/%s", base, inc_dir);
    else
        snprintf(inc, PATH_MAX, "%s", inc_dir);
    if (base && lib_dir[0] != '/')
        snprintf(lib, PATH_MAX, "%s/%s", base, lib_dir);
    else
        snprintf(lib, PATH_MAX, "%s", lib_dir);
    return file_exists(inc, "cudacell.h") && file_exists(lib, "libcudacell.so");
}

int cc_display_dirs(const char *exe_dir, char *inc, char *lib)
{
    char self[PATH_MAX], up[PATH_MAX];
    if (!exe_dir) {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
            n = snprintf(self, sizeof self, ".");
        self[n] = '\0';
        exe_dir = dirname(self);
    }
    snprintf(up, sizeof up, "%s/..", exe_dir);
    if (try_dirs(exe_dir, CC_DISPLAY_BUILD_INCDIR, "runtime/display", inc, lib) ||   /* <build> */
        try_dirs(up, CC_DISPLAY_BUILD_INCDIR, "runtime/display", inc, lib) ||        /* <build>/tests */
        try_dirs(up, CC_DISPLAY_REL_INCDIR, CC_DISPLAY_REL_LIBDIR, inc, lib) ||      /* <prefix>/bin */
        try_dirs(NULL, CC_DISPLAY_INCDIR, CC_DISPLAY_LIBDIR, inc, lib)) {
        char *ri = realpath(inc, NULL), *rl = realpath(lib, NULL);
        if (ri && strlen(ri) < PATH_MAX)
            strcpy(inc, ri);
        if (rl && strlen(rl) < PATH_MAX)
            strcpy(lib, rl);
        free(ri);
        free(rl);
        return 0;
    }
    inc[0] = lib[0] = '\0';
    return -1;
}

char *cc_display_missing_message(void)
{
    char *m = NULL;
    if (asprintf(&m,
                 "error: cudacell's display library (cudacell.h and libcudacell.so) was not found, "
                 "and every cell is compiled with it, so nothing can run. It is built next to the "
                 "kernel (<build>/runtime/display) and installed as %s/cudacell.h and "
                 "%s/libcudacell.so. Rebuild cudacell (ninja) or reinstall it (meson install), "
                 "then restart the kernel.", CC_DISPLAY_INCDIR, CC_DISPLAY_LIBDIR) < 0)
        return NULL;
    return m;
}


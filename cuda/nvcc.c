/* cuda/nvcc.c — finding nvcc and telling which CUDA release it belongs to.
 *
 * Search order: $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc, then every
 * PATH entry (cc_spawn_find). $CUDACELL_NVCC, when set, replaces the search: it is the only
 * candidate (tests use it to simulate a machine without nvcc). The release comes from <toolkit>/version.json ("cuda" →
 * "version") when the toolkit has one, else from `nvcc --version`
 * ("release 13.0"). Nothing here links or loads a CUDA library; this file is
 * compiled into the kernel and into cudacell-gpuinfo. */
#include "child_spawn.h"
#include "nvcc.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#define NVCC_VERSION_TIMEOUT_MS 10000

static int is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Takes ownership of path; returns it made absolute (or NULL). */
static char *make_absolute(char *path)
{
    if (!path || path[0] == '/')
        return path;
    char *abs = realpath(path, NULL);
    free(path);
    return abs;
}

char *cc_nvcc_find(void)
{
    const char *forced = getenv("CUDACELL_NVCC");
    if (forced)
        return *forced && is_executable_file(forced) ? make_absolute(cc_xstrdup(forced)) : NULL;

    const char *home = getenv("CUDA_HOME");
    if (home && *home) {
        char *p = cc_xasprintf("%s/bin/nvcc", home);
        if (is_executable_file(p))
            return make_absolute(p);
        free(p);
    }
    if (is_executable_file("/usr/local/cuda/bin/nvcc"))
        return cc_xstrdup("/usr/local/cuda/bin/nvcc");

    return cc_spawn_find("nvcc");
}

char *cc_cuda_root(void)
{
    char *nvcc = cc_nvcc_find();
    char *real = nvcc ? realpath(nvcc, NULL) : NULL;
    free(nvcc);
    char *slash = real ? strrchr(real, '/') : NULL;
    if (slash) *slash = '\0';                        /* .../bin */
    slash = real ? strrchr(real, '/') : NULL;
    if (!slash || slash == real) { free(real); return NULL; }
    *slash = '\0';                                   /* the root */
    return real;
}

/* "13.0.88" or "release 13.0," → malloc'd "13.0"; NULL if no digits.digits. */
static char *major_minor(const char *s)
{
    int major, minor;
    if (!s || sscanf(s, "%d.%d", &major, &minor) != 2 || major < 0 || minor < 0)
        return NULL;
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d", major, minor);
    return cc_xstrdup(buf);
}

/* <toolkit>/version.json, toolkit = the directory above nvcc's bin/. */
static char *version_from_json(const char *nvcc_path)
{
    char *real = realpath(nvcc_path, NULL);
    if (!real)
        return NULL;
    char *slash = strrchr(real, '/');            /* .../bin/nvcc */
    if (slash) *slash = '\0';
    slash = strrchr(real, '/');                  /* .../bin */
    if (!slash) {
        free(real);
        return NULL;
    }
    *slash = '\0';
    char *file = cc_xasprintf("%s/version.json", real);
    free(real);

    char *out = NULL;
    json_t *root = json_load_file(file, 0, NULL);
    free(file);
    if (root) {
        json_t *cuda = json_object_get(root, "cuda");
        out = major_minor(json_string_value(json_object_get(cuda, "version")));
        json_decref(root);
    }
    return out;
}

/* Runs `nvcc --version` and returns its stdout (malloc'd), or NULL. Gives up
 * (and kills nvcc) after NVCC_VERSION_TIMEOUT_MS. */
static char *run_nvcc_version(const char *nvcc_path)
{
    char *argv[] = { (char *)nvcc_path, "--version", NULL };
    char *out;
    int status;
    int rc = cc_spawn_capture(argv, NULL, NVCC_VERSION_TIMEOUT_MS, &out, NULL, &status);
    if (rc != CC_CAPTURE_DONE) {
        free(out);
        return NULL;
    }
    return out;
}

char *cc_nvcc_version(const char *nvcc_path)
{
    if (!nvcc_path)
        return NULL;
    char *v = version_from_json(nvcc_path);
    if (v)
        return v;

    char *text = run_nvcc_version(nvcc_path);
    if (!text)
        return NULL;
    const char *rel = strstr(text, "release ");
    if (rel)
        v = major_minor(rel + strlen("release "));
    free(text);
    return v;
}

char *cc_nvcc_missing_message(void)
{
    const char *home = getenv("CUDA_HOME");
    const char *forced = getenv("CUDACELL_NVCC");
    char where[512];
    if (forced)
        snprintf(where, sizeof where, "%s (CUDACELL_NVCC is set, so only there; unset it to search "
                 "the usual places: ", forced);
    else if (home && *home)
        snprintf(where, sizeof where, "%s/bin/nvcc (from CUDA_HOME), ", home);
    else
        snprintf(where, sizeof where, "$CUDA_HOME/bin/nvcc (CUDA_HOME is not set), ");

    const char *fmt =
        "The CUDA compiler nvcc was not found, so this CUDA cell cannot be "
        "compiled. We looked for %s/usr/local/cuda/bin/nvcc and nvcc in every "
        "directory on PATH%s. Install the CUDA toolkit (https://developer.nvidia.com/cuda-downloads), "
        "or, if it is installed elsewhere, set CUDA_HOME to the toolkit directory "
        "(for example %%env CUDA_HOME=/opt/cuda) or add its bin directory to PATH. "
        "C cells keep working without it.";
    const char *close = forced ? ")" : "";
    size_t n = strlen(fmt) + strlen(where) + 2;
    char *msg = cc_xmalloc(n);
    snprintf(msg, n, fmt, where, close);
    return msg;
}

/* kernel/server/info.c — kernel_info (language, implementation, banner with the
 * GPUs found and the nvcc version, or "GPU detection still running" while
 * the probe runs: kernel_info never waits for it), comm_info and history
 * replies. The probe pointer is read and set under probe_lock. */
#include "info.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gpu_probe.h"
#include "services.h"
#include "wire.h"
#include "xalloc.h"

static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static cc_gpu_probe *probe;

void cc_info_set_probe(cc_gpu_probe *p)
{
    pthread_mutex_lock(&probe_lock);
    probe = p;
    pthread_mutex_unlock(&probe_lock);
}

cc_gpu_probe *cc_info_probe(void)
{
    pthread_mutex_lock(&probe_lock);
    cc_gpu_probe *p = probe;
    pthread_mutex_unlock(&probe_lock);
    return p;
}

json_t *cc_info_kernel_info(void)
{
    char *gpu = NULL;
    /* Never wait for the probe: until it is done the banner says detection
     * is still running, and a later kernel_info shows the result. */
    pthread_mutex_lock(&probe_lock);
    if (probe)
        gpu = cc_gpu_banner_line(probe, 0);
    pthread_mutex_unlock(&probe_lock);

    char *banner = cc_xasprintf(
        "cudacell %s: C and CUDA cells, compiled and run natively, with state kept across cells.\n"
        "%s\n"
        "Magics: %%lsmagic lists them; !cmd runs a shell command.",
        CUDACELL_VERSION, gpu ? gpu : "GPU detection unavailable");
    free(gpu);

    json_t *r = json_pack(
        "{s:s,s:s,s:s,s:s,"
        " s:{s:s,s:s,s:s,s:s,s:s,s:s},"
        " s:s,s:[{s:s,s:s}],s:[s],s:b}",
        "status", "ok",
        "protocol_version", CC_PROTOCOL_VERSION,
        "implementation", "cudacell",
        "implementation_version", CUDACELL_VERSION,
        "language_info",
            "name", "c",
            "version", "C17 / CUDA C++",
            "mimetype", "text/x-csrc",
            "file_extension", ".c",
            "pygments_lexer", "c",
            "codemirror_mode", "text/x-csrc",
        "banner", banner,
        "help_links", "text", "CUDA Runtime API", "url", "https://docs.nvidia.com/cuda/cuda-runtime-api/",
        "supported_features", "kernel subshells",
        "debugger", 0);
    free(banner);
    return r;
}

json_t *cc_info_comm_info(void)
{
    return json_pack("{s:s,s:{}}", "status", "ok", "comms");
}

/* history_request: tail (last n), range (start..stop of this session),
 * search (substring of "pattern" without glob characters; unique keeps the
 * latest of equal inputs; n keeps the last n), as
 * [session, line, input] triples, or [session, line, [input, null]] when
 * output is asked for. */
json_t *cc_info_history(const cc_services *svc, const json_t *req)
{
    const char *how = json_string_value(json_object_get(req, "hist_access_type"));
    json_t *out = json_array();
    json_t *h = svc->history;
    size_t n = json_array_size(h);

    if (how && strcmp(how, "tail") == 0) {
        json_int_t want = json_integer_value(json_object_get(req, "n"));
        if (want <= 0 || (size_t)want > n)
            want = (json_int_t)n;
        for (size_t i = n - (size_t)want; i < n; i++)
            json_array_append(out, json_array_get(h, i));
    } else if (how && strcmp(how, "range") == 0) {
        json_int_t start = json_integer_value(json_object_get(req, "start"));
        json_t *stopv = json_object_get(req, "stop");
        json_int_t stop = json_is_integer(stopv) ? json_integer_value(stopv) : (json_int_t)n + 1;
        for (size_t i = 0; i < n; i++) {
            json_int_t line = json_integer_value(json_array_get(json_array_get(h, i), 1));
            if (line >= start && line < stop)
                json_array_append(out, json_array_get(h, i));
        }
    } else if (how && strcmp(how, "search") == 0) {
        const char *pat = json_string_value(json_object_get(req, "pattern"));
        char needle[256] = "";
        if (pat) {
            size_t j = 0;
            for (const char *p = pat; *p && j + 1 < sizeof needle; p++)
                if (*p != '*' && *p != '?')
                    needle[j++] = *p;
            needle[j] = '\0';
        }
        bool unique = json_is_true(json_object_get(req, "unique"));
        for (size_t i = 0; i < n; i++) {
            const char *src = json_string_value(json_array_get(json_array_get(h, i), 2));
            if (!src || !strstr(src, needle))
                continue;
            if (unique) {   /* keep the latest of equal inputs */
                for (size_t j = 0; j < json_array_size(out); j++)
                    if (strcmp(json_string_value(json_array_get(json_array_get(out, j), 2)), src) == 0) {
                        json_array_remove(out, j);
                        break;
                    }
            }
            json_array_append(out, json_array_get(h, i));
        }
        json_int_t want = json_integer_value(json_object_get(req, "n"));
        while (want > 0 && json_array_size(out) > (size_t)want)
            json_array_remove(out, 0);
    }
    /* output=True asks for [session, line, [input, output]]; outputs are
     * not kept, so output is null. */
    if (json_is_true(json_object_get(req, "output"))) {
        size_t i;
        json_t *e;
        json_t *paired = json_array();
        json_array_foreach(out, i, e) {
            json_array_append_new(paired, json_pack("[O,O,[O,n]]", json_array_get(e, 0),
                                                    json_array_get(e, 1), json_array_get(e, 2)));
        }
        json_decref(out);
        out = paired;
    }
    return json_pack("{s:s,s:o}", "status", "ok", "history", out);
}

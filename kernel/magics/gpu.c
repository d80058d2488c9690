/* kernel/magics/gpu.c — the %gpu magic.
 *
 * %gpu       runs a fresh probe (cudacell-gpuinfo, so the kernel never loads
 *            CUDA) and shows a table of the GPUs as display_data (text/html
 *            and text/plain), marking the one this session uses; without a
 *            GPU it shows the probe's plain-words status message.
 * %gpu N     makes device N the session's: CUDACELL_DEVICE=N in the kernel's
 *            environment (the runtime inherits it) and a runtime restart,
 *            because the device must be chosen before a CUDA context exists.
 *            (So the table runs %gpu N under the run lock, %gpu alone not.) */
#include "strbuf.h"
#include "handlers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cc_output.h"
#include "gpu_probe.h"
#include "runtime_client.h"
#include "services.h"
#include "session.h"

#define GPU_PROBE_TIMEOUT_MS 15000


/* s with &, <, >, " escaped for HTML, appended to b. */
static void gm_put_html(cc_strbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': cc_strbuf_printf(b, "&amp;"); break;
        case '<': cc_strbuf_printf(b, "&lt;"); break;
        case '>': cc_strbuf_printf(b, "&gt;"); break;
        case '"': cc_strbuf_printf(b, "&quot;"); break;
        default: cc_strbuf_printf(b, "%c", *s);
        }
    }
}

/* ---- report fields ---- */

static int session_device(void)
{
    const char *s = getenv("CUDACELL_DEVICE");
    return s && *s ? atoi(s) : 0;
}

static const char *dev_str(json_t *d, const char *key)
{
    const char *s = json_string_value(json_object_get(d, key));
    return s ? s : "?";
}

/* "79.1 GiB" into out, or "?" when the value is unknown (null). */
static void fmt_gib(char *out, size_t n, json_t *v)
{
    if (json_is_integer(v))
        snprintf(out, n, "%.1f GiB", (double)json_integer_value(v) / (1024.0 * 1024 * 1024));
    else
        snprintf(out, n, "?");
}

/* 13020 → "13.2"; unknown → "?" */
static void fmt_cuda_version(char *out, size_t n, json_t *v)
{
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        json_int_t x = json_integer_value(v);
        snprintf(out, n, "%d.%d", (int)(x / 1000), (int)((x % 1000) / 10));
    } else {
        snprintf(out, n, "?");
    }
}

/* One device row's fields, formatted. */
typedef struct {
    int index;
    const char *name, *cc;
    char sms[16], total[32], free[32], clock[32];
} gm_row;

static void row_of(json_t *d, gm_row *r)
{
    r->index = (int)json_integer_value(json_object_get(d, "index"));
    r->name = dev_str(d, "name");
    r->cc = dev_str(d, "cc");
    snprintf(r->sms, sizeof r->sms, "%d", (int)json_integer_value(json_object_get(d, "sms")));
    fmt_gib(r->total, sizeof r->total, json_object_get(d, "mem_total"));
    fmt_gib(r->free, sizeof r->free, json_object_get(d, "mem_free"));
    json_t *clk = json_object_get(d, "clock_khz");
    if (json_integer_value(clk) > 0)
        snprintf(r->clock, sizeof r->clock, "%d MHz", (int)(json_integer_value(clk) / 1000));
    else
        snprintf(r->clock, sizeof r->clock, "?");
}

/* The table as text/plain (aligned columns) and text/html. */
static void render_table(json_t *report, int current, cc_strbuf *txt, cc_strbuf *html)
{
    json_t *devs = json_object_get(report, "devices");
    size_t n = json_array_size(devs);
    int wname = 4;
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(dev_str(json_array_get(devs, i), "name"));
        if (l > wname)
            wname = l;
    }

    cc_strbuf_printf(txt, "  GPU  %-*s  CC    SMs  Memory free / total    Clock\n", wname, "Name");
    cc_strbuf_printf(html, "<table>\n<tr><th></th><th>GPU</th><th>Name</th><th>Compute capability</th>"
                 "<th>SMs</th><th>Memory total</th><th>Memory free</th><th>Clock</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        gm_row r;
        row_of(json_array_get(devs, i), &r);
        int mine = r.index == current;
        char mem[72];
        snprintf(mem, sizeof mem, "%s / %s", r.free, r.total);
        cc_strbuf_printf(txt, "%s %3d  %-*s  %-4s  %3s  %-21s  %s\n", mine ? "*" : " ", r.index,
               wname, r.name, r.cc, r.sms, mem, r.clock);
        cc_strbuf_printf(html, "<tr><td>%s</td><td>%d</td><td>", mine ? "&#9654;" : "", r.index);
        gm_put_html(html, r.name);
        cc_strbuf_printf(html, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
               r.cc, r.sms, r.total, r.free, r.clock);
    }
    cc_strbuf_printf(html, "</table>\n");

    char drv[16], rtv[16];
    fmt_cuda_version(drv, sizeof drv, json_object_get(report, "driver_version"));
    fmt_cuda_version(rtv, sizeof rtv, json_object_get(report, "runtime_version"));
    const char *nvcc = json_string_value(json_object_get(report, "nvcc"));
    char nv[32];
    snprintf(nv, sizeof nv, "%s", nvcc ? nvcc : "not found");
    cc_strbuf_printf(txt, "Driver supports CUDA %s; CUDA runtime %s; nvcc %s.\n", drv, rtv, nv);
    cc_strbuf_printf(html, "<p>Driver supports CUDA %s; CUDA runtime %s; nvcc %s.<br>\n", drv, rtv, nv);

    if (current >= 0 && (size_t)current < n) {
        const char *name = dev_str(json_array_get(devs, (size_t)current), "name");
        cc_strbuf_printf(txt, "This session uses GPU %d (%s), marked *. %%gpu N switches.\n", current, name);
        cc_strbuf_printf(html, "This session uses GPU %d (", current);
        gm_put_html(html, name);
        cc_strbuf_printf(html, "), marked &#9654;. <code>%%gpu N</code> switches.</p>\n");
    } else {
        cc_strbuf_printf(txt, "This session asks for GPU %d (CUDACELL_DEVICE), which does not exist; "
                    "%%gpu N picks one of the above.\n", current);
        cc_strbuf_printf(html, "This session asks for GPU %d (CUDACELL_DEVICE), which does not exist; "
                     "<code>%%gpu N</code> picks one of the above.</p>\n", current);
    }
}

static int report_ok(json_t *report)
{
    const char *status = json_string_value(json_object_get(report, "status"));
    return status && strcmp(status, "ok") == 0 && json_array_size(json_object_get(report, "devices")) > 0;
}

static int show_gpus(cc_out *x, cc_services *svc)
{
    json_t *report = cc_gpu_probe_now(svc->exe_dir, GPU_PROBE_TIMEOUT_MS);
    if (!report_ok(report)) {
        const char *msg = json_string_value(json_object_get(report, "message"));
        const char *nvcc = json_string_value(json_object_get(report, "nvcc"));
        cc_out_printf(x, 1, "No GPU available.\n%s\nnvcc: %s\n",
                      msg && *msg ? msg : "GPU detection gave no details.",
                      nvcc ? nvcc : "not found");
        json_decref(report);
        return 0;
    }
    cc_strbuf txt = {0}, html = {0};
    render_table(report, session_device(), &txt, &html);
    json_t *content = json_pack("{s:{s:s, s:s}, s:{}}", "data", "text/plain", txt.s,
                                "text/html", html.s, "metadata");
    cc_out_display(x, CC_OUT_DISPLAY, content);
    free(txt.s);
    free(html.s);
    json_decref(report);
    return 0;
}

static int switch_gpu(cc_out *x, cc_services *svc, const char *arg)
{
    char *end;
    long n = strtol(arg, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == arg || *end != '\0' || n < 0) {
        char ev[256];
        snprintf(ev, sizeof ev, "%%gpu: \"%s\" is not a device number", arg);
        cc_out_error(x, "UsageError", ev,
                     "%gpu N takes the index of a GPU as listed by %gpu (0 is the first). "
                     "Run %gpu without arguments to see the devices.");
        return -1;
    }

    json_t *report = cc_gpu_probe_report(svc->gpu, 0);   /* borrowed */
    if (report_ok(report))
        json_incref(report);
    else
        report = cc_gpu_probe_now(svc->exe_dir, GPU_PROBE_TIMEOUT_MS);
    if (!report_ok(report)) {
        const char *msg = json_string_value(json_object_get(report, "message"));
        cc_out_error(x, "GPUError", "%gpu: there is no GPU to switch to",
                     msg && *msg ? msg : "GPU detection found no device.");
        json_decref(report);
        return -1;
    }
    json_t *devs = json_object_get(report, "devices");
    size_t count = json_array_size(devs);
    if ((size_t)n >= count) {
        char ev[128], tb[512];
        snprintf(ev, sizeof ev, "%%gpu: there is no GPU %ld", n);
        snprintf(tb, sizeof tb,
                 "This machine has %zu GPU%s (numbered 0 to %zu), so GPU %ld does not exist. "
                 "Run %%gpu to list them.", count, count == 1 ? "" : "s", count - 1, n);
        cc_out_error(x, "UsageError", ev, tb);
        json_decref(report);
        return -1;
    }
    char name[256];
    snprintf(name, sizeof name, "%s", dev_str(json_array_get(devs, (size_t)n), "name"));
    json_decref(report);

    char val[24];
    snprintf(val, sizeof val, "%ld", n);
    setenv("CUDACELL_DEVICE", val, 1);

    if (svc->rt) {
        const char **objs = NULL;
        size_t nobj = svc->session ? cc_session_objects(svc->session, &objs) : 0;
        cc_rt_restart(svc->rt, (const char *const *)objs, nobj);
        free(objs);
        cc_out_printf(x, 1, "Switched to GPU %ld (%s); the runtime was restarted, "
                            "variable values were reset.\n", n, name);
    } else {
        cc_out_printf(x, 1, "Switched to GPU %ld (%s); CUDA cells will run there.\n", n, name);
    }
    return 0;
}

int cc_magic_gpu(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    const char *args = seg->args ? seg->args : "";
    if (*args == '\0')
        return show_gpus(x, svc);
    return switch_gpu(x, svc, args);
}

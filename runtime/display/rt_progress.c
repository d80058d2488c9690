/* runtime/display/rt_progress.c — live progress bars: one display_data with
 * a display id, then update_display_data at most every RT_PROGRESS_PERIOD
 * seconds of the monotonic clock however fast the loop calls update, and
 * always a last one from cc_progress_done. HTML <progress> with a text/plain
 * fallback "label [#####.....] 50/100 (50%)". */
#include "rt_display.h"
#include "cudacell.h"

#include <stdlib.h>
#include <string.h>

#define RT_PROGRESS_PERIOD 0.1   /* seconds between redraws: ≤ 10 a second */
#define RT_PROGRESS_WIDTH 20     /* characters in the text bar */

struct cc_progress {
    long total;      /* <= 0: unknown */
    long done;       /* the last value given */
    char *label;     /* owned; "" when none */
    char *id;        /* owned display id */
    double start;    /* clock at creation */
    double last;     /* clock at the last message sent */
    long sent_done;  /* done as of the last message sent */
};

/* The bundle for the current state; final adds the total time. */
static void progress_bundle(rt_str *b, const cc_progress *p, double now, int final)
{
    long total = p->total, done = p->done;
    double frac = total > 0 ? (double)done / (double)total : 0;
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    int pct = (int)(frac * 100);

    /* text/plain */
    rt_str t = {0};
    if (*p->label) {
        rt_str_puts(&t, p->label);
        rt_str_putc(&t, ' ');
    }
    if (total > 0) {
        int fill = (int)(frac * RT_PROGRESS_WIDTH);
        rt_str_putc(&t, '[');
        for (int i = 0; i < RT_PROGRESS_WIDTH; i++)
            rt_str_putc(&t, i < fill ? '#' : '.');
        rt_str_printf(&t, "] %ld/%ld (%d%%)", done, total, pct);
    } else {
        rt_str_printf(&t, "%ld", done);
    }
    if (final)
        rt_str_printf(&t, " done in %.1fs", now - p->start);

    /* text/html */
    rt_str h = {0};
    rt_str_puts(&h, "<div class=\"cudacell-progress\">");
    if (total > 0)
        rt_str_printf(&h, "<progress value=\"%ld\" max=\"%ld\" style=\"width:24em\"></progress>",
                      done < 0 ? 0 : done > total ? total : done, total);
    else if (!final)
        rt_str_puts(&h, "<progress style=\"width:24em\"></progress>");
    rt_str_puts(&h, " <span>");
    rt_html_esc(&h, p->label);
    if (total > 0)
        rt_str_printf(&h, " %ld/%ld (%d%%)", done, total, pct);
    else
        rt_str_printf(&h, " %ld", done);
    rt_str_printf(&h, " %s%.1fs</span></div>", final ? "done in " : "", now - p->start);

    rt_bundle_begin(b);
    if (t.oom || h.oom)
        b->oom = 1;
    else {
        rt_bundle_add(b, "text/html", h.s);
        rt_bundle_add(b, "text/plain", t.s);
    }
    rt_bundle_end(b, NULL, p->id);
    rt_str_free(&t);
    rt_str_free(&h);
}

static void progress_send(cc_progress *p, const char *msg_type, double now, int final)
{
    rt_str b = {0};
    progress_bundle(&b, p, now, final);
    rt_bundle_send(&b, msg_type);
    p->last = now;
    p->sent_done = p->done;
}

cc_progress *cc_progress_new(long total, const char *label)
{
    cc_progress *p = calloc(1, sizeof *p);
    if (p) {
        p->label = strdup(label ? label : "");
        p->id = rt_display_new_id();
    }
    if (!p || !p->label || !p->id) {
        if (p) {
            free(p->label);
            free(p->id);
            free(p);
        }
        rt_display_warn("cc_progress_new", "out of memory; no progress bar");
        return NULL;
    }
    p->total = total;
    p->start = rt_display_now();
    progress_send(p, "display_data", p->start, 0);
    return p;
}

void cc_progress_update(cc_progress *p, long done)
{
    if (!p)
        return;
    p->done = done;
    if (done == p->sent_done)
        return;   /* nothing new to draw; no clock read */
    double now = rt_display_now();
    if (now - p->last < RT_PROGRESS_PERIOD)
        return;
    progress_send(p, "update_display_data", now, 0);
}

void cc_progress_done(cc_progress *p)
{
    if (!p)
        return;
    progress_send(p, "update_display_data", rt_display_now(), 1);
    free(p->label);
    free(p->id);
    free(p);
}

/* runtime/display/rt_plot.c — line and scatter plots as standalone SVG:
 * a frame, light grid, "nice" ticks (1, 2, 5 × 10^k) with labels, axis
 * labels and a title. All user text is XML-escaped. */
#include "rt_display.h"
#include "cudacell.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLOT_W 640
#define PLOT_H 400
#define PAD_L 72    /* room for y tick labels and the y label */
#define PAD_R 24
#define PAD_T 40    /* room for the title */
#define PAD_B 56    /* room for x tick labels and the x label */
#define PLOT_COLOR "#1f77b4"

static double nice_num(double x, int round_it)
{
    double e = floor(log10(x));
    double f = x / pow(10.0, e);
    double nf;
    if (round_it)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * pow(10.0, e);
}

int rt_nice_ticks(double lo, double hi, int target, double *first, double *step)
{
    if (!(hi > lo)) {   /* also NaN */
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.5 : 1.0;
        lo -= pad;
        hi += pad;
    }
    if (target < 2)
        target = 2;
    double range = nice_num(hi - lo, 0);
    double st = nice_num(range / (target - 1), 1);
    double f = floor(lo / st) * st;
    double l = ceil(hi / st) * st;
    int n = (int)floor((l - f) / st + 0.5) + 1;
    while (n > 12) {   /* a rounding surprise: widen the step */
        st *= 2;
        f = floor(lo / st) * st;
        l = ceil(hi / st) * st;
        n = (int)floor((l - f) / st + 0.5) + 1;
    }
    if (n < 2)
        n = 2;
    *first = f;
    *step = st;
    return n;
}

/* A tick label with just enough decimals for the step. */
static void tick_label(char *buf, size_t size, double v, double step)
{
    if (fabs(v) < step * 1e-9)
        v = 0;   /* no "-0" or 1e-17 */
    double mag = fmax(fabs(v), step);
    if (mag >= 1e6 || step < 1e-4) {
        snprintf(buf, size, "%.3g", v);
        return;
    }
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6)
        dec = 6;
    snprintf(buf, size, "%.*f", dec, v);
}

typedef struct axis {
    double lo, hi;       /* data range shown */
    double first, step;  /* ticks */
    int nticks;
} axis;

static void axis_fit(axis *a, double lo, double hi)
{
    a->nticks = rt_nice_ticks(lo, hi, 6, &a->first, &a->step);
    a->lo = a->first;
    a->hi = a->first + a->step * (a->nticks - 1);
}

static double map_x(const axis *a, double v)
{
    return PAD_L + (v - a->lo) / (a->hi - a->lo) * (PLOT_W - PAD_L - PAD_R);
}

static double map_y(const axis *a, double v)
{
    return PLOT_H - PAD_B - (v - a->lo) / (a->hi - a->lo) * (PLOT_H - PAD_T - PAD_B);
}

static double xval(const float *x, int i) { return x ? (double)x[i] : (double)i; }

static void draw_axes(rt_str *b, const axis *ax, const axis *ay)
{
    char lab[64];
    int x0 = PAD_L, x1 = PLOT_W - PAD_R, y0 = PAD_T, y1 = PLOT_H - PAD_B;

    rt_str_puts(b, "<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
    for (int i = 0; i < ax->nticks; i++) {
        double px = map_x(ax, ax->first + i * ax->step);
        rt_str_printf(b, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n", px, y0, px, y1);
    }
    for (int i = 0; i < ay->nticks; i++) {
        double py = map_y(ay, ay->first + i * ay->step);
        rt_str_printf(b, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n", x0, py, x1, py);
    }
    rt_str_puts(b, "</g>\n");

    rt_str_printf(b, "<rect class=\"axes\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                     "fill=\"none\" stroke=\"#333\" stroke-width=\"1\"/>\n",
                  x0, y0, x1 - x0, y1 - y0);

    rt_str_puts(b, "<g class=\"xticks\" text-anchor=\"middle\">\n");
    for (int i = 0; i < ax->nticks; i++) {
        double v = ax->first + i * ax->step, px = map_x(ax, v);
        tick_label(lab, sizeof lab, v, ax->step);
        rt_str_printf(b, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#333\"/>"
                         "<text x=\"%.2f\" y=\"%d\">%s</text>\n",
                      px, y1, px, y1 + 5, px, y1 + 18, lab);
    }
    rt_str_puts(b, "</g>\n<g class=\"yticks\" text-anchor=\"end\">\n");
    for (int i = 0; i < ay->nticks; i++) {
        double v = ay->first + i * ay->step, py = map_y(ay, v);
        tick_label(lab, sizeof lab, v, ay->step);
        rt_str_printf(b, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#333\"/>"
                         "<text x=\"%d\" y=\"%.2f\">%s</text>\n",
                      x0 - 5, py, x0, py, x0 - 8, py + 4, lab);
    }
    rt_str_puts(b, "</g>\n");
}

static void draw_labels(rt_str *b, const char *title, const char *xlabel, const char *ylabel)
{
    int cx = (PAD_L + PLOT_W - PAD_R) / 2, cy = (PAD_T + PLOT_H - PAD_B) / 2;
    if (title && *title) {
        rt_str_printf(b, "<text class=\"title\" x=\"%d\" y=\"24\" text-anchor=\"middle\" "
                         "font-size=\"15\" font-weight=\"bold\">", cx);
        rt_html_esc(b, title);
        rt_str_puts(b, "</text>\n");
    }
    if (xlabel && *xlabel) {
        rt_str_printf(b, "<text class=\"xlabel\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
                      cx, PLOT_H - 12);
        rt_html_esc(b, xlabel);
        rt_str_puts(b, "</text>\n");
    }
    if (ylabel && *ylabel) {
        rt_str_printf(b, "<text class=\"ylabel\" x=\"16\" y=\"%d\" text-anchor=\"middle\" "
                         "transform=\"rotate(-90 16 %d)\">", cy, cy);
        rt_html_esc(b, ylabel);
        rt_str_puts(b, "</text>\n");
    }
}

char *rt_svg_plot(const float *x, const float *y, int n, const char *title,
                  const char *xlabel, const char *ylabel, int scatter, int *drawn)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    int count = 0;
    for (int i = 0; y && i < n; i++) {
        double xv = xval(x, i), yv = y[i];
        if (!isfinite(xv) || !isfinite(yv))
            continue;
        xlo = fmin(xlo, xv);
        xhi = fmax(xhi, xv);
        ylo = fmin(ylo, yv);
        yhi = fmax(yhi, yv);
        count++;
    }
    if (!count)
        xlo = ylo = 0, xhi = yhi = 1;

    axis ax, ay;
    axis_fit(&ax, xlo, xhi);
    axis_fit(&ay, ylo, yhi);

    rt_str b = {0};
    rt_str_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                      "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
                  PLOT_W, PLOT_H, PLOT_W, PLOT_H);
    rt_str_printf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", PLOT_W, PLOT_H);
    draw_axes(&b, &ax, &ay);
    draw_labels(&b, title, xlabel, ylabel);

    if (count && (scatter || count == 1)) {
        rt_str_puts(&b, "<g class=\"points\" fill=\"" PLOT_COLOR "\" fill-opacity=\"0.8\">\n");
        for (int i = 0; i < n; i++) {
            double xv = xval(x, i), yv = y[i];
            if (isfinite(xv) && isfinite(yv))
                rt_str_printf(&b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\"/>\n",
                              map_x(&ax, xv), map_y(&ay, yv));
        }
        rt_str_puts(&b, "</g>\n");
    }
    if (count && !scatter) {
        rt_str_puts(&b, "<polyline class=\"line\" fill=\"none\" stroke=\"" PLOT_COLOR "\" "
                        "stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"");
        int first = 1;
        for (int i = 0; i < n; i++) {
            double xv = xval(x, i), yv = y[i];
            if (!isfinite(xv) || !isfinite(yv))
                continue;
            rt_str_printf(&b, "%s%.2f,%.2f", first ? "" : " ", map_x(&ax, xv), map_y(&ay, yv));
            first = 0;
        }
        rt_str_puts(&b, "\"/>\n");
    }
    rt_str_puts(&b, "</svg>\n");
    if (drawn)
        *drawn = count;
    return rt_str_take(&b);
}

/* ---- cc_plot / cc_scatter on arrays of any numeric type -------------------- */

/* n values of the given CC_K_* kind at p as floats (malloc'd), or NULL. */
static float *to_floats(const void *p, int kind, int n)
{
    float *f = malloc((size_t)(n ? n : 1) * sizeof *f);
    if (!f)
        return NULL;
    for (int i = 0; i < n; i++) {
        switch (kind) {
#define AS(K, T) case K: f[i] = (float)((const T *)p)[i]; break;
        AS(CC_K_FLOAT, float) AS(CC_K_DOUBLE, double) AS(CC_K_LDOUBLE, long double)
        AS(CC_K_INT, int) AS(CC_K_UINT, unsigned) AS(CC_K_LONG, long)
        AS(CC_K_ULONG, unsigned long) AS(CC_K_LLONG, long long)
        AS(CC_K_ULLONG, unsigned long long) AS(CC_K_SHORT, short)
        AS(CC_K_USHORT, unsigned short) AS(CC_K_SCHAR, signed char)
        AS(CC_K_UCHAR, unsigned char) AS(CC_K_CHAR, char) AS(CC_K_BOOL, _Bool)
#undef AS
        default: free(f); return NULL;
        }
    }
    return f;
}

static int plottable(int kind)
{
    return kind >= CC_K_BOOL && kind <= CC_K_LDOUBLE;
}

void __cc_plot_typed(const void *x, int xkind, const void *y, int ykind, int n,
                     const char *title, const char *xlabel, const char *ylabel, int scatter)
{
    const char *fn = scatter ? "cc_scatter" : "cc_plot";
    if ((x && !plottable(xkind)) || (y && !plottable(ykind))) {
        rt_display_warn(fn, "x and y must be arrays of numbers (float, double or an integer "
                        "type), so nothing was plotted.");
        return;
    }
    if (!y || n < 0) {
        rt_plot_send(fn, NULL, NULL, n, title, xlabel, ylabel, scatter);   /* says why */
        return;
    }
    float *fy = to_floats(y, ykind, n), *fx = x ? to_floats(x, xkind, n) : NULL;
    if (!fy || (x && !fx))
        rt_display_warn(fn, "out of memory; nothing was plotted");
    else
        rt_plot_send(fn, fx, fy, n, title, xlabel, ylabel, scatter);
    free(fx);
    free(fy);
}

/* runtime/display/rt_value.c — the value of a cell's last expression as
 * text/plain, built piece by piece: __CC_SHOW (cudacell.h) and the struct
 * formatters the kernel generates call __cc_text / __cc_put on one __cc_val,
 * which __cc_val_show sends as the cell's execute_result. Arrays of any
 * element type and rank are walked here; structs and unions through the
 * formatter function the caller passes. Output follows gdb's print:
 * {1, 2}, {{1, 2}, {3, 4}}, {x = 1, y = 2.5}, "text" for char arrays. */
#include "rt_display.h"
#include "cudacell.h"

#include <stdlib.h>
#include <string.h>

#define RT_SHOW_MAX_LEAVES 2000   /* values shown in all, then "..." */

struct __cc_val {
    rt_str s;
    size_t left;       /* leaves still to show */
    int depth;         /* formatter functions entered */
    int opaque;        /* the whole value is of a type we cannot show */
    size_t opaque_size;
};

__cc_val *__cc_val_new(void)
{
    __cc_val *b = calloc(1, sizeof *b);
    if (b)
        b->left = RT_SHOW_MAX_LEAVES;
    return b;
}

void __cc_text(__cc_val *b, const char *text)
{
    if (b && text)
        rt_str_puts(&b->s, text);
}

static void put_leaf(__cc_val *b, const void *p, size_t size, int kind, __cc_fmt_fn fn, int top)
{
    if (!b->left) {
        rt_str_puts(&b->s, "...");
        return;
    }
    b->left--;
    if (kind > CC_K_OTHER && kind < CC_K_END) {
        rt_fmt_value(&b->s, kind, p);
    } else if (fn) {
        b->depth++;
        fn(b, p);
        b->depth--;
    } else {
        if (top && !b->depth) {
            b->opaque = 1;
            b->opaque_size = size;
        }
        rt_str_puts(&b->s, "{...}");
    }
}

/* rank array levels: sizes[0] is the size of the whole, sizes[rank] of a leaf. */
static void put_dims(__cc_val *b, const char *p, int rank, const size_t *sizes, int kind,
                     __cc_fmt_fn fn, int top)
{
    if (rank <= 0) {
        put_leaf(b, p, sizes[0], kind, fn, top);
        return;
    }
    size_t n = sizes[1] ? sizes[0] / sizes[1] : 0;
    if (rank == 1 && kind == CC_K_CHAR) {
        const char *nul = memchr(p, '\0', n);
        rt_fmt_string(&b->s, p, nul ? (size_t)(nul - p) : n);
        return;
    }
    rt_str_putc(&b->s, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            rt_str_puts(&b->s, ", ");
        if (i == RT_SHOW_MAX_ELEMS || !b->left) {
            rt_str_puts(&b->s, "...");
            break;
        }
        put_dims(b, p + i * sizes[1], rank - 1, sizes + 1, kind, fn, 0);
    }
    rt_str_putc(&b->s, '}');
}

void __cc_put(__cc_val *b, const void *p, int rank, const size_t *sizes, int kind, __cc_fmt_fn fn)
{
    if (b && p && sizes)
        put_dims(b, p, rank, sizes, kind, fn, 1);
}

void __cc_val_show(__cc_val *b)
{
    if (!b) {
        rt_display_warn("__CC_SHOW", "out of memory while formatting the value");
        return;
    }
    rt_str t = {0};
    if (b->opaque)
        rt_str_printf(&t, "(value not shown: cudacell cannot print this %zu-byte struct, union "
                      "or other type; it shows the fields of structs and unions defined in the "
                      "notebook)", b->opaque_size);
    else
        rt_str_puts(&t, b->s.s ? b->s.s : "");
    int oom = b->s.oom;
    rt_str_free(&b->s);
    free(b);
    if (oom)
        t.oom = 1;
    rt_send_value(&t);
}

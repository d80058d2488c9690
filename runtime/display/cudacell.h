/* cudacell.h — rich output from C and CUDA cells (libcudacell).
 *
 * Every cell sees this header without an #include. Each call sends its
 * message to the notebook at once, while the cell is still running:
 *
 *   cc_display_html("<b>bold</b>");             HTML, Markdown, LaTeX, SVG,
 *   cc_display_markdown("# Title");             JSON and plain text
 *   cc_display_png(bytes, len);                 an encoded PNG or JPEG
 *   cc_display_image(pixels, w, h, 3);          raw 8-bit pixels → PNG
 *   cc_plot(NULL, y, n, "title", "x", "y");     a line plot (SVG)
 *   cc_scatter(x, y, n, "title", "x", "y");     a scatter plot (SVG)
 *
 *   const char *id = cc_display_new("<i>starting</i>");  an updatable output
 *   cc_display_update(id, "<b>done</b>");                replaces it in place
 *   cc_clear_output(0);                                  clears the cell output
 *
 *   cc_progress *p = cc_progress_new(n, "training");     a live progress bar,
 *   for (long i = 0; i < n; i++) cc_progress_update(p, i + 1);  redrawn at
 *   cc_progress_done(p);                                 most ~10 times a second
 *
 * A cell's last expression written without a ';' is shown as its value
 * (Out[n]) through __CC_SHOW, which the kernel inserts for you.
 *
 * Strings are copied before the call returns; the caller keeps ownership of
 * everything it passes. A NULL or invalid argument prints a message on
 * stderr and sends nothing. */
#ifndef CUDACELL_H
#define CUDACELL_H

#include <stddef.h>

/* The library exports only these names (it is built -fvisibility=hidden). */
#if defined(__GNUC__) || defined(__clang__)
#define CC_API __attribute__((visibility("default")))
#else
#define CC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- one-shot displays (display_data) ---------------------------------- */
CC_API void cc_display_html(const char *__html);
CC_API void cc_display_markdown(const char *__md);
CC_API void cc_display_latex(const char *__tex);          /* e.g. "$$e^{i\\pi}+1=0$$" */
CC_API void cc_display_svg(const char *__svg);
CC_API void cc_display_json(const char *__json_text);     /* must be valid JSON */
CC_API void cc_display_text(const char *__text);
CC_API void cc_display_png(const void *__png, size_t __len);
CC_API void cc_display_jpeg(const void *__jpeg, size_t __len);
/* Row-major 8-bit pixels, no padding between rows; channels: 1 gray,
 * 2 gray+alpha, 3 RGB, 4 RGBA. Encoded as a PNG. */
CC_API void cc_display_image(const unsigned char *__pixels, int __width, int __height, int __channels);

/* ---- plots (SVG with axes, ticks and labels) ---------------------------- */
/* x may be NULL for 0, 1, ..., n-1. Points with NaN or infinite coordinates
 * are left out. title, xlabel, ylabel may be NULL. */
CC_API void cc_plot(const float *__x, const float *__y, int __n, const char *__title,
             const char *__xlabel, const char *__ylabel);
CC_API void cc_scatter(const float *__x, const float *__y, int __n, const char *__title,
                const char *__xlabel, const char *__ylabel);

/* ---- updatable displays --------------------------------------------------- */
/* Shows html and returns its display id. The id is owned by the library and
 * stays valid until the runtime exits: keep it, do not free it. Returns NULL
 * (after a message on stderr) when html is NULL or memory runs out. */
CC_API const char *cc_display_new(const char *__html);
/* Replaces what the display with this id shows (update_display_data). */
CC_API void cc_display_update(const char *__display_id, const char *__html);
/* Clears the cell's output; wait != 0 clears only when new output arrives. */
CC_API void cc_clear_output(int __wait);

/* ---- progress bars -------------------------------------------------------- */
typedef struct cc_progress cc_progress;
/* total <= 0 means unknown. label may be NULL. Returns NULL when out of
 * memory; the other calls accept NULL and do nothing. */
CC_API cc_progress *cc_progress_new(long __total, const char *__label);
/* Cheap to call on every iteration: redraws at most ~10 times a second. */
CC_API void cc_progress_update(cc_progress *__p, long __done);
/* Shows the final state and frees p. */
CC_API void cc_progress_done(cc_progress *__p);

/* ---- last-expression values (used by __CC_SHOW; not for direct use) ------ */
enum {
    CC_K_OTHER = 0, CC_K_BOOL, CC_K_CHAR, CC_K_SCHAR, CC_K_UCHAR,
    CC_K_SHORT, CC_K_USHORT, CC_K_INT, CC_K_UINT, CC_K_LONG, CC_K_ULONG,
    CC_K_LLONG, CC_K_ULLONG, CC_K_FLOAT, CC_K_DOUBLE, CC_K_LDOUBLE,
    CC_K_STR, CC_K_PTR, CC_K_CFLOAT, CC_K_CDOUBLE, CC_K_CLDOUBLE, CC_K_END
};
/* A value being formatted; __cc_val_show sends it and frees it. NULL (out
 * of memory) is accepted everywhere. */
typedef struct __cc_val __cc_val;
/* Formats the struct or union at p (the kernel generates one per type the
 * notebook defines; see kernel/cell/cellvalue.c). */
typedef void (*__cc_fmt_fn)(__cc_val *__b, const void *__p);
CC_API __cc_val *__cc_val_new(void);
CC_API void __cc_val_show(__cc_val *__b);
CC_API void __cc_text(__cc_val *__b, const char *__text);
/* The object at p: rank array levels (0 for a single value), sizes[0] its
 * size, sizes[k] the size of an element at level k, sizes[rank] the size of
 * one leaf; leaves of the given CC_K_* kind, or formatted by fn, or "{...}". */
CC_API void __cc_put(__cc_val *__b, const void *__p, int __rank, const size_t *__sizes, int __kind,
                     __cc_fmt_fn __fn);
/* Plots of any element type: xkind, ykind are CC_K_* (x may be NULL). */
CC_API void __cc_plot_typed(const void *__x, int __xkind, const void *__y, int __ykind, int __n,
                            const char *__title, const char *__xlabel, const char *__ylabel,
                            int __scatter);

/* Entry points of earlier versions (cells compiled before stay loadable). */
CC_API void __cc_show_b(int __v);
CC_API void __cc_show_c(char __v);
CC_API void __cc_show_i(long long __v);
CC_API void __cc_show_u(unsigned long long __v);
CC_API void __cc_show_f(float __v);
CC_API void __cc_show_d(double __v);
CC_API void __cc_show_ld(long double __v);
CC_API void __cc_show_s(const char *__v);
CC_API void __cc_show_p(const void *__v);
CC_API void __cc_show_none(int __cc_unused);
CC_API void __cc_show_other(size_t __size, int __is_ptr, const void *__ptr);
CC_API void __cc_show_array(int __kind, const void *__base, size_t __size, size_t __elem_size);

/* ---- the end of the session's runtime (used by generated code) --------- */
/* fn runs when the runtime ends normally (%reset, a restart, shutdown),
 * after every earlier-registered one: the destructors of class-type
 * globals, newest first. __cc_run_at_end is the runtime's. */
CC_API void __cc_at_end(void (*__fn)(void));
CC_API void __cc_run_at_end(void);

#ifdef __cplusplus
}
#endif

#ifndef __cplusplus
/* ---- C: __CC_SHOW(expr) ------------------------------------------------
 * Shows the value of expr as the cell's execute_result. A void expr is just
 * evaluated. expr is evaluated once; the other copies the macro makes of it
 * sit in sizeof / typeof / unselected branches and are never evaluated.
 * Compiles for an expression of any type: what cannot be shown shows "{...}"
 * or a one-line note. */

/* Structs and unions the notebook defines: "struct p: __cc_fmt_1, ..."
 * (the kernel redefines this before a cell's last expression). */
#ifndef __CC_STRUCT_FNS
#define __CC_STRUCT_FNS
#endif

/* The type of e after decay (void stays void; no complaint about bit-fields). */
#define __CC_TY(e) __typeof__(((void)0, (e)))
/* expr itself, or 0 when expr is void (so the value branch type-checks). */
#define __CC_NV(e) _Generic((__CC_TY(e) *)0, void *: 0, default: (e))
/* 1 when v decays (an array or a function: the value and its decay differ). */
#define __CC_DECAYS(v) \
    (!__builtin_types_compatible_p(__typeof__(v), __typeof__(((void)0, (v)))))
/* What v decays to, or a dummy char * when it does not decay. */
#define __CC_AP(v) __builtin_choose_expr(__CC_DECAYS(v), ((void)0, (v)), (char *)0)
#define __CC_IS_FUNC(v) \
    (__CC_DECAYS(v) && __builtin_types_compatible_p(__typeof__(v), __typeof__(*__CC_AP(v))))
#define __CC_IS_ARRAY(v) (__CC_DECAYS(v) && !__CC_IS_FUNC(v))
/* For an array, a pointer to its first element; otherwise a dummy char *. */
#define __CC_EP(v) __builtin_choose_expr(__CC_IS_ARRAY(v), ((void)0, (v)), (char *)0)
#define __CC_KIND(x) _Generic((x), \
    _Bool: CC_K_BOOL, char: CC_K_CHAR, signed char: CC_K_SCHAR, \
    unsigned char: CC_K_UCHAR, short: CC_K_SHORT, unsigned short: CC_K_USHORT, \
    int: CC_K_INT, unsigned int: CC_K_UINT, long: CC_K_LONG, \
    unsigned long: CC_K_ULONG, long long: CC_K_LLONG, \
    unsigned long long: CC_K_ULLONG, float: CC_K_FLOAT, double: CC_K_DOUBLE, \
    long double: CC_K_LDOUBLE, char *: CC_K_STR, const char *: CC_K_STR, \
    _Complex float: CC_K_CFLOAT, _Complex double: CC_K_CDOUBLE, \
    _Complex long double: CC_K_CLDOUBLE, \
    default: (__builtin_classify_type(x) == 5 ? CC_K_PTR : CC_K_OTHER))
#define __CC_FN(x) _Generic((x), __CC_STRUCT_FNS default: (__cc_fmt_fn)0)
/* The object *p (p a pointer to any complete object type, arrays of up to
 * three levels walked element by element) appended to b. */
#define __CC_PUT(b, p) do { \
    __typeof__(p) __cc_p0 = (p); \
    __typeof__(__CC_EP(*__cc_p0)[0]) *__cc_p1 __attribute__((unused)) = 0; \
    __typeof__(__CC_EP(*__cc_p1)[0]) *__cc_p2 __attribute__((unused)) = 0; \
    __typeof__(__CC_EP(*__cc_p2)[0]) *__cc_p3 __attribute__((unused)) = 0; \
    const int __cc_a0 = __CC_IS_ARRAY(*__cc_p0); \
    const int __cc_a1 = __cc_a0 && __CC_IS_ARRAY(*__cc_p1); \
    const int __cc_a2 = __cc_a1 && __CC_IS_ARRAY(*__cc_p2); \
    const int __cc_a3 = __cc_a2 && __CC_IS_ARRAY(*__cc_p3); \
    const int __cc_r = __cc_a0 + __cc_a1 + __cc_a2; \
    const size_t __cc_s[4] = { sizeof *__cc_p0, sizeof *__cc_p1, sizeof *__cc_p2, \
                               sizeof *__cc_p3 }; \
    __cc_put((b), (const void *)__cc_p0, __cc_r, __cc_s, \
        __cc_r == 0 ? __CC_KIND(*__cc_p0) : __cc_r == 1 ? __CC_KIND(*__cc_p1) : \
        __cc_r == 2 ? __CC_KIND(*__cc_p2) : __cc_a3 ? CC_K_OTHER : __CC_KIND(*__cc_p3), \
        __cc_r == 0 ? __CC_FN(*__cc_p0) : __cc_r == 1 ? __CC_FN(*__cc_p1) : \
        __cc_r == 2 ? __CC_FN(*__cc_p2) : __cc_a3 ? (__cc_fmt_fn)0 : __CC_FN(*__cc_p3)); \
} while (0)
/* A bit-field member (no address): its value, promoted, in a temporary. */
#define __CC_PUT_BITS(b, lv) do { \
    __typeof__((lv) + 0) __cc_bf = (lv); \
    __CC_PUT(b, &__cc_bf); \
} while (0)
/* v is evaluated once, into a temporary (an array decays to a pointer to
 * its elements, which are then shown in place; a function to its address). */
#define __CC_SHOW_NV(v) ({ \
    __typeof__(v) *__cc_tp __attribute__((unused)) = 0; \
    __auto_type __cc_t = (v); \
    __cc_val *__cc_b = __cc_val_new(); \
    __CC_PUT(__cc_b, __builtin_choose_expr(__CC_IS_ARRAY(*__cc_tp), \
        (__typeof__(__cc_tp))(void *)__builtin_choose_expr(__CC_IS_ARRAY(*__cc_tp), \
                                                           __cc_t, (char *)0), \
        &__cc_t)); \
    __cc_val_show(__cc_b); })
#define __CC_SHOW(e) __extension__ \
    _Generic((__CC_TY(e) *)0, void *: (e), default: __CC_SHOW_NV(__CC_NV(e)))
/* A comparison or logical expression (an int in C) shown as true/false. */
#define __CC_SHOW_BOOL(e) __cc_show_b((e) != 0)
/* When __CC_SHOW(e) does not compile, the kernel compiles the cell again
 * with this in its place (same length, so columns stay true): it shows a
 * bit-field (typeof refuses one, the comma operator does not; + 0ll gives
 * its exact value as long long or unsigned long long). */
#define __CC_SHBF(e) _Generic(((void)0, (e)), _Bool: __cc_show_b(((void)0, (e))), \
                              default: __CC_SHOW(((void)0, (e)) + 0ll))

/* cc_plot / cc_scatter take float, double and integer arrays alike. */
#define __CC_PLOT_KIND(p) _Generic((p), \
    float *: CC_K_FLOAT, const float *: CC_K_FLOAT, \
    double *: CC_K_DOUBLE, const double *: CC_K_DOUBLE, \
    int *: CC_K_INT, const int *: CC_K_INT, unsigned *: CC_K_UINT, const unsigned *: CC_K_UINT, \
    long *: CC_K_LONG, const long *: CC_K_LONG, \
    unsigned long *: CC_K_ULONG, const unsigned long *: CC_K_ULONG, \
    long long *: CC_K_LLONG, const long long *: CC_K_LLONG, \
    unsigned long long *: CC_K_ULLONG, const unsigned long long *: CC_K_ULLONG, \
    short *: CC_K_SHORT, const short *: CC_K_SHORT, \
    unsigned short *: CC_K_USHORT, const unsigned short *: CC_K_USHORT, \
    signed char *: CC_K_SCHAR, const signed char *: CC_K_SCHAR, \
    unsigned char *: CC_K_UCHAR, const unsigned char *: CC_K_UCHAR, \
    long double *: CC_K_LDOUBLE, const long double *: CC_K_LDOUBLE, \
    default: CC_K_OTHER)
#define cc_plot(x, y, n, title, xlabel, ylabel) \
    __cc_plot_typed((x), __CC_PLOT_KIND(x), (y), __CC_PLOT_KIND(y), (n), (title), \
                    (xlabel), (ylabel), 0)
#define cc_scatter(x, y, n, title, xlabel, ylabel) \
    __cc_plot_typed((x), __CC_PLOT_KIND(x), (y), __CC_PLOT_KIND(y), (n), (title), \
                    (xlabel), (ylabel), 1)

#else
/* ---- C++ (CUDA cells): __CC_SHOW(expr) ------------------------------------
 * (__cc_show_t(), expr) picks the overloaded comma below for a value and the
 * built-in comma for a void expr, which is then just evaluated. Structs the
 * notebook defines get an overload int __cc_fields(__cc_val *, const T &, int)
 * from the kernel, found by argument-dependent lookup. */
extern "C++" {
/* (va_list's element type carries attributes that g++ notes on copies) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wattributes"
#pragma GCC diagnostic ignored "-Wignored-attributes"
struct __cc_show_t {};

template <class _Tp> struct __cc_nocv { typedef _Tp __type; };
template <class _Tp> struct __cc_nocv<const _Tp> { typedef _Tp __type; };
template <class _Tp> struct __cc_nocv<volatile _Tp> { typedef _Tp __type; };
template <class _Tp> struct __cc_nocv<const volatile _Tp> { typedef _Tp __type; };

template <class _Tp> struct __cc_kind { enum { __value = __is_enum(_Tp) ? -1 : CC_K_OTHER }; };
template <class _Tp> struct __cc_kind<_Tp *> { enum { __value = CC_K_PTR }; };
#define __CC_KIND_OF(_Tp, _Kind) template <> struct __cc_kind<_Tp> { enum { __value = _Kind }; };
__CC_KIND_OF(bool, CC_K_BOOL) __CC_KIND_OF(char, CC_K_CHAR)
__CC_KIND_OF(signed char, CC_K_SCHAR) __CC_KIND_OF(unsigned char, CC_K_UCHAR)
__CC_KIND_OF(short, CC_K_SHORT) __CC_KIND_OF(unsigned short, CC_K_USHORT)
__CC_KIND_OF(int, CC_K_INT) __CC_KIND_OF(unsigned int, CC_K_UINT)
__CC_KIND_OF(long, CC_K_LONG) __CC_KIND_OF(unsigned long, CC_K_ULONG)
__CC_KIND_OF(long long, CC_K_LLONG) __CC_KIND_OF(unsigned long long, CC_K_ULLONG)
__CC_KIND_OF(float, CC_K_FLOAT) __CC_KIND_OF(double, CC_K_DOUBLE)
__CC_KIND_OF(long double, CC_K_LDOUBLE)
__CC_KIND_OF(char *, CC_K_STR) __CC_KIND_OF(const char *, CC_K_STR)
#undef __CC_KIND_OF

/* Types with no generated __cc_fields: this one (returns char) is chosen. */
template <class _Tp> inline char __cc_fields(__cc_val *, const _Tp &, long) { return 0; }

/* How a leaf of type T is formatted: by kind, as an enum, through the
 * struct's __cc_fields, or not at all (fn 0). */
template <class _Tp> inline void __cc_fields_fn(__cc_val *__b, const void *__p)
{
    __cc_fields(__b, *(const _Tp *)__p, 0);
}
template <class _Tp> inline void __cc_enum_fn(__cc_val *__b, const void *__p)
{
    long long __v = (long long)*(const _Tp *)__p;
    size_t __s = sizeof __v;
    __cc_put(__b, &__v, 0, &__s, CC_K_LLONG, 0);
}
template <class _Tp, int _Kind = __cc_kind<_Tp>::__value> struct __cc_leaf {
    static __cc_fmt_fn __fn() { return 0; }
    enum { __kind = _Kind };
};
template <class _Tp> struct __cc_leaf<_Tp, -1> {
    static __cc_fmt_fn __fn() { return &__cc_enum_fn<_Tp>; }
    enum { __kind = CC_K_OTHER };
};
template <class _Tp> struct __cc_leaf<_Tp, CC_K_OTHER> {
    static __cc_fmt_fn __fn()
    {
        return sizeof(__cc_fields((__cc_val *)0, *(const _Tp *)0, 0)) == sizeof(int)
                   ? &__cc_fields_fn<_Tp> : 0;
    }
    enum { __kind = CC_K_OTHER };
};

/* Array levels of T: rank, the element sizes, the leaf type. */
template <class _Tp> struct __cc_arr {
    enum { __rank = 0 };
    typedef typename __cc_nocv<_Tp>::__type __leaf;
    static void __sizes(size_t *__s) { __s[0] = sizeof(_Tp); }
};
template <class _Tp, size_t _Nm> struct __cc_arr<_Tp[_Nm]> {
    enum { __rank = 1 + __cc_arr<_Tp>::__rank };
    typedef typename __cc_arr<_Tp>::__leaf __leaf;
    static void __sizes(size_t *__s) { __s[0] = sizeof(_Tp[_Nm]); __cc_arr<_Tp>::__sizes(__s + 1); }
};

/* Functions are the types that const does not change. */
template <class _Tp> struct __cc_isconst { enum { __value = 0 }; };
template <class _Tp> struct __cc_isconst<const _Tp> { enum { __value = 1 }; };
template <class _Tp, bool _IsFn = !__cc_isconst<const _Tp>::__value> struct __cc_putter {
    static void __put(__cc_val *__b, const _Tp &__v)
    {
        typedef __cc_arr<_Tp> _Arr;
        typedef typename _Arr::__leaf _Leaf;
        size_t __s[_Arr::__rank + 1];
        _Arr::__sizes(__s);
        __cc_put(__b, (const void *)&__v, _Arr::__rank, __s, __cc_leaf<_Leaf>::__kind, __cc_leaf<_Leaf>::__fn());
    }
};
template <class _Tp> struct __cc_putter<_Tp, true> {
    static void __put(__cc_val *__b, _Tp &__f)
    {
        const void *__p = (const void *)&__f;
        size_t __s = sizeof __p;
        __cc_put(__b, &__p, 0, &__s, CC_K_PTR, 0);
    }
};
template <class _Tp> inline void __cc_put_obj(__cc_val *__b, const _Tp &__v) { __cc_putter<_Tp>::__put(__b, __v); }

template <class _Tp> inline void operator,(__cc_show_t, const _Tp &__v)
{
    __cc_val *__b = __cc_val_new();
    __cc_put_obj(__b, __v);
    __cc_val_show(__b);
}

/* cc_plot / cc_scatter take float, double and integer arrays alike. */
template <class _Xp, class _Yp>
inline void cc_plot(const _Xp *__x, const _Yp *__y, int __n, const char *__title, const char *__xlabel,
                    const char *__ylabel)
{
    __cc_plot_typed(__x, __cc_kind<_Xp>::__value, __y, __cc_kind<_Yp>::__value, __n, __title, __xlabel, __ylabel, 0);
}
template <class _Yp>
inline void cc_plot(decltype(nullptr), const _Yp *__y, int __n, const char *__title, const char *__xlabel,
                    const char *__ylabel)
{
    __cc_plot_typed(0, CC_K_OTHER, __y, __cc_kind<_Yp>::__value, __n, __title, __xlabel, __ylabel, 0);
}
template <class _Xp, class _Yp>
inline void cc_scatter(const _Xp *__x, const _Yp *__y, int __n, const char *__title, const char *__xlabel,
                       const char *__ylabel)
{
    __cc_plot_typed(__x, __cc_kind<_Xp>::__value, __y, __cc_kind<_Yp>::__value, __n, __title, __xlabel, __ylabel, 1);
}
template <class _Yp>
inline void cc_scatter(decltype(nullptr), const _Yp *__y, int __n, const char *__title,
                       const char *__xlabel, const char *__ylabel)
{
    __cc_plot_typed(0, CC_K_OTHER, __y, __cc_kind<_Yp>::__value, __n, __title, __xlabel, __ylabel, 1);
}
#pragma GCC diagnostic pop
}
#define __CC_SHOW(e) ((void)(__cc_show_t(), e))
#define __CC_SHBF(e) __CC_SHOW(e)
#endif

#endif

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
CC_API void cc_display_html(const char *html);
CC_API void cc_display_markdown(const char *md);
CC_API void cc_display_latex(const char *tex);          /* e.g. "$$e^{i\\pi}+1=0$$" */
CC_API void cc_display_svg(const char *svg);
CC_API void cc_display_json(const char *json_text);     /* must be valid JSON */
CC_API void cc_display_text(const char *text);
CC_API void cc_display_png(const void *png, size_t len);
CC_API void cc_display_jpeg(const void *jpeg, size_t len);
/* Row-major 8-bit pixels, no padding between rows; channels: 1 gray,
 * 2 gray+alpha, 3 RGB, 4 RGBA. Encoded as a PNG. */
CC_API void cc_display_image(const unsigned char *pixels, int width, int height, int channels);

/* ---- plots (SVG with axes, ticks and labels) ---------------------------- */
/* x may be NULL for 0, 1, ..., n-1. Points with NaN or infinite coordinates
 * are left out. title, xlabel, ylabel may be NULL. */
CC_API void cc_plot(const float *x, const float *y, int n, const char *title,
             const char *xlabel, const char *ylabel);
CC_API void cc_scatter(const float *x, const float *y, int n, const char *title,
                const char *xlabel, const char *ylabel);

/* ---- updatable displays --------------------------------------------------- */
/* Shows html and returns its display id. The id is owned by the library and
 * stays valid until the runtime exits: keep it, do not free it. Returns NULL
 * (after a message on stderr) when html is NULL or memory runs out. */
CC_API const char *cc_display_new(const char *html);
/* Replaces what the display with this id shows (update_display_data). */
CC_API void cc_display_update(const char *display_id, const char *html);
/* Clears the cell's output; wait != 0 clears only when new output arrives. */
CC_API void cc_clear_output(int wait);

/* ---- progress bars -------------------------------------------------------- */
typedef struct cc_progress cc_progress;
/* total <= 0 means unknown. label may be NULL. Returns NULL when out of
 * memory; the other calls accept NULL and do nothing. */
CC_API cc_progress *cc_progress_new(long total, const char *label);
/* Cheap to call on every iteration: redraws at most ~10 times a second. */
CC_API void cc_progress_update(cc_progress *p, long done);
/* Shows the final state and frees p. */
CC_API void cc_progress_done(cc_progress *p);

/* ---- last-expression values (used by __CC_SHOW; not for direct use) ------ */
enum {
    CC_K_OTHER = 0, CC_K_BOOL, CC_K_CHAR, CC_K_SCHAR, CC_K_UCHAR,
    CC_K_SHORT, CC_K_USHORT, CC_K_INT, CC_K_UINT, CC_K_LONG, CC_K_ULONG,
    CC_K_LLONG, CC_K_ULLONG, CC_K_FLOAT, CC_K_DOUBLE, CC_K_LDOUBLE,
    CC_K_STR, CC_K_PTR
};
CC_API void __cc_show_b(int v);
CC_API void __cc_show_c(char v);
CC_API void __cc_show_i(long long v);
CC_API void __cc_show_u(unsigned long long v);
CC_API void __cc_show_f(float v);
CC_API void __cc_show_d(double v);
CC_API void __cc_show_ld(long double v);
CC_API void __cc_show_s(const char *v);
CC_API void __cc_show_p(const void *v);
CC_API void __cc_show_none(int unused);
/* Not a scalar we know: a pointer (is_ptr) or a struct/union of size bytes. */
CC_API void __cc_show_other(size_t size, int is_ptr, const void *ptr);
/* A fixed array of size bytes, elements of elem_size bytes and the given
 * kind (CC_K_OTHER: shown by size only); char arrays are shown as strings
 * (up to the first NUL). */
CC_API void __cc_show_array(int kind, const void *base, size_t size, size_t elem_size);

#ifdef __cplusplus
}
#endif

#ifndef __cplusplus
/* ---- C: __CC_SHOW(expr) ------------------------------------------------
 * Shows the value of expr as the cell's execute_result. A void expr is just
 * evaluated. expr is evaluated once; the other copies the macro makes of it
 * sit in sizeof / typeof / unselected branches and are never evaluated. */

/* expr itself, or 0 when expr is void (so the value branch type-checks). */
#define __CC_NV(e) _Generic((__typeof__(e) *)0, void *: 0, default: (e))
/* 1 when v has array type (an array and its decayed pointer differ). */
#define __CC_IS_ARRAY(v) \
    (!__builtin_types_compatible_p(__typeof__(v), __typeof__(((void)0, (v)))))
/* For an array, a pointer to its first element; otherwise a dummy char *. */
#define __CC_AP(v) __builtin_choose_expr(__CC_IS_ARRAY(v), ((void)0, (v)), (char *)0)
#define __CC_KIND(x) _Generic((x), \
    _Bool: CC_K_BOOL, char: CC_K_CHAR, signed char: CC_K_SCHAR, \
    unsigned char: CC_K_UCHAR, short: CC_K_SHORT, unsigned short: CC_K_USHORT, \
    int: CC_K_INT, unsigned int: CC_K_UINT, long: CC_K_LONG, \
    unsigned long: CC_K_ULONG, long long: CC_K_LLONG, \
    unsigned long long: CC_K_ULLONG, float: CC_K_FLOAT, double: CC_K_DOUBLE, \
    long double: CC_K_LDOUBLE, char *: CC_K_STR, const char *: CC_K_STR, \
    default: (__builtin_classify_type(x) == 5 ? CC_K_PTR : CC_K_OTHER))
#define __CC_KNOWN(v) (__CC_KIND(v) != CC_K_OTHER && __CC_KIND(v) != CC_K_PTR)
/* v when it is a known scalar, else 0 (the argument of __cc_show_none). */
#define __CC_SV(v) __builtin_choose_expr(__CC_KNOWN(v), (v), 0)
/* v when it is a pointer, else a dummy NULL. */
#define __CC_PP(v) __builtin_choose_expr(__builtin_classify_type(v) == 5, (v), (void *)0)
#define __CC_SCALAR(v) _Generic((v), \
    _Bool: __cc_show_b, char: __cc_show_c, signed char: __cc_show_i, \
    unsigned char: __cc_show_u, short: __cc_show_i, unsigned short: __cc_show_u, \
    int: __cc_show_i, unsigned int: __cc_show_u, long: __cc_show_i, \
    unsigned long: __cc_show_u, long long: __cc_show_i, \
    unsigned long long: __cc_show_u, float: __cc_show_f, double: __cc_show_d, \
    long double: __cc_show_ld, char *: __cc_show_s, const char *: __cc_show_s, \
    default: __cc_show_none)(__CC_SV(v))
/* Arrays of arrays are shown by size only. */
#define __CC_ARRAY(v) __cc_show_array( \
    __CC_IS_ARRAY(__CC_AP(v)[0]) ? CC_K_OTHER : __CC_KIND(__CC_AP(v)[0]), \
    (const void *)__CC_AP(v), sizeof(v), sizeof(__CC_AP(v)[0]))
#define __CC_OTHER(v) __cc_show_other(sizeof(v), \
    __builtin_classify_type(v) == 5, (const void *)__CC_PP(v))
#define __CC_SHOW_NV(v) __builtin_choose_expr(__CC_IS_ARRAY(v), __CC_ARRAY(v), \
    __builtin_choose_expr(__CC_KNOWN(v), __CC_SCALAR(v), __CC_OTHER(v)))
#define __CC_SHOW(e) \
    _Generic((__typeof__(e) *)0, void *: (e), default: __CC_SHOW_NV(__CC_NV(e)))

#else
/* ---- C++ (CUDA cells): __CC_SHOW(expr) ------------------------------------
 * (__cc_show_t(), expr) picks the overloaded comma below for a value and the
 * built-in comma for a void expr, which is then just evaluated. */
extern "C++" {
struct __cc_show_t {};

template <class T> struct __cc_kind { enum { value = CC_K_OTHER }; };
template <class T> struct __cc_kind<T *> { enum { value = CC_K_PTR }; };
#define __CC_KIND_OF(T, K) template <> struct __cc_kind<T> { enum { value = K }; };
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

/* Anything else: enums as their value, structs and classes by size. */
template <class T, bool E = __is_enum(T)> struct __cc_shower_other {
    static void show(const T &) { __cc_show_other(sizeof(T), 0, 0); }
};
template <class T> struct __cc_shower_other<T, true> {
    static void show(const T &v) { __cc_show_i((long long)v); }
};
template <class T> struct __cc_shower : __cc_shower_other<T> {};
template <class R, class... A> struct __cc_shower<R(A...)> {
    static void show(R (&f)(A...)) { __cc_show_p((const void *)&f); }
};
template <class T> struct __cc_shower<T *> {
    static void show(T *const &v) { __cc_show_p((const void *)v); }
};
template <class T, size_t N> struct __cc_shower<T[N]> {
    static void show(const T (&a)[N]) {
        __cc_show_array(__cc_kind<T>::value, (const void *)a, sizeof a, sizeof a[0]);
    }
};
#define __CC_SHOWER(T, F) template <> struct __cc_shower<T> { \
    typedef T type; static void show(const type &v) { F(v); } };
__CC_SHOWER(bool, __cc_show_b) __CC_SHOWER(char, __cc_show_c)
__CC_SHOWER(signed char, __cc_show_i) __CC_SHOWER(unsigned char, __cc_show_u)
__CC_SHOWER(short, __cc_show_i) __CC_SHOWER(unsigned short, __cc_show_u)
__CC_SHOWER(int, __cc_show_i) __CC_SHOWER(unsigned int, __cc_show_u)
__CC_SHOWER(long, __cc_show_i) __CC_SHOWER(unsigned long, __cc_show_u)
__CC_SHOWER(long long, __cc_show_i) __CC_SHOWER(unsigned long long, __cc_show_u)
__CC_SHOWER(float, __cc_show_f) __CC_SHOWER(double, __cc_show_d)
__CC_SHOWER(long double, __cc_show_ld)
__CC_SHOWER(char *, __cc_show_s) __CC_SHOWER(const char *, __cc_show_s)
#undef __CC_SHOWER

template <class T> inline void operator,(__cc_show_t, const T &v) { __cc_shower<T>::show(v); }
}
#define __CC_SHOW(e) ((void)(__cc_show_t(), e))
#endif

#endif

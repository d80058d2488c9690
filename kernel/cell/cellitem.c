/* kernel/cell/cellitem.c — the split cell's shared lower layer (see cellitem.h):
 * token text helpers, the specifier keywords that carry a CC_F_* flag, the
 * well-known type names, freeing a cc_cell and describing it. Calls nothing
 * above it (neither cellsplit.c nor celldecl.c). */
#include "cellitem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

static bool is_ident_char(int c) { return isalnum(c) || c == '_' || c == '$'; }

/* ---- vocabularies ------------------------------------------------------ */

typedef struct kw { const char *s; unsigned flag; } kw;

/* Specifier keywords that carry a flag (storage class, qualifiers, CUDA). */
static const kw flag_keywords[] = {
    { "typedef", CC_F_TYPEDEF }, { "static", CC_F_STATIC }, { "extern", CC_F_EXTERN },
    { "register", CC_F_STATIC }, { "auto", CC_F_STATIC },
    { "inline", CC_F_INLINE }, { "__inline", CC_F_INLINE }, { "__inline__", CC_F_INLINE },
    { "_Thread_local", CC_F_THREAD }, { "__thread", CC_F_THREAD }, { "thread_local", CC_F_THREAD },
    { "const", CC_F_CONST }, { "__global__", CC_F_GLOBAL }, { "__device__", CC_F_DEVICE },
    { "__host__", CC_F_HOST }, { "__constant__", CC_F_CONSTANT }, { "__shared__", CC_F_SHARED },
    { "__managed__", CC_F_MANAGED }, { "__auto_type", CC_F_AUTO_TYPE },
    { NULL, 0 }
};

unsigned cc_tok_keyword_flag(const cc_cell *c, size_t i)
{
    if (!(i < c->n_toks && c->toks[i].kind == CC_TOK_IDENT)) return 0;
    for (int k = 0; flag_keywords[k].s; k++)
        if (cc_tok_is(c, i, flag_keywords[k].s)) return flag_keywords[k].flag;
    return 0;
}

bool cc_is_common_type(const char *p, size_t len)
{
    static const char *const names[] = {
        "FILE", "DIR", "va_list", "__builtin_va_list", "jmp_buf", "sigjmp_buf", "fpos_t",
        "div_t", "ldiv_t", "lldiv_t", "dim3", "cudaError", "cudaDeviceProp", "cudaEvent_t",
        "cudaStream_t", "cudaArray", "cudaChannelFormatDesc", "cudaExtent", "cudaPitchedPtr",
        "cudaMemcpyKind", "cudaPointerAttributes", "cudaFuncAttributes", "cublasHandle_t",
        "cufftHandle", "cusparseHandle_t", "curandState", "curandState_t", "curandGenerator_t",
        "half", "__half", "__half2", "__nv_bfloat16", "__nv_bfloat162", "float2", "float3",
        "float4", "double2", "double3", "double4", "int2", "int3", "int4", "uint2", "uint3",
        "uint4", "char2", "char4", "uchar2", "uchar4", "short2", "short4", "long2", "long4",
        "ulong2", "ulong4", "longlong2", "ulonglong2", "cudaTextureObject_t",
        "cudaSurfaceObject_t", "cudaGraph_t", "cudaGraphExec_t", "cudaGraphNode_t",
        "complex", "bool", NULL };
    if (len > 2 && p[len - 2] == '_' && p[len - 1] == 't') return true;
    for (int k = 0; names[k]; k++)
        if (strlen(names[k]) == len && memcmp(names[k], p, len) == 0) return true;
    return false;
}

/* ---- token helpers ---------------------------------------------------- */

bool cc_tok_is(const cc_cell *c, size_t i, const char *text)
{
    if (i >= c->n_toks) return false;
    const cc_tok *t = &c->toks[i];
    if (c->src[t->off] != text[0]) return false;   /* cheap test first: this is the hottest call */
    size_t l = strlen(text);
    return (size_t)t->len == l && memcmp(c->src + t->off, text, l) == 0 && t->kind != CC_TOK_STRING;
}

char *cc_tok_str(const cc_cell *c, size_t i)
{
    const cc_tok *t = &c->toks[i];
    return cc_xstrndup(c->src + t->off, (size_t)t->len);
}

char *cc_toks_join(const cc_cell *c, size_t first, size_t end,
                   size_t skip_first, size_t skip_end, unsigned drop_flags)
{
    size_t cap = 16;
    for (size_t i = first; i < end && i < c->n_toks; i++) cap += (size_t)c->toks[i].len + 1;
    char *out = cc_xmalloc(cap), *p = out;
    const cc_tok *prev = NULL;
    for (size_t i = first; i < end && i < c->n_toks; i++) {
        if (i >= skip_first && i < skip_end) continue;
        unsigned f = cc_tok_keyword_flag(c, i);
        if (f & drop_flags) {
            /* extern "C" goes with its extern */
            if (f == CC_F_EXTERN && i + 1 < end && c->toks[i + 1].kind == CC_TOK_STRING) i++;
            continue;
        }
        const cc_tok *t = &c->toks[i];
        /* one blank where the source had blanks (or a comment), or where two
         * words would otherwise run together */
        if (prev && (t->off > prev->off + prev->len ||
                     (is_ident_char((unsigned char)p[-1]) && is_ident_char((unsigned char)c->src[t->off]))))
            *p++ = ' ';
        memcpy(p, c->src + t->off, (size_t)t->len);
        p += t->len;
        prev = t;
    }
    *p = '\0';
    return out;
}

/* ---- freeing ------------------------------------------------------------ */

static void item_free(cc_item *it)
{
    free(it->name);
    free(it->tag);
    for (size_t k = 0; k < it->n_enumerators; k++) free(it->enumerators[k]);
    free(it->enumerators);
    for (size_t k = 0; k < it->n_decls; k++) free(it->decls[k].name);
    free(it->decls);
}

void cc_cell_free(cc_cell *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_items; i++) item_free(&c->items[i]);
    free(c->items);
    free(c->toks);
    free(c->typenames.v);
    memset(c, 0, sizeof *c);
}

/* ---- description (tests, logs) ---------------------------------------- */

char *cc_cell_describe(const cc_cell *c)
{
    static const char *const kn[] = { "PP", "TYPE", "FUNC", "DECL", "STMT", "OTHER" };
    static const char *const pn[] = { "include", "define", "undef", "cond", "other" };
    cc_strbuf b = {0};
    cc_strbuf_add(&b, "");
    for (size_t i = 0; i < c->n_items; i++) {
        const cc_item *it = &c->items[i];
        if (i) cc_strbuf_add(&b, " ");
        cc_strbuf_add(&b, kn[it->kind]);
        if (it->kind == CC_ITEM_PREPROC) {
            cc_strbuf_add(&b, ":");
            cc_strbuf_add(&b, pn[it->pp]);
            if (it->name) { cc_strbuf_add(&b, "="); cc_strbuf_add(&b, it->name); }
        } else if (it->kind == CC_ITEM_TYPE || it->kind == CC_ITEM_FUNC || it->kind == CC_ITEM_DECL) {
            const char *sep = ":";
            if (it->tag && it->has_body) { cc_strbuf_add(&b, sep); cc_strbuf_add(&b, it->tag); sep = ","; }
            else if (it->tag && it->kind == CC_ITEM_TYPE && it->n_decls == 0) {
                cc_strbuf_add(&b, ":fwd "); cc_strbuf_add(&b, it->tag); sep = ",";
            }
            for (size_t k = 0; k < it->n_decls; k++) {
                cc_strbuf_add(&b, sep); sep = ",";
                cc_strbuf_add(&b, it->decls[k].name);
                if (it->kind == CC_ITEM_DECL && it->decls[k].is_func) cc_strbuf_add(&b, "()");
                if (it->kind == CC_ITEM_DECL && it->decls[k].has_init) cc_strbuf_add(&b, "=");
            }
        }
        if (it->no_semicolon) cc_strbuf_add(&b, "!");
    }
    return b.s;
}

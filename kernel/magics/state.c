/* kernel/magics/state.c — what the session holds and what the kernel knows:
 * %who (the session's names, grouped by kind), %reset (forget every
 * declaration and drop the runtime process; the next cell starts a new one)
 * %lang (the session's language: C, or CUDA C++ from the first CUDA cell on)
 * and %lsmagic (the magic table with its help). */
#include "handlers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "crash_report.h"
#include "cc_output.h"
#include "runtime_client.h"
#include "services.h"
#include "session.h"

int cc_magic_reset(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    (void)seg;
    pthread_rwlock_wrlock(&svc->names_lock);
    if (svc->session)
        cc_session_reset(svc->session);
    else
        svc->session = cc_session_new();
    pthread_rwlock_unlock(&svc->names_lock);
    if (svc->rt) {
        cc_rt_free(svc->rt);
        svc->rt = NULL;
    }
    cc_cache_unpin_all(svc->cache);   /* nothing loads the old objects any more */
    cc_crash_cells_clear(svc->crash_cells);
    cc_out_printf(x, 1, "Session reset: every declaration, function and variable is forgotten, and the "
                        "runtime process will start afresh with the next cell.\n");
    return 0;
}

int cc_magic_who(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    static const struct { cc_name_kind kind; const char *title; } groups[] = {
        {CC_NAME_VARIABLE, "Variables"}, {CC_NAME_FUNCTION, "Functions"}, {CC_NAME_TYPE, "Types"},
        {CC_NAME_MACRO, "Macros"},       {CC_NAME_KERNEL, "CUDA kernels"}, {CC_NAME_DEVICE, "Device functions and variables"},
    };
    (void)seg;
    cc_name_info *names = NULL;
    size_t n = svc->session ? cc_session_names(svc->session, &names) : 0;
    if (n == 0) {
        cc_out_printf(x, 1, "Nothing is defined yet.\n");
        free(names);
        return 0;
    }
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        bool title = false;
        for (size_t i = 0; i < n; i++) {
            if (names[i].kind != groups[g].kind)
                continue;
            /* the names of one declaration (an enum's tag and constants, a
             * typedef'd struct) are adjacent and share its text: one line */
            if (i > 0 && names[i].decl && names[i].decl == names[i - 1].decl)
                continue;
            if (!title) {
                cc_out_printf(x, 1, "%s:\n", groups[g].title);
                title = true;
            }
            cc_out_printf(x, 1, "  %s\n", names[i].decl && *names[i].decl ? names[i].decl : names[i].name);
        }
    }
    free(names);
    return 0;
}

int cc_magic_lsmagic(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    (void)svc;
    (void)seg;
    size_t n;
    const cc_magic *t = cc_magic_table(&n);
    for (int pass = 0; pass < 2; pass++) {
        bool cell = pass == 1;
        cc_out_printf(x, 1, "%s%s magics:\n", cell ? "\n" : "", cell ? "Cell" : "Line");
        for (size_t i = 0; i < n; i++)
            if (t[i].cell == cell)
                cc_out_printf(x, 1, "  %-24s %s\n", t[i].usage, t[i].help);
    }
    cc_out_printf(x, 1, "\nA line starting with ! runs a shell command, e.g. !ls -l or !nvidia-smi.\n");
    return 0;
}

int cc_magic_lang(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    const char *a = seg->args ? seg->args : "";
    if (!svc->session)
        svc->session = cc_session_new();
    if (*a) {
        bool cuda = strcmp(a, "cuda") == 0 || strcmp(a, "c++") == 0 || strcmp(a, "cxx") == 0;
        if (!cuda && strcmp(a, "c") != 0) {
            cc_out_error(x, "UsageError", "Unknown language for %lang",
                         "%lang takes `c` or `cuda`: `%lang c` makes the cells that follow C (compiled by the C "
                         "compiler; a cell with CUDA syntax is still CUDA), `%lang cuda` makes every cell CUDA "
                         "C++ (cells without device code are compiled by the host C++ compiler with the CUDA "
                         "runtime, the others by nvcc). `%lang` alone shows the language.");
            return -1;
        }
        pthread_rwlock_wrlock(&svc->names_lock);
        cc_session_set_cxx(svc->session, cuda);
        pthread_rwlock_unlock(&svc->names_lock);
    }
    if (cc_session_is_cxx(svc->session))
        cc_out_printf(x, 1, "cuda: every cell is CUDA C++ (cells without device code go to the host C++ "
                            "compiler, the others to nvcc); %%%%c makes one cell C.\n");
    else
        cc_out_printf(x, 1, "c: cells are C until the first CUDA cell (or %%lang cuda); a cell with CUDA "
                            "syntax is compiled by nvcc.\n");
    return 0;
}

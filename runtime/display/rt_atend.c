/* runtime/display/rt_atend.c — what cells ask to run when the session's
 * runtime ends normally (%reset, a restart, shutdown): the destructors of
 * their class-type globals (kernel/cell/codegen_cxx.c registers one per
 * global), run newest first by the runtime when the kernel closes its
 * command pipe (runtime/runtime.c). Never run on a crash or a kill. */
#include "cudacell.h"

#include <stdlib.h>

static void (**fns)(void);
static size_t n_fns, cap_fns;

void __cc_at_end(void (*fn)(void))
{
    if (!fn)
        return;
    if (n_fns == cap_fns) {
        size_t cap = cap_fns ? cap_fns * 2 : 16;
        void (**v)(void) = realloc(fns, cap * sizeof *v);
        if (!v)
            return;   /* in the user's process: a missed destructor beats an abort */
        fns = v;
        cap_fns = cap;
    }
    fns[n_fns++] = fn;
}

void __cc_run_at_end(void)
{
    while (n_fns > 0) {
        void (*fn)(void) = fns[--n_fns];
        fn();
    }
    free(fns);
    fns = NULL;
    cap_fns = 0;
}

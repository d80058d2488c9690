/* kernel/magics/flags.c — the magics that show or set the services' build
 * and run settings: %cflags, %ldflags, %nvccflags (extra flags for the C
 * compiler, the linker, nvcc) and %args (main()'s arguments). The strings
 * are owned by the services; the old one is freed here when replaced. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellutil.h"
#include "cc_output.h"
#include "services.h"
#include "xalloc.h"

/* A UsageError whose value is text's first line and traceback all of it. */
static void usage_error(cc_out *x, const char *text)
{
    char *evalue = cc_xstrndup(text, strcspn(text, "\n"));
    cc_out_error(x, "UsageError", evalue, text);
    free(evalue);
}

static bool is_clear_word(const char *a)
{
    return strcmp(a, "--clear") == 0 || strcmp(a, "\"\"") == 0 || strcmp(a, "''") == 0;
}

/* Show or replace one of the services' strings. */
static int setting_magic(cc_out *x, const cc_segment *seg, char **slot, const char *label, const char *none)
{
    const char *a = seg->args ? seg->args : "";
    if (!*a) {
        cc_out_printf(x, 1, "%s: %s\n", label, *slot && **slot ? *slot : none);
        return 0;
    }
    char *err = NULL;
    size_t n;
    char **w = cc_split_words(a, &n, &err);
    if (!w) {
        usage_error(x, err ? err : "cannot read the arguments");
        free(err);
        return -1;
    }
    cc_words_free(w);
    char *v = cc_xstrdup(is_clear_word(a) ? "" : a);
    free(*slot);
    *slot = v;
    cc_out_printf(x, 1, "%s: %s\n", label, *v ? v : none);
    return 0;
}

int cc_magic_cflags(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    return setting_magic(x, seg, &svc->cflags, "C compiler flags",
                         "(none; always used: -std=gnu17 -g -gdwarf-4 -O1; %cflags --clear resets)");
}

int cc_magic_ldflags(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    return setting_magic(x, seg, &svc->ldflags, "linker flags", "(none; -lm is always linked)");
}

int cc_magic_args(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    return setting_magic(x, seg, &svc->args, "arguments of main()", "(none; argv[0] is \"cell\")");
}

int cc_magic_nvccflags(cc_out *x, cc_services *svc, const cc_segment *seg)
{
    const char *args = seg->args ? seg->args : "";
    if (*args == '\0') {
        if (svc->nvccflags && *svc->nvccflags)
            cc_out_printf(x, 1, "nvcc flags for CUDA cells: %s\n", svc->nvccflags);
        else
            cc_out_printf(x, 1, "No extra nvcc flags are set (%%nvccflags FLAGS sets them, "
                                "%%nvccflags \"\" clears them).\n");
        return 0;
    }
    int clear = strcmp(args, "\"\"") == 0 || strcmp(args, "''") == 0;
    char *flags = cc_xstrdup(clear ? "" : args);
    free(svc->nvccflags);
    svc->nvccflags = flags;
    if (clear)
        cc_out_printf(x, 1, "Extra nvcc flags cleared.\n");
    else
        cc_out_printf(x, 1, "nvcc flags for later CUDA cells: %s\n", svc->nvccflags);
    return 0;
}

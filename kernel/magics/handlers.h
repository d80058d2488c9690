/* kernel/magics/handlers.h — the handlers the magic table (magics.c) points
 * at, by the file of kernel/magics/ that implements them. Only the table and
 * the unit tests include this. */
#ifndef CC_MAGICS_HANDLERS_H
#define CC_MAGICS_HANDLERS_H

#include "magics.h"

#define CC_MAGIC_HANDLER(fn) int fn(struct cc_out *x, struct cc_services *svc, const cc_segment *seg)

/* env.c: the kernel's directory and environment */
CC_MAGIC_HANDLER(cc_magic_cd);
CC_MAGIC_HANDLER(cc_magic_pwd);
CC_MAGIC_HANDLER(cc_magic_env);
/* script.c: the cell body as a file or a script */
CC_MAGIC_HANDLER(cc_magic_writefile);
CC_MAGIC_HANDLER(cc_magic_bash);
/* flags.c: compiler, linker and nvcc flags, main()'s arguments */
CC_MAGIC_HANDLER(cc_magic_cflags);
CC_MAGIC_HANDLER(cc_magic_ldflags);
CC_MAGIC_HANDLER(cc_magic_nvccflags);
CC_MAGIC_HANDLER(cc_magic_args);
/* run.c: the cell body through the cell engine, language or timing forced */
CC_MAGIC_HANDLER(cc_magic_c);
CC_MAGIC_HANDLER(cc_magic_cuda);
CC_MAGIC_HANDLER(cc_magic_time);
CC_MAGIC_HANDLER(cc_magic_timeit);
/* state.c: what the session holds and what the kernel knows */
CC_MAGIC_HANDLER(cc_magic_who);
CC_MAGIC_HANDLER(cc_magic_reset);
CC_MAGIC_HANDLER(cc_magic_lsmagic);
CC_MAGIC_HANDLER(cc_magic_lang);
/* gpu.c, profile.c, mpirun.c: GPUs, profilers, MPI */
CC_MAGIC_HANDLER(cc_magic_gpu);
CC_MAGIC_HANDLER(cc_magic_ncu);
CC_MAGIC_HANDLER(cc_magic_nsys);
CC_MAGIC_HANDLER(cc_magic_mpirun);

/* env.c: `~` and $VAR expansion of a path argument (malloc'd); script.c
 * uses it for %%writefile's FILE. */
char *cc_path_expand(const char *arg);

#endif

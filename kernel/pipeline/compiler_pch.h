/* kernel/pipeline/compiler_pch.h — the precompiled prelude: every cell unit
 * starts with #include <cudacell_prelude.h> (the headers a cell gets without
 * an #include); GCC can load that from a saved state instead of parsing it
 * again, which takes a C cell's compile from ~57 to ~49 ms and a host-only
 * C++ cell's from ~143 to ~69 ms (cuda_runtime.h is most of it).
 *
 * One per session (services.c owns it); the compiler driver asks it for each
 * unit (compiler_pch.c). */
#ifndef CC_COMPILER_PCH_H
#define CC_COMPILER_PCH_H

typedef struct cc_pch cc_pch;

/* workdir: the private directory the saved states are written to. */
cc_pch *cc_pch_new(const char *workdir);

/* Stops a build still running (kills and reaps it); its files go with the
 * work directory. NULL is fine. */
void cc_pch_free(cc_pch *p);

#endif

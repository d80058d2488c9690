/* cudacell_prelude.h — what every generated cell unit includes first, so
 * printf, malloc, uint8_t and bool work without an #include (README), and
 * libcudacell's API (cudacell.h) is there.
 *
 * Deliberately small: <string.h> and <math.h> declare names people give
 * their own variables (index, y0, j1, gamma…), so cells include those
 * themselves. C++ units (host-only cells of a CUDA session, and nvcc's)
 * also get the CUDA runtime API, placement new and the helpers the
 * kernel's generated code uses (names starting with __cc_).
 *
 * It is one header so the kernel can precompile it (kernel/pipeline/
 * compiler_pch.c): a cell then starts from the compiler's saved state
 * instead of parsing these headers again. It has no include guard on
 * purpose: a precompiled header is used only for the first include. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <cudacell.h>
#ifdef __cplusplus
#include <new>
template <class _Tp> _Tp __cc_auto_type(_Tp);   /* the type of an `auto` global: decltype(__cc_auto_type(e)) */
#include <cuda_runtime.h>
#ifndef restrict
#define restrict __restrict__
#endif
#ifndef __CUDACC__
/* what a launch rewritten for the host compiler calls (nvcc declares it itself) */
extern "C" unsigned __cudaPushCallConfiguration(dim3, dim3, size_t = 0, cudaStream_t = 0);
#endif
#endif

/* kernel/cell/cxxnames.h — words and headers of CUDA cells that C translation
 * units cannot read (see cxxnames.c). */
#ifndef CC_CXXNAMES_H
#define CC_CXXNAMES_H

#include <stdbool.h>
#include <stddef.h>

/* The identifier [p, p+len) is a C++ keyword, a CUDA qualifier or a CUDA
 * type name (exact match: dim3, float4, __half, cudaStream_t,
 * cublasHandle_t …). */
bool cc_cxx_only_name(const char *p, size_t len);

/* The header name of an #include (between <> or "") is C++ or CUDA:
 * no extension (<vector>), .cuh/.hpp, or a CUDA header (<cuda_runtime.h>,
 * <cublas_v2.h>, <curand_kernel.h> …). */
bool cc_cxx_header(const char *name, size_t len);

/* The header name is one only nvcc can compile (device code, or libraries
 * that need nvcc: thrust, CUB, libcu++, cooperative groups, .cuh files,
 * curand_kernel.h …): host-only C++ units of a CUDA session leave it out. */
bool cc_device_header(const char *name, size_t len);

/* The identifier is a namespace whose code needs nvcc (thrust, cub,
 * cooperative_groups, nvcuda, cuda): a host-only cell naming it goes to nvcc. */
bool cc_device_namespace(const char *p, size_t len);

#endif

/* kernel/cell/launch.h — what a cell of a C++ session needs from nvcc, and
 * kernel launches rewritten so the host C++ compiler can build them
 * (launch.c). Pure. */
#ifndef CC_LAUNCH_H
#define CC_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>

/* Whether name [p, p+len) is a kernel of an earlier cell that a host-only
 * unit can launch (a non-template __global__ with its host stub exported). */
typedef bool (*cc_kernel_known)(void *ctx, const char *p, size_t len);

/* Whether the cell needs nvcc: device syntax (__global__, __device__,
 * __shared__, __constant__, __managed__), a device library namespace
 * (thrust::, cub::, cooperative_groups …), or a launch that cannot be
 * rewritten. A cell that does not tokenize needs nothing (the splitter will
 * report it). */
bool cc_cell_needs_nvcc(const char *code, cc_kernel_known known, void *ctx);

/* Whether a cell of a C session is unmistakably C++: it includes a C++ or
 * CUDA header (<vector>, <cstdio>, <cuda_runtime.h>, .hpp, thrust/ …) or
 * says `template <typename`, `namespace N {`, `class N {`, `std::` or `using
 * namespace`. Such a cell makes the session CUDA C++, as a CUDA cell does. */
bool cc_cell_is_cxx(const char *code);

/* The cell with every launch `k<<<cfg>>>(args)` of a known kernel written
 * as `(__cudaPushCallConfiguration(cfg) ? (void)0 : k(args))`, what nvcc's
 * front end makes of it; newlines are kept, so line numbers stay the
 * cell's. malloc'd; NULL when some launch cannot be rewritten (unknown or
 * template kernel, explicit template arguments, qualified name). A cell
 * without launches comes back unchanged (a copy). */
char *cc_launch_rewrite(const char *code, cc_kernel_known known, void *ctx);

/* Both in one pass over the tokens: NULL when the cell needs nvcc, else the
 * cell with its launches rewritten (malloc'd). */
char *cc_cell_host_text(const char *code, cc_kernel_known known, void *ctx);

#endif

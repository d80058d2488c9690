/* runtime/rt_cuda.h — the runtime's CUDA duties, with no link-time dependency
 * on CUDA (libcudart is reached with dlopen, only once a CUDA cell ran):
 * select the session's device, synchronize after each CUDA cell, and turn a
 * pending or sticky error into a cell error. */
#ifndef RT_CUDA_H
#define RT_CUDA_H

/* Before a CUDA cell runs (the cell's .so is already loaded, so libcudart is
 * in the process). Selects device $CUDACELL_DEVICE (default 0) once. */
void rt_cuda_before_cell(void);

/* Synchronize the device (used between %%timeit loops too). Returns the
 * CUDA error code (0 = success), or 0 when CUDA was never loaded. */
int rt_cuda_sync(void);

/* After a CUDA cell: synchronize and check. Returns 0 when all is well;
 * 2 when there is no usable GPU (driver missing or too old, no device
 * visible): *message is then a note for stderr, not a cell error (the host
 * code ran; CUDA calls returned their error codes). Otherwise (1) *ename ("CUDAError") and *message (e.g. "cudaErrorIllegalAddress:
 * an illegal memory access was encountered" plus, for a missing driver / no
 * device, a plain-words paragraph saying what to do) are malloc'd, and
 * *sticky is 1 when the context is corrupted and the runtime must restart. */
int rt_cuda_after_cell(char **ename, char **message, int *sticky);

#endif

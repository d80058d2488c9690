/* tests/shim/cuda_fail_shim.c — libcudafail.so, a test-only LD_PRELOAD shim
 * that makes chosen CUDA runtime calls fail.
 *
 *   CUDACELL_FAIL="cudaDeviceSynchronize=cudaErrorIllegalAddress,cudaMalloc=2"
 *
 * FUNCTION is one of the functions defined below (cudaLaunchKernel also
 * covers the __cudaLaunchKernel entry that <<<...>>> uses since CUDA 13).
 * Each entry is FUNCTION=ERROR (a cudaError name from the table below or a
 * number), optionally followed by "*N" to fail only the first N calls in the
 * process. A failed call also becomes the pending error that the shim's
 * cudaGetLastError / cudaPeekAtLastError report, as the real runtime does.
 * Calls not named are forwarded to the real libcudart, found lazily with
 * dlsym(RTLD_NEXT) or, when libcudart was loaded RTLD_LOCAL as a cell's
 * dependency (so RTLD_NEXT cannot see it), through dlopen(RTLD_NOLOAD). The
 * shim does nothing until a CUDA function is called, so it is harmless in
 * processes that never load CUDA (the kernel, compilers, shells). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int cudaError_t;
typedef struct { unsigned int x, y, z; } shim_dim3;   /* same layout as dim3 */
typedef void *shim_stream;

static const struct { const char *name; int code; } errors[] = {
    { "cudaSuccess", 0 },
    { "cudaErrorInvalidValue", 1 },
    { "cudaErrorMemoryAllocation", 2 },
    { "cudaErrorInitializationError", 3 },
    { "cudaErrorInvalidConfiguration", 9 },
    { "cudaErrorInvalidDevicePointer", 17 },
    { "cudaErrorInvalidMemcpyDirection", 21 },
    { "cudaErrorStubLibrary", 34 },
    { "cudaErrorInsufficientDriver", 35 },
    { "cudaErrorInvalidDeviceFunction", 98 },
    { "cudaErrorNoDevice", 100 },
    { "cudaErrorInvalidDevice", 101 },
    { "cudaErrorECCUncorrectable", 214 },
    { "cudaErrorIllegalAddress", 700 },
    { "cudaErrorLaunchOutOfResources", 701 },
    { "cudaErrorLaunchTimeout", 702 },
    { "cudaErrorAssert", 710 },
    { "cudaErrorHardwareStackError", 714 },
    { "cudaErrorIllegalInstruction", 715 },
    { "cudaErrorMisalignedAddress", 716 },
    { "cudaErrorInvalidAddressSpace", 717 },
    { "cudaErrorInvalidPc", 718 },
    { "cudaErrorLaunchFailure", 719 },
    { "cudaErrorNotSupported", 801 },
    { "cudaErrorUnknown", 999 },
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int pending;                 /* error of the last failed shimmed call */
static struct { char fn[64]; int calls; } counts[32];

static int error_code(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (strlen(errors[i].name) == len && strncmp(errors[i].name, s, len) == 0)
            return errors[i].code;
    char buf[16];
    if (len == 0 || len >= sizeof buf)
        return 999;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    long v = strtol(buf, &end, 10);
    return *end == '\0' && v > 0 ? (int)v : 999;
}

static const char *error_name(int code)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == code)
            return errors[i].name;
    return "cudaErrorUnknown";
}

/* Bumps and returns how many times fn was called (1 for the first call). */
static int count_call(const char *fn)
{
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        if (counts[i].fn[0] == '\0')
            snprintf(counts[i].fn, sizeof counts[i].fn, "%s", fn);
        if (strcmp(counts[i].fn, fn) == 0)
            return ++counts[i].calls;
    }
    return 1;
}

/* The error fn must return now, or 0 to forward. Reads CUDACELL_FAIL on
 * every call so a test can change it within one process. */
static int should_fail(const char *fn)
{
    const char *spec = getenv("CUDACELL_FAIL");
    if (!spec || !*spec)
        return 0;
    size_t fnlen = strlen(fn);
    for (const char *p = spec; *p; ) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq && (size_t)(eq - p) == fnlen && strncmp(p, fn, fnlen) == 0) {
            const char *val = eq + 1;
            size_t vlen = len - (size_t)(val - p);
            const char *star = memchr(val, '*', vlen);
            int limit = star ? atoi(star + 1) : 0;
            int code = error_code(val, star ? (size_t)(star - val) : vlen);
            pthread_mutex_lock(&lock);
            int n = count_call(fn);
            int fail = limit <= 0 || n <= limit;
            if (fail)
                pending = code;
            pthread_mutex_unlock(&lock);
            return fail ? code : 0;
        }
        p = end ? end + 1 : p + len;
    }
    return 0;
}

/* The real function: the next definition in the global scope, else the one
 * in an already loaded libcudart. NULL when no libcudart is loaded. */
static void *real(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (f)
        return f;
    static const char *const libs[] = {
        "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "libcudart.so",
    };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        void *h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
        if (h) {
            f = dlsym(h, name);
            dlclose(h);   /* NOLOAD took a reference; the library stays loaded */
            if (f)
                return f;
        }
    }
    return NULL;
}

#define NO_CUDART 3   /* cudaErrorInitializationError */

/* In the body of shim function `name`: fail as told, or call the real one.
 * __typeof__(&name) is the function's own pointer type. */
#define FORWARD(name, ...) do {                                 \
        int e_ = should_fail(#name);                            \
        if (e_) return e_;                                      \
        __typeof__(&name) f_ = (__typeof__(&name))real(#name);  \
        return f_ ? f_(__VA_ARGS__) : NO_CUDART;                \
    } while (0)

cudaError_t cudaMalloc(void **p, size_t n)
{ FORWARD(cudaMalloc, p, n); }

cudaError_t cudaMallocManaged(void **p, size_t n, unsigned int flags)
{ FORWARD(cudaMallocManaged, p, n, flags); }

cudaError_t cudaFree(void *p)
{ FORWARD(cudaFree, p); }

cudaError_t cudaMemcpy(void *dst, const void *src, size_t n, int kind)
{ FORWARD(cudaMemcpy, dst, src, n, kind); }

cudaError_t cudaMemset(void *p, int v, size_t n)
{ FORWARD(cudaMemset, p, v, n); }

cudaError_t cudaDeviceSynchronize(void)
{ FORWARD(cudaDeviceSynchronize); }

cudaError_t cudaSetDevice(int dev)
{ FORWARD(cudaSetDevice, dev); }

cudaError_t cudaGetDeviceCount(int *n)
{ FORWARD(cudaGetDeviceCount, n); }

cudaError_t cudaLaunchKernel(const void *fn, shim_dim3 grid, shim_dim3 block, void **args,
                             size_t shmem, shim_stream stream)
{
    FORWARD(cudaLaunchKernel, fn, grid, block, args, shmem, stream);
}

/* What `<<<...>>>` calls since CUDA 13 (crt/device_functions.h): a failure
 * asked for as "cudaLaunchKernel=..." applies to these launches too. */
cudaError_t __cudaLaunchKernel(void *kernel, shim_dim3 grid, shim_dim3 block, void **args,
                               size_t shmem, shim_stream stream)
{
    int e = should_fail("cudaLaunchKernel");
    if (e)
        return e;
    FORWARD(__cudaLaunchKernel, kernel, grid, block, args, shmem, stream);
}

cudaError_t __cudaLaunchKernel_ptsz(void *kernel, shim_dim3 grid, shim_dim3 block, void **args,
                                    size_t shmem, shim_stream stream)
{
    int e = should_fail("cudaLaunchKernel");
    if (e)
        return e;
    FORWARD(__cudaLaunchKernel_ptsz, kernel, grid, block, args, shmem, stream);
}

/* The pending shimmed error first, then the real runtime's. */
cudaError_t cudaGetLastError(void)
{
    pthread_mutex_lock(&lock);
    int e = pending;
    pending = 0;
    pthread_mutex_unlock(&lock);
    cudaError_t (*f)(void) = (cudaError_t (*)(void))real("cudaGetLastError");
    int r = f ? f() : 0;   /* always clear the real one too */
    return e ? e : r;
}

cudaError_t cudaPeekAtLastError(void)
{
    pthread_mutex_lock(&lock);
    int e = pending;
    pthread_mutex_unlock(&lock);
    if (e)
        return e;
    cudaError_t (*f)(void) = (cudaError_t (*)(void))real("cudaPeekAtLastError");
    return f ? f() : 0;
}

/* Pass-through, with our own table when no libcudart is loaded. */
const char *cudaGetErrorName(cudaError_t e)
{
    const char *(*f)(cudaError_t) = (const char *(*)(cudaError_t))real("cudaGetErrorName");
    return f ? f(e) : error_name(e);
}

const char *cudaGetErrorString(cudaError_t e)
{
    const char *(*f)(cudaError_t) = (const char *(*)(cudaError_t))real("cudaGetErrorString");
    return f ? f(e) : "(libcudart not loaded; the CUDA fail shim names the error only)";
}

/* runtime/rt_cuda.c — the runtime's CUDA duties, with no link-time CUDA
 * dependency: a CUDA cell's shared object links the shared libcudart, so
 * once such a cell is loaded libcudart is in the process and we find it with
 * dlopen(RTLD_NOLOAD). Each function is looked up with dlsym(RTLD_DEFAULT)
 * first, so an LD_PRELOADed test shim (tests/shim/cuda_fail_shim.c)
 * interposes our calls exactly as it interposes the cell's own calls, then in
 * the libcudart handle (cells are loaded RTLD_LOCAL, so libcudart itself is
 * not in the global scope).
 *
 * Duties: select $CUDACELL_DEVICE once before the first CUDA cell; after
 * each CUDA cell, synchronize and turn a pending error into a cell error,
 * flagging the errors that leave the CUDA context unusable (sticky) so the
 * kernel restarts the runtime. Without a usable GPU (no driver, driver too
 * old, no device) libcudart's initialization error is permanent: every
 * runtime call, cudaGetLastError included, returns it, so every CUDA cell
 * ends with that error and a plain-words paragraph saying its host code ran
 * and what to do. That is never sticky: restarting would not help. */
#include "rt_cuda.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cudaError_t values used here (driver_types.h). */
enum {
    RT_cudaSuccess = 0,
    RT_cudaErrorInitializationError = 3,
    RT_cudaErrorStubLibrary = 34,
    RT_cudaErrorInsufficientDriver = 35,
    RT_cudaErrorCallRequiresNewerDriver = 36,
    RT_cudaErrorNoDevice = 100,
    RT_cudaErrorInvalidDevice = 101,
    RT_cudaErrorECCUncorrectable = 214,
    RT_cudaErrorIllegalAddress = 700,
    RT_cudaErrorLaunchTimeout = 702,
    RT_cudaErrorAssert = 710,
    RT_cudaErrorHardwareStackError = 714,
    RT_cudaErrorIllegalInstruction = 715,
    RT_cudaErrorMisalignedAddress = 716,
    RT_cudaErrorInvalidAddressSpace = 717,
    RT_cudaErrorInvalidPc = 718,
    RT_cudaErrorLaunchFailure = 719,
    RT_cudaErrorSystemNotReady = 802,
    RT_cudaErrorSystemDriverMismatch = 803,
    RT_cudaErrorCompatNotSupportedOnDevice = 804,
};

typedef struct rt_cudart {
    int loaded;                          /* 1 once libcudart was found */
    void *lib;                           /* dlopen handle, kept for the process */
    int (*SetDevice)(int);
    int (*DeviceSynchronize)(void);
    int (*GetLastError)(void);
    const char *(*GetErrorName)(int);
    const char *(*GetErrorString)(int);
} rt_cudart;

static rt_cudart cudart;
static int device_selected;   /* cudaSetDevice was attempted */
static int select_error;      /* what cudaSetDevice returned, reported once */
static int select_reported;

static void *lookup(const char *name)
{
    void *f = dlsym(RTLD_DEFAULT, name);
    if (!f && cudart.lib)
        f = dlsym(cudart.lib, name);
    return f;
}

/* Finds the libcudart a CUDA cell brought in. Returns 1 when usable. */
static int cudart_load(void)
{
    if (cudart.loaded)
        return 1;
    static const char *const names[] = {
        "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "libcudart.so",
    };
    for (size_t i = 0; !cudart.lib && i < sizeof names / sizeof names[0]; i++)
        cudart.lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (!cudart.lib)
        return 0;   /* no CUDA cell loaded libcudart: nothing to do */

    cudart.SetDevice = (int (*)(int))lookup("cudaSetDevice");
    cudart.DeviceSynchronize = (int (*)(void))lookup("cudaDeviceSynchronize");
    cudart.GetLastError = (int (*)(void))lookup("cudaGetLastError");
    cudart.GetErrorName = (const char *(*)(int))lookup("cudaGetErrorName");
    cudart.GetErrorString = (const char *(*)(int))lookup("cudaGetErrorString");
    if (!cudart.SetDevice || !cudart.DeviceSynchronize || !cudart.GetLastError ||
        !cudart.GetErrorName || !cudart.GetErrorString) {
        dlclose(cudart.lib);
        memset(&cudart, 0, sizeof cudart);
        return 0;
    }
    cudart.loaded = 1;
    return 1;
}

static int is_no_gpu_error(int e)
{
    switch (e) {
    case RT_cudaErrorInitializationError:
    case RT_cudaErrorStubLibrary:
    case RT_cudaErrorInsufficientDriver:
    case RT_cudaErrorCallRequiresNewerDriver:
    case RT_cudaErrorNoDevice:
    case RT_cudaErrorSystemNotReady:
    case RT_cudaErrorSystemDriverMismatch:
    case RT_cudaErrorCompatNotSupportedOnDevice:
        return 1;
    default:
        return 0;
    }
}

static int is_sticky_error(int e)
{
    switch (e) {
    case RT_cudaErrorIllegalAddress:
    case RT_cudaErrorLaunchFailure:
    case RT_cudaErrorHardwareStackError:
    case RT_cudaErrorIllegalInstruction:
    case RT_cudaErrorMisalignedAddress:
    case RT_cudaErrorInvalidAddressSpace:
    case RT_cudaErrorInvalidPc:
    case RT_cudaErrorAssert:
    case RT_cudaErrorECCUncorrectable:
    case RT_cudaErrorLaunchTimeout:
        return 1;
    default:
        return 0;
    }
}

static int device_from_env(void)
{
    const char *s = getenv("CUDACELL_DEVICE");
    if (!s || !*s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    return (*end == '\0' && v >= 0 && v < 1024) ? (int)v : 0;
}

void rt_cuda_before_cell(void)
{
    if (device_selected || !cudart_load())
        return;
    device_selected = 1;
    int e = cudart.SetDevice(device_from_env());
    (void)cudart.GetLastError();   /* our call's error is not the cell's */
    if (!is_no_gpu_error(e))       /* those show up again after the cell */
        select_error = e;
}

int rt_cuda_sync(void)
{
    if (!cudart_load())
        return 0;
    return cudart.DeviceSynchronize();
}

/* The advice paragraph for an error that means "no usable GPU". */
static const char *no_gpu_advice(int e)
{
    switch (e) {
    case RT_cudaErrorInsufficientDriver:
    case RT_cudaErrorCallRequiresNewerDriver:
    case RT_cudaErrorCompatNotSupportedOnDevice:
        return "The NVIDIA driver is missing, or it is too old for the CUDA runtime these "
               "cells are built with. Install the NVIDIA driver (or update it to one that "
               "supports this CUDA release); in a container, start it with GPU access "
               "(docker run --gpus all). %gpu shows what was detected.";
    case RT_cudaErrorStubLibrary:
        return "The libcuda.so.1 that was loaded is the CUDA toolkit's stub, not the real "
               "NVIDIA driver. Install the driver, or remove the toolkit's stubs directory "
               "from LD_LIBRARY_PATH, then restart the kernel.";
    case RT_cudaErrorSystemDriverMismatch:
        return "The NVIDIA driver library and the loaded kernel module have different "
               "versions (usually after a driver update). Reboot the machine, or reinstall "
               "the driver.";
    default:
        return NULL;   /* no device, initialization error: depends on the env */
    }
}

/* malloc'd "<name>: <string>" plus, for the no-GPU family, a paragraph of
 * advice; and for device selection errors, which device was asked for. */
static char *error_message(int e, int while_selecting, int sticky)
{
    const char *name = cudart.GetErrorName(e);
    const char *what = cudart.GetErrorString(e);
    char advice[1024] = "";
    if (is_no_gpu_error(e)) {
        const char *a = no_gpu_advice(e);
        const char *vis = getenv("CUDA_VISIBLE_DEVICES");
        if (a)
            snprintf(advice, sizeof advice, "%s", a);
        else if (vis)
            snprintf(advice, sizeof advice,
                     "No GPU is visible to this session: CUDA_VISIBLE_DEVICES is set to \"%s\", "
                     "which hides the GPUs it does not list. Unset it or list a valid device "
                     "(%%env CUDA_VISIBLE_DEVICES=0), then restart the kernel. %%gpu shows "
                     "what was detected.", vis);
        else
            snprintf(advice, sizeof advice,
                     "No usable GPU was found: the machine has no NVIDIA GPU, or its driver "
                     "is not installed or not running (nvidia-smi should list the GPU). Use a "
                     "machine or container with a GPU; %%gpu shows what was detected.");
        size_t used = strlen(advice);
        snprintf(advice + used, sizeof advice - used,
                 " The cell's host code did run; only its GPU calls failed, and C cells keep "
                 "working.");
    } else if (while_selecting) {
        snprintf(advice, sizeof advice,
                 "This happened while selecting GPU %d (CUDACELL_DEVICE, set by %%gpu N). "
                 "Run %%gpu to list the devices, then %%gpu N with a valid index.",
                 device_from_env());
    } else if (sticky) {
        snprintf(advice, sizeof advice,
                 "This error leaves the GPU context unusable, so the runtime is restarted: "
                 "functions and types of earlier cells are kept, variable values are reset. "
                 "Compile with %%nvccflags -G -lineinfo and run under compute-sanitizer to "
                 "find the faulting access.");
    }

    size_t n = strlen(name ? name : "cudaErrorUnknown") + strlen(what ? what : "") +
               strlen(advice) + 8;
    char *msg = malloc(n);
    if (msg)
        snprintf(msg, n, "%s: %s%s%s", name ? name : "cudaErrorUnknown", what ? what : "",
                 advice[0] ? "\n\n" : "", advice);
    return msg;
}

int rt_cuda_after_cell(char **ename, char **message, int *sticky)
{
    *ename = NULL;
    *message = NULL;
    *sticky = 0;
    if (!cudart_load())
        return 0;

    int e_cell = cudart.GetLastError();          /* what the cell's calls left */
    int e_sync = cudart.DeviceSynchronize();     /* asynchronous work, kernel faults */
    (void)cudart.GetLastError();                 /* consumed: do not report it twice */

    int while_selecting = 0;
    int e = e_sync ? e_sync : e_cell;
    if (!e && select_error && !select_reported) {
        e = select_error;
        while_selecting = 1;
    }
    if (select_error)
        select_reported = 1;
    if (!e)
        return 0;

    if (!is_no_gpu_error(e) && !while_selecting) {
        if (is_sticky_error(e)) {
            *sticky = 1;
        } else if (cudart.DeviceSynchronize() != RT_cudaSuccess) {
            *sticky = 1;   /* still failing: the context is gone whatever the code */
            (void)cudart.GetLastError();
        }
    }
    *ename = strdup("CUDAError");
    if (is_no_gpu_error(e) && !while_selecting) {
        /* No GPU is not the cell's fault: say so in full once, then in one
         * short line, and let the cell succeed (its host code ran). */
        static int no_gpu_told;
        if (no_gpu_told++) {
            if (asprintf(message, "No GPU: CUDA calls in this cell return errors (%s; see the note "
                                  "after the first CUDA cell, or %%gpu).", cudart.GetErrorName(e)) < 0)
                *message = NULL;
        } else {
            *message = error_message(e, 0, 0);
        }
        return 2;
    }
    *message = error_message(e, while_selecting, *sticky);
    return 1;
}

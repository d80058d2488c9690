/* cuda/gpuinfo_main.c — `cudacell-gpuinfo`: prints one JSON report about the
 * GPUs of this machine to stdout and exits 0 (the shape is documented in
 * cuda/gpu_probe.h). It is a separate program so the kernel process never
 * loads a CUDA library.
 *
 * Sources: the driver API (libcuda.so.1, dlopen'd) for the device list and
 * attributes, NVML (libnvidia-ml.so.1, dlopen'd, optional) for used/free
 * memory without creating a CUDA context, libcudart (optional) for the
 * runtime version, and cuda/nvcc.c for the toolkit release. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "nvcc.h"

/* ---- the few driver / NVML / runtime declarations we need ---- */
typedef int CUresult;
typedef int CUdevice;
#define CUDA_SUCCESS 0
#define CUDA_ERROR_NO_DEVICE 100
#define CUDA_ERROR_STUB_LIBRARY 34
#define CUDA_ERROR_SYSTEM_DRIVER_MISMATCH 803
#define CU_ATTR_CLOCK_RATE 13
#define CU_ATTR_MULTIPROCESSOR_COUNT 16
#define CU_ATTR_CC_MAJOR 75
#define CU_ATTR_CC_MINOR 76

typedef struct {
    CUresult (*Init)(unsigned int);
    CUresult (*DriverGetVersion)(int *);
    CUresult (*DeviceGetCount)(int *);
    CUresult (*DeviceGet)(CUdevice *, int);
    CUresult (*DeviceGetName)(char *, int, CUdevice);
    CUresult (*DeviceGetAttribute)(int *, int, CUdevice);
    CUresult (*DeviceTotalMem)(size_t *, CUdevice);
    CUresult (*DeviceGetPCIBusId)(char *, int, CUdevice);
    CUresult (*GetErrorName)(CUresult, const char **);
} cu_api;

typedef struct { unsigned long long total, free, used; } nvml_memory;
typedef struct {
    void *lib;
    int (*Init)(void);
    int (*Shutdown)(void);
    int (*ByPciBusId)(const char *, void **);
    int (*GetMemoryInfo)(void *, nvml_memory *);
} nvml_api;

/* ---- small helpers ---- */

static json_t *report_new(const char *status, const char *message)
{
    return json_pack("{s:s, s:s, s:n, s:n, s:[]}", "status", status,
                     "message", message, "driver_version", "runtime_version",
                     "devices");
}

static void set_message(json_t *r, const char *status, const char *message)
{
    json_object_set_new(r, "status", json_string(status));
    json_object_set_new(r, "message", json_string(message));
}

static void *sym(void *lib, const char *name)
{
    return lib ? dlsym(lib, name) : NULL;
}

static const char *cu_error_name(const cu_api *cu, CUresult rc)
{
    const char *s = NULL;
    if (cu->GetErrorName && cu->GetErrorName(rc, &s) == CUDA_SUCCESS && s)
        return s;
    return "CUDA_ERROR_UNKNOWN";
}

static int load_driver(void *lib, cu_api *cu)
{
    memset(cu, 0, sizeof *cu);
    cu->Init = (CUresult (*)(unsigned int))sym(lib, "cuInit");
    cu->DriverGetVersion = (CUresult (*)(int *))sym(lib, "cuDriverGetVersion");
    cu->DeviceGetCount = (CUresult (*)(int *))sym(lib, "cuDeviceGetCount");
    cu->DeviceGet = (CUresult (*)(CUdevice *, int))sym(lib, "cuDeviceGet");
    cu->DeviceGetName = (CUresult (*)(char *, int, CUdevice))sym(lib, "cuDeviceGetName");
    cu->DeviceGetAttribute = (CUresult (*)(int *, int, CUdevice))sym(lib, "cuDeviceGetAttribute");
    cu->DeviceTotalMem = (CUresult (*)(size_t *, CUdevice))sym(lib, "cuDeviceTotalMem_v2");
    cu->DeviceGetPCIBusId = (CUresult (*)(char *, int, CUdevice))sym(lib, "cuDeviceGetPCIBusId");
    cu->GetErrorName = (CUresult (*)(CUresult, const char **))sym(lib, "cuGetErrorName");
    return cu->Init && cu->DriverGetVersion && cu->DeviceGetCount && cu->DeviceGet &&
           cu->DeviceGetName && cu->DeviceGetAttribute && cu->DeviceTotalMem ? 0 : -1;
}

/* NVML is optional: without it mem_free is null. Returns 0 when usable. */
static int load_nvml(nvml_api *n)
{
    memset(n, 0, sizeof *n);
    n->lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!n->lib)
        return -1;
    n->Init = (int (*)(void))sym(n->lib, "nvmlInit_v2");
    n->Shutdown = (int (*)(void))sym(n->lib, "nvmlShutdown");
    n->ByPciBusId = (int (*)(const char *, void **))sym(n->lib, "nvmlDeviceGetHandleByPciBusId_v2");
    n->GetMemoryInfo = (int (*)(void *, nvml_memory *))sym(n->lib, "nvmlDeviceGetMemoryInfo");
    if (!n->Init || !n->Shutdown || !n->ByPciBusId || !n->GetMemoryInfo || n->Init() != 0) {
        dlclose(n->lib);
        n->lib = NULL;
        return -1;
    }
    return 0;
}

/* cudaRuntimeGetVersion from the libcudart of nvcc's toolkit (the one cells
 * link), else from one on the library path, else the nvcc release ("13.0"
 * → 13000). 0 if none is known. */
static int runtime_version(const char *nvcc_path, const char *nvcc_ver)
{
    void *lib = NULL;
    if (nvcc_path) {
        /* <toolkit>/bin/nvcc → <toolkit>/lib64/libcudart.so */
        char path[4096];
        snprintf(path, sizeof path, "%s", nvcc_path);
        char *slash = strrchr(path, '/');
        if (slash && slash - path >= 4 && strncmp(slash - 4, "/bin", 4) == 0) {
            snprintf(slash - 4, sizeof path - (size_t)(slash - 4 - path), "/lib64/libcudart.so");
            lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        }
    }
    const char *names[] = { "libcudart.so.13", "libcudart.so.12", "libcudart.so" };
    for (size_t i = 0; !lib && i < sizeof names / sizeof names[0]; i++)
        lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    int v = 0;
    if (lib) {
        int (*get)(int *) = (int (*)(int *))dlsym(lib, "cudaRuntimeGetVersion");
        if (!get || get(&v) != 0)
            v = 0;
        dlclose(lib);
    }
    if (v == 0 && nvcc_ver) {
        int major, minor;
        if (sscanf(nvcc_ver, "%d.%d", &major, &minor) == 2)
            v = major * 1000 + minor * 10;
    }
    return v;
}

static json_t *describe_device(const cu_api *cu, const nvml_api *nv, int index)
{
    CUdevice dev;
    if (cu->DeviceGet(&dev, index) != CUDA_SUCCESS)
        return NULL;
    char name[256] = "unknown GPU";
    cu->DeviceGetName(name, sizeof name, dev);
    int major = 0, minor = 0, sms = 0, clock = 0;
    cu->DeviceGetAttribute(&major, CU_ATTR_CC_MAJOR, dev);
    cu->DeviceGetAttribute(&minor, CU_ATTR_CC_MINOR, dev);
    cu->DeviceGetAttribute(&sms, CU_ATTR_MULTIPROCESSOR_COUNT, dev);
    cu->DeviceGetAttribute(&clock, CU_ATTR_CLOCK_RATE, dev);
    size_t total = 0;
    cu->DeviceTotalMem(&total, dev);

    char ccs[16], sm[16];
    snprintf(ccs, sizeof ccs, "%d.%d", major, minor);
    snprintf(sm, sizeof sm, "sm_%d%d", major, minor);
    json_t *d = json_pack("{s:i, s:s, s:s, s:s, s:i, s:I, s:n, s:i}",
                          "index", index, "name", name, "cc", ccs, "sm", sm,
                          "sms", sms, "mem_total", (json_int_t)total,
                          "mem_free", "clock_khz", clock);

    char bus[64];
    if (cu->DeviceGetPCIBusId && cu->DeviceGetPCIBusId(bus, sizeof bus, dev) == CUDA_SUCCESS) {
        json_object_set_new(d, "pci_bus_id", json_string(bus));
        void *h;
        nvml_memory m;
        if (nv->lib && nv->ByPciBusId(bus, &h) == 0 && nv->GetMemoryInfo(h, &m) == 0)
            json_object_set_new(d, "mem_free", json_integer((json_int_t)m.free));
    }
    return d;
}

static void fill_no_device(json_t *r)
{
    const char *vis = getenv("CUDA_VISIBLE_DEVICES");
    char msg[1024];
    if (vis)
        snprintf(msg, sizeof msg,
                 "The NVIDIA driver is installed but no GPU is visible. CUDA_VISIBLE_DEVICES "
                 "is set to \"%s\", which hides the GPUs it does not list: unset it or list a "
                 "valid device index, then restart the kernel. C cells work; CUDA cells compile "
                 "and their host code runs, but GPU calls fail.", vis);
    else
        snprintf(msg, sizeof msg,
                 "The NVIDIA driver is installed but reports no GPU. Check that the machine "
                 "(or container: docker run --gpus all) actually has a GPU attached and that "
                 "nvidia-smi lists it. C cells work; CUDA cells compile and their host code "
                 "runs, but GPU calls fail.");
    set_message(r, "no-device", msg);
}

/* Fills r from the driver. cuInit and friends never create a context. */
static void probe_driver(json_t *r, const char *nvcc_path, const char *nvcc_ver)
{
    int rtv = runtime_version(nvcc_path, nvcc_ver);
    if (rtv)
        json_object_set_new(r, "runtime_version", json_integer(rtv));

    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        set_message(r, "no-driver",
                    "No NVIDIA driver was found (libcuda.so.1 cannot be loaded), so there is "
                    "no GPU to run on. On a machine with an NVIDIA GPU, install the NVIDIA "
                    "driver (nvidia-smi should then list the GPU); in a container, start it "
                    "with GPU access (docker run --gpus all). C cells work; CUDA cells compile "
                    "and their host code runs, but GPU calls fail.");
        return;
    }
    cu_api cu;
    if (load_driver(lib, &cu) != 0) {
        set_message(r, "error",
                    "libcuda.so.1 was loaded but lacks the functions every NVIDIA driver "
                    "provides; it is probably a stub or a broken install. Reinstall the "
                    "NVIDIA driver.");
        dlclose(lib);
        return;
    }

    int drv = 0;
    if (cu.DriverGetVersion(&drv) == CUDA_SUCCESS && drv > 0)
        json_object_set_new(r, "driver_version", json_integer(drv));
    if (drv > 0 && rtv > 0 && drv / 1000 < rtv / 1000) {
        char msg[768];
        snprintf(msg, sizeof msg,
                 "The NVIDIA driver supports CUDA up to %d.%d, but the CUDA toolkit here is "
                 "%d.%d, which needs a driver for CUDA %d or newer. Update the NVIDIA driver, "
                 "or set CUDA_HOME to an older toolkit that matches the driver. C cells work; "
                 "CUDA cells compile but cannot run on the GPU.",
                 drv / 1000, (drv % 1000) / 10, rtv / 1000, (rtv % 1000) / 10, rtv / 1000);
        set_message(r, "driver-too-old", msg);
        dlclose(lib);
        return;
    }

    CUresult rc = cu.Init(0);
    int count = 0;
    if (rc == CUDA_SUCCESS)
        rc = cu.DeviceGetCount(&count);
    if (rc == CUDA_ERROR_NO_DEVICE || (rc == CUDA_SUCCESS && count == 0)) {
        fill_no_device(r);
        dlclose(lib);
        return;
    }
    if (rc != CUDA_SUCCESS) {
        char msg[768];
        const char *hint =
            rc == CUDA_ERROR_STUB_LIBRARY ? " The libcuda.so.1 found is the toolkit's stub, "
                "not the real driver: install the NVIDIA driver or remove the stubs directory "
                "from LD_LIBRARY_PATH." :
            rc == CUDA_ERROR_SYSTEM_DRIVER_MISMATCH ? " The driver library and the loaded "
                "kernel module have different versions: reboot, or reinstall the driver." :
            " Check that nvidia-smi works; a reboot after a driver update often helps.";
        snprintf(msg, sizeof msg,
                 "The NVIDIA driver failed to start (cuInit returned %s).%s C cells work; "
                 "CUDA cells compile but cannot run on the GPU.", cu_error_name(&cu, rc), hint);
        set_message(r, "error", msg);
        json_object_set_new(r, "error", json_string(cu_error_name(&cu, rc)));
        dlclose(lib);
        return;
    }

    nvml_api nv;
    load_nvml(&nv);
    json_t *devs = json_object_get(r, "devices");
    for (int i = 0; i < count; i++) {
        json_t *d = describe_device(&cu, &nv, i);
        if (d)
            json_array_append_new(devs, d);
    }
    if (nv.lib) {
        nv.Shutdown();
        dlclose(nv.lib);
    }
    char msg[128];
    snprintf(msg, sizeof msg, "%d GPU%s found.", count, count == 1 ? "" : "s");
    set_message(r, "ok", msg);
    dlclose(lib);
}

int main(void)
{
    char *nvcc = cc_nvcc_find();
    char *ver = nvcc ? cc_nvcc_version(nvcc) : NULL;

    json_t *r = report_new("error", "");
    json_object_set_new(r, "nvcc", ver ? json_string(ver) : json_null());
    json_object_set_new(r, "nvcc_path", nvcc ? json_string(nvcc) : json_null());
    const char *vis = getenv("CUDA_VISIBLE_DEVICES");
    if (vis)
        json_object_set_new(r, "cuda_visible_devices", json_string(vis));
    probe_driver(r, nvcc, ver);

    char *text = json_dumps(r, JSON_COMPACT);
    if (text) {
        fputs(text, stdout);
        fputc('\n', stdout);
    }
    free(text);
    json_decref(r);
    free(ver);
    free(nvcc);
    return 0;
}

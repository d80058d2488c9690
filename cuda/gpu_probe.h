/* cuda/gpu_probe.h — GPU discovery off the critical path: the kernel starts
 * the small `cudacell-gpuinfo` program (which dlopens the driver, never the
 * kernel process itself) in the background at startup and reads its JSON
 * report when it is done. Readiness never waits for CUDA. */
#ifndef CC_GPU_PROBE_H
#define CC_GPU_PROBE_H

#include <jansson.h>

typedef struct cc_gpu_probe cc_gpu_probe;

/* Start the probe (non-blocking). exe_dir holds cudacell-gpuinfo;
 * $CUDACELL_GPUINFO, when set, names another helper (tests use a slow one). */
cc_gpu_probe *cc_gpu_probe_start(const char *exe_dir);
void cc_gpu_probe_free(cc_gpu_probe *p);

/* The report, waiting at most timeout_ms (0: never blocks, not even for
 * another thread that is waiting); NULL if not done yet. Borrowed.
 * Report shape: {"status": "ok"|"no-driver"|"driver-too-old"|"no-device"|"error",
 *   "message": "...", "driver_version": 13000, "runtime_version": 13000,
 *   "devices": [{"index":0,"name":"...","cc":"9.0","sm":"sm_90","sms":132,
 *                "mem_total":..,"mem_free":..,"clock_khz":..}], "nvcc": "13.0"|null} */
json_t *cc_gpu_probe_report(cc_gpu_probe *p, int timeout_ms);

/* Run the probe again synchronously (for %gpu, fresh free-memory figures). New reference. */
json_t *cc_gpu_probe_now(const char *exe_dir, int timeout_ms);

/* One line for the kernel_info banner: "GPU 0: NVIDIA H100 (sm_90) · nvcc 13.0"
 * or "No GPU found (...)" or "GPU detection still running". malloc'd. */
char *cc_gpu_banner_line(cc_gpu_probe *p, int timeout_ms);

#endif

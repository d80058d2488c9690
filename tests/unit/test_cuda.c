/* tests/unit/test_cuda.c — nvcc discovery (cuda/nvcc.c), the background GPU
 * probe (cuda/gpu_probe.c) driven by fake cudacell-gpuinfo scripts, and the
 * runtime's CUDA checks (runtime/rt_cuda.c) against the real libcudart and
 * the fail shim, which work with or without a GPU. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "nvcc.h"
#include "gpu_probe.h"
#include "rt_cuda.h"

/* rt_cuda.c belongs to the runtime executable, not to libcckernel; the test
 * compiles it in directly to reach it. */
#include "../../runtime/rt_cuda.c"

static char tmp[256];

static void write_file(const char *path, const char *text, int mode)
{
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(2); }
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
}

static char *pathf(const char *rel)
{
    static char buf[8][512];
    static int i;
    char *b = buf[i++ % 8];
    snprintf(b, 512, "%s/%s", tmp, rel);
    return b;
}

/* ---- nvcc.c ---- */
static void test_nvcc(void)
{
    mkdir(pathf("tk"), 0700);
    mkdir(pathf("tk/bin"), 0700);
    write_file(pathf("tk/bin/nvcc"), "#!/bin/sh\necho 'Cuda compilation tools, release 11.8, V11.8.89'\n", 0755);

    setenv("CUDACELL_NVCC", pathf("tk/bin/nvcc"), 1);
    char *p = cc_nvcc_find();
    CHECK_STR(p, pathf("tk/bin/nvcc"), "CUDACELL_NVCC names the only candidate");
    char *v = cc_nvcc_version(p);
    CHECK_STR(v, "11.8", "version parsed from `nvcc --version` (release 11.8)");
    free(v);

    write_file(pathf("tk/version.json"), "{\"cuda\": {\"name\": \"CUDA SDK\", \"version\": \"12.4.1\"}}", 0644);
    v = cc_nvcc_version(p);
    CHECK_STR(v, "12.4", "version.json wins over nvcc --version and is cut to major.minor");
    free(v);
    free(p);

    setenv("CUDACELL_NVCC", pathf("nowhere/nvcc"), 1);
    CHECK(cc_nvcc_find() == NULL, "a CUDACELL_NVCC that does not exist means no nvcc");
    char *m = cc_nvcc_missing_message();
    CHECK(m && strstr(m, "nvcc was not found") && strstr(m, "CUDA_HOME") && strstr(m, "PATH") &&
          strstr(m, "C cells keep working") && strstr(m, pathf("nowhere/nvcc")),
          "missing-nvcc message says what was searched and what to do");
    free(m);
    unsetenv("CUDACELL_NVCC");

    setenv("CUDA_HOME", pathf("tk"), 1);
    p = cc_nvcc_find();
    CHECK_STR(p, pathf("tk/bin/nvcc"), "$CUDA_HOME/bin/nvcc comes first");
    free(p);
    setenv("CUDA_HOME", pathf("nowhere"), 1);
    setenv("PATH", pathf("tk/bin"), 1);
    p = cc_nvcc_find();
    int have_usr_local = access("/usr/local/cuda/bin/nvcc", X_OK) == 0;
    CHECK_STR(p, have_usr_local ? "/usr/local/cuda/bin/nvcc" : pathf("tk/bin/nvcc"),
              "then /usr/local/cuda/bin/nvcc, then PATH");
    free(p);
    m = cc_nvcc_missing_message();
    CHECK(m && strstr(m, pathf("nowhere/bin/nvcc")), "the message names $CUDA_HOME/bin/nvcc");
    free(m);
}

/* ---- gpu_probe.c with fake helpers ---- */
static const char *ok_json =
    "{\"status\":\"ok\",\"message\":\"1 GPU found.\",\"driver_version\":13000,"
    "\"runtime_version\":13000,\"devices\":[{\"index\":0,\"name\":\"NVIDIA H100 80GB HBM3\","
    "\"cc\":\"9.0\",\"sm\":\"sm_90\",\"sms\":132,\"mem_total\":85000000000,\"mem_free\":84000000000,"
    "\"clock_khz\":1980000}],\"nvcc\":\"13.0\"}";

static void fake_gpuinfo(const char *dir, const char *body)
{
    mkdir(pathf(dir), 0700);
    char script[4096];
    snprintf(script, sizeof script, "#!/bin/sh\n%s\n", body);
    char path[600];
    snprintf(path, sizeof path, "%s/cudacell-gpuinfo", pathf(dir));
    write_file(path, script, 0755);
}

static void test_probe(void)
{
    char body[2048];
    snprintf(body, sizeof body, "cat <<'EOF'\n%s\nEOF", ok_json);
    fake_gpuinfo("ok", body);
    cc_gpu_probe *p = cc_gpu_probe_start(pathf("ok"));
    json_t *r = cc_gpu_probe_report(p, 5000);
    CHECK(r && strcmp(json_string_value(json_object_get(r, "status")), "ok") == 0, "report parsed (status ok)");
    CHECK(r && json_array_size(json_object_get(r, "devices")) == 1, "one device in the report");
    CHECK(cc_gpu_probe_report(p, 0) == r, "the report is kept (same borrowed object)");
    char *b = cc_gpu_banner_line(p, 0);
    CHECK_STR(b, "GPU 0: NVIDIA H100 80GB HBM3 (sm_90) \xc2\xb7 nvcc 13.0", "banner line for a GPU");
    free(b);
    cc_gpu_probe_free(p);

    fake_gpuinfo("slow", "sleep 1; echo '{\"status\":\"no-driver\",\"message\":\"x\",\"devices\":[],\"nvcc\":null}'");
    p = cc_gpu_probe_start(pathf("slow"));
    CHECK(cc_gpu_probe_report(p, 50) == NULL, "a running probe gives NULL after the timeout");
    b = cc_gpu_banner_line(p, 0);
    CHECK_STR(b, "GPU detection still running", "banner while the probe runs");
    free(b);
    r = cc_gpu_probe_report(p, 5000);
    CHECK(r && strcmp(json_string_value(json_object_get(r, "status")), "no-driver") == 0, "later the report arrives");
    b = cc_gpu_banner_line(p, 0);
    CHECK_STR(b, "No GPU found (no NVIDIA driver) \xc2\xb7 nvcc not found", "banner without driver and nvcc");
    free(b);
    cc_gpu_probe_free(p);

    fake_gpuinfo("hang", "sleep 30");
    p = cc_gpu_probe_start(pathf("hang"));
    CHECK(cc_gpu_probe_report(p, 20) == NULL, "hung helper: no report yet");
    cc_gpu_probe_free(p);   /* must kill and reap it, not wait 30 s */
    CHECK(1, "freeing a probe with a hung helper returns at once");

    fake_gpuinfo("garbage", "echo 'this is not json'; exit 3");
    r = cc_gpu_probe_now(pathf("garbage"), 5000);
    const char *msg = json_string_value(json_object_get(r, "message"));
    CHECK(r && strcmp(json_string_value(json_object_get(r, "status")), "error") == 0 &&
          msg && strstr(msg, "no readable report") && strstr(msg, "exit status 3"),
          "unreadable output becomes an error report saying so");
    json_decref(r);

    r = cc_gpu_probe_now(pathf("no-such-dir"), 1000);
    msg = json_string_value(json_object_get(r, "message"));
    CHECK(r && msg && strstr(msg, "cannot be run") && strstr(msg, "cudacell-gpuinfo"),
          "a missing helper gives an error report naming it");
    json_decref(r);

    fake_gpuinfo("hang2", "sleep 30");
    r = cc_gpu_probe_now(pathf("hang2"), 100);
    msg = json_string_value(json_object_get(r, "message"));
    CHECK(r && msg && strstr(msg, "did not finish"), "probe_now gives up after its timeout");
    json_decref(r);
}

/* ---- rt_cuda.c with the real libcudart ---- */
static void *open_cudart(void)
{
    void *h = dlopen("libcudart.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        h = dlopen("/usr/local/cuda/lib64/libcudart.so.13", RTLD_NOW | RTLD_LOCAL);
    return h;
}

/* In a child: LD_PRELOAD-like shim (dlopen'd RTLD_GLOBAL before libcudart),
 * cudaDeviceSynchronize forced to fail. Exit status: bit mask of passes. */
static int shim_child(const char *shim)
{
    setenv("CUDACELL_FAIL", "cudaDeviceSynchronize=cudaErrorIllegalAddress", 1);
    if (!dlopen(shim, RTLD_NOW | RTLD_GLOBAL))
        return 0;
    if (!open_cudart())
        return 0;
    rt_cuda_before_cell();
    char *ename, *message;
    int sticky, bits = 1;
    if (rt_cuda_after_cell(&ename, &message, &sticky) != 0) bits |= 2;
    if (ename && strcmp(ename, "CUDAError") == 0) bits |= 4;
    if (message && strncmp(message, "cudaErrorIllegalAddress: an illegal memory access", 49) == 0) bits |= 8;
    if (sticky) bits |= 16;
    if (message && strstr(message, "runtime is restarted")) bits |= 32;
    free(ename);
    free(message);
    return bits;
}

static void test_rt_cuda(const char *shim)
{
    char *ename = NULL, *message = NULL;
    int sticky = 7;
    CHECK(rt_cuda_sync() == 0, "rt_cuda_sync is 0 when no CUDA cell was loaded");
    CHECK(rt_cuda_after_cell(&ename, &message, &sticky) == 0 && !ename && !message && sticky == 0,
          "after_cell is clean when libcudart is not loaded");

    if (shim && access(shim, R_OK) == 0) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(shim_child(shim));
        int st = 0;
        waitpid(pid, &st, 0);
        int bits = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
        if (bits == 0) {
            CHECK(1, "# SKIP shim or libcudart could not be loaded");
        } else {
            CHECK(bits & 2, "shim: a failing cudaDeviceSynchronize makes after_cell report");
            CHECK(bits & 4, "shim: ename is CUDAError");
            CHECK(bits & 8, "shim: message is '<name>: <string>' from cudaGetErrorName/String");
            CHECK(bits & 16, "shim: cudaErrorIllegalAddress is sticky");
            CHECK(bits & 32, "shim: the message says the runtime restarts");
        }
    } else {
        CHECK(1, "# SKIP no shim path given (CUDACELL_SHIM)");
    }

    void *h = open_cudart();
    if (!h) {
        CHECK(1, "# SKIP libcudart.so.13 not found");
        return;
    }
    int (*get_count)(int *) = (int (*)(int *))dlsym(h, "cudaGetDeviceCount");
    int (*cmalloc)(void **, size_t) = (int (*)(void **, size_t))dlsym(h, "cudaMalloc");
    int n = 0;
    int have_gpu = get_count && get_count(&n) == 0 && n > 0;
    if (get_count) {
        int (*last)(void) = (int (*)(void))dlsym(h, "cudaGetLastError");
        last();   /* the probe above is not the "cell"'s error */
    }

    rt_cuda_before_cell();
    int rc = rt_cuda_after_cell(&ename, &message, &sticky);
    if (have_gpu)
        CHECK(rc == 0, "with a GPU: a CUDA cell that made no failing call is fine");
    else
        CHECK(rc == 2 && !sticky && message && strstr(message, "host code did run"),
              "without a GPU: a CUDA cell gets the no-GPU note (not an error), not sticky");
    free(ename);
    free(message);

    void *ptr = NULL;
    cmalloc(&ptr, (size_t)1 << 62);   /* fails with or without a GPU */
    rc = rt_cuda_after_cell(&ename, &message, &sticky);
    CHECK((have_gpu ? rc == 1 : rc == 2) && ename && strcmp(ename, "CUDAError") == 0,
          "a failed cudaMalloc becomes a CUDAError (a note when there is no GPU)");
    if (have_gpu)
        CHECK(message && strncmp(message, "cudaErrorMemoryAllocation:", 26) == 0 && !sticky,
              "with a GPU: cudaErrorMemoryAllocation, not sticky");
    else   /* the paragraph came with the first cell: now one short line */
        CHECK(message && strncmp(message, "No GPU: ", 8) == 0 && !strchr(message, '\n') &&
              strstr(message, "%gpu") && !strstr(message, "host code did run") && !sticky,
              "without a GPU: the second cell gets one short line, not sticky");
    for (char *c = message; c && *c; c++)
        if (*c == '\n')
            *c = ' ';
    printf("# message: %s\n", message ? message : "(null)");
    free(ename);
    free(message);
    rc = rt_cuda_after_cell(&ename, &message, &sticky);
    if (have_gpu)
        CHECK(rc == 0, "with a GPU: the error was consumed, the next cell is clean");
    else
        CHECK(rc == 2 && !sticky, "without a GPU: the next CUDA cell notes it again");
    free(ename);
    free(message);
}

int main(int argc, char **argv)
{
    (void)argc;
    snprintf(tmp, sizeof tmp, "/tmp/cc-test-cuda-XXXXXX");
    if (!mkdtemp(tmp)) { perror("mkdtemp"); return 2; }
    char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

    test_nvcc();
    if (path) setenv("PATH", path, 1);
    unsetenv("CUDA_HOME");
    test_probe();

    /* the shim: $CUDACELL_SHIM, else libcudafail.so next to this test */
    char shim[1024];
    const char *env_shim = getenv("CUDACELL_SHIM");
    if (env_shim) {
        snprintf(shim, sizeof shim, "%s", env_shim);
    } else {
        snprintf(shim, sizeof shim, "%s", argv[0]);
        char *slash = strrchr(shim, '/');
        snprintf(slash ? slash + 1 : shim, sizeof shim - (size_t)(slash ? slash + 1 - shim : 0),
                 "libcudafail.so");
    }
    test_rt_cuda(shim);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    free(path);
    return tap_done();
}

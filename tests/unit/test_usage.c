/* tests/unit/test_usage.c — cc_usage_reply: the fields ipykernel sends, sane
 * values, CPU percentages from deltas, the runtime process folded in, and the
 * GPU list read from a fake nvidia-smi put first on PATH. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "usage.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void burn(double seconds)
{
    volatile unsigned long x = 0;
    double end = now_s() + seconds;
    while (now_s() < end)
        for (int i = 0; i < 100000; i++)
            x += (unsigned long)i;
}

static void write_script(const char *path, const char *body)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    chmod(path, 0755);
}

static json_int_t int_of(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static void test_fields(void)
{
    json_t *r = cc_usage_reply(0);
    CHECK(json_is_object(r), "reply is an object");
    const char *host = json_string_value(json_object_get(r, "hostname"));
    char want[256] = "";
    gethostname(want, sizeof want - 1);
    CHECK_STR(host, want, "hostname is gethostname()");
    CHECK(int_of(r, "pid") == getpid(), "pid is the kernel's pid");
    CHECK(json_is_real(json_object_get(r, "kernel_cpu")) &&
          json_real_value(json_object_get(r, "kernel_cpu")) == 0.0,
          "kernel_cpu is 0.0 on the first call");
    json_int_t mem = int_of(r, "kernel_memory");
    CHECK(mem > 100 * 1024 && mem < 64LL * 1024 * 1024 * 1024, "kernel_memory is a plausible RSS (%lld)", (long long)mem);
    CHECK(int_of(r, "cpu_count") == sysconf(_SC_NPROCESSORS_ONLN), "cpu_count is the online CPU count");
    json_t *hc = json_object_get(r, "host_cpu_percent");
    CHECK(json_is_real(hc) && json_real_value(hc) >= 0 && json_real_value(hc) <= 100, "host_cpu_percent in [0,100]");
    json_t *vm = json_object_get(r, "host_virtual_memory");
    CHECK(json_is_object(vm), "host_virtual_memory is an object");
    json_int_t total = int_of(vm, "total"), avail = int_of(vm, "available");
    json_int_t used = int_of(vm, "used"), fr = int_of(vm, "free");
    CHECK(total > 0 && avail > 0 && avail <= total, "total > available > 0");
    CHECK(used > 0 && used <= total && fr > 0 && fr <= total, "used and free within total");
    double pct = json_real_value(json_object_get(vm, "percent"));
    CHECK(pct >= 0 && pct <= 100, "memory percent in [0,100]");
    double expect = (double)(total - avail) * 100.0 / (double)total;
    CHECK(pct > expect - 5 && pct < expect + 5, "memory percent is (total - available) / total");
    CHECK(json_object_get(r, "runtime") == NULL, "no runtime object without a runtime pid");
    json_t *gpu = json_object_get(r, "gpu");
    if (system("nvidia-smi -L >/dev/null 2>&1") == 0)
        CHECK(json_is_array(gpu) && json_array_size(gpu) > 0 &&
              int_of(json_array_get(gpu, 0), "memory_total") > 0,
              "a working nvidia-smi gives a gpu list with memory_total");
    else
        CHECK(gpu == NULL, "no gpu field on a machine without a working nvidia-smi");
    json_decref(r);
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* kernel_cpu is the CPU the process used over the wall time between two
 * samples: compare it with the same ratio measured here, so a loaded
 * machine (where a busy loop gets only part of a core) passes too. */
static void test_kernel_cpu(void)
{
    json_t *a = cc_usage_reply(0);
    double w0 = now_s(), c0 = cpu_s();
    burn(0.3);
    double c1 = cpu_s(), w1 = now_s();
    json_t *b = cc_usage_reply(0);
    double cpu = json_real_value(json_object_get(b, "kernel_cpu"));
    double expect = 100.0 * (c1 - c0) / (w1 - w0);
    CHECK(cpu > 0.0 && cpu < 150.0 && cpu > expect * 0.6 - 5 && cpu < expect * 1.4 + 5,
          "kernel_cpu after a 0.3 s busy loop matches the CPU it used (%.1f, measured %.1f)", cpu, expect);
    json_decref(a);
    json_decref(b);
}

static void test_runtime(void)
{
    pid_t child = fork();
    if (child == 0) {
        /* Touch 32 MiB so its RSS is clearly visible, then spin. */
        size_t n = 32u << 20;
        volatile char *p = malloc(n);
        for (size_t i = 0; p && i < n; i += 4096)
            p[i] = 1;
        burn(30);
        _exit(0);
    }
    usleep(200 * 1000);
    json_t *self = cc_usage_reply(0);
    json_t *a = cc_usage_reply(child);
    json_t *rt = json_object_get(a, "runtime");
    CHECK(json_is_object(rt), "runtime object present with a runtime pid");
    CHECK(int_of(rt, "pid") == child, "runtime.pid is the pid given");
    json_int_t rmem = int_of(rt, "memory");
    CHECK(rmem > 30LL * 1024 * 1024, "runtime.memory counts its RSS (%lld)", (long long)rmem);
    CHECK(int_of(a, "kernel_memory") >= int_of(self, "kernel_memory") + rmem - 8 * 1024 * 1024,
          "kernel_memory includes the runtime's");
    CHECK(json_real_value(json_object_get(rt, "cpu")) == 0.0, "runtime.cpu is 0.0 on its first sample");
    usleep(400 * 1000);
    json_t *b = cc_usage_reply(child);
    double rcpu = json_real_value(json_object_get(json_object_get(b, "runtime"), "cpu"));
    CHECK(rcpu > 0.0, "runtime.cpu of a spinning child is above 0 (%.1f)", rcpu);
    CHECK(json_real_value(json_object_get(b, "kernel_cpu")) >= rcpu,
          "kernel_cpu includes the runtime's cpu");
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    json_t *c = cc_usage_reply(child);
    CHECK(json_is_object(json_object_get(c, "runtime")) &&
          int_of(json_object_get(c, "runtime"), "memory") == 0,
          "a runtime pid that is gone reports memory 0, no crash");
    json_decref(self);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void test_gpu(void)
{
    char dir[] = "/tmp/cc-usage-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    char *old_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", dir, 1);

    json_t *r = cc_usage_reply(0);
    CHECK(json_object_get(r, "gpu") == NULL, "no gpu field when nvidia-smi is not on PATH");
    json_decref(r);

    char smi[512];
    snprintf(smi, sizeof smi, "%s/nvidia-smi", dir);
    write_script(smi,
        "case \"$1\" in --query-gpu=index,name,memory.used,memory.total,utilization.gpu) ;; *) exit 3;; esac\n"
        "[ \"$2\" = --format=csv,noheader,nounits ] || exit 4\n"
        "echo '0, NVIDIA H100 80GB HBM3, 1024, 81559, 37'\n"
        "echo '1, Odd, Name, With Commas, [N/A], 16384, 0'");
    r = cc_usage_reply(0);
    json_t *g = json_object_get(r, "gpu");
    CHECK(json_is_array(g) && json_array_size(g) == 2, "gpu list has the two GPUs nvidia-smi reported");
    json_t *g0 = json_array_get(g, 0), *g1 = json_array_get(g, 1);
    CHECK(int_of(g0, "index") == 0, "gpu[0].index");
    CHECK_STR(json_string_value(json_object_get(g0, "name")), "NVIDIA H100 80GB HBM3", "gpu[0].name");
    CHECK(int_of(g0, "memory_used") == 1024LL << 20 && int_of(g0, "memory_total") == 81559LL << 20,
          "gpu[0] memory in bytes");
    CHECK(int_of(g0, "utilization") == 37, "gpu[0].utilization in percent");
    CHECK_STR(json_string_value(json_object_get(g1, "name")), "Odd, Name, With Commas",
              "a name with commas is kept whole");
    CHECK(json_is_null(json_object_get(g1, "memory_used")), "[N/A] becomes null");
    json_decref(r);

    /* A hung nvidia-smi is killed after about a second; the cache (2 s)
     * must expire first. */
    sleep(2);
    usleep(200 * 1000);
    write_script(smi, "PATH=/usr/bin:/bin exec sleep 10");
    double t0 = now_s();
    r = cc_usage_reply(0);
    double took = now_s() - t0;
    CHECK(json_object_get(r, "gpu") == NULL, "no gpu field when nvidia-smi hangs");
    CHECK(took > 0.8 && took < 3.0, "a hung nvidia-smi is abandoned after about 1 s (%.2f s)", took);
    json_decref(r);
    t0 = now_s();
    r = cc_usage_reply(0);
    CHECK(now_s() - t0 < 0.5, "after a failure nvidia-smi is not retried at once");
    json_decref(r);

    unlink(smi);
    rmdir(dir);
    if (old_path) {
        setenv("PATH", old_path, 1);
        free(old_path);
    }
}

int main(void)
{
    test_fields();
    test_kernel_cpu();
    test_runtime();
    test_gpu();
    return tap_done();
}

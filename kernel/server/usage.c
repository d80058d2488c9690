/* kernel/server/usage.c — builds the usage_reply content (see usage.h): process
 * and host figures from /proc, GPU figures from nvidia-smi. Owns the
 * previous samples needed to turn cumulative CPU counters into percentages,
 * and a short cache of the nvidia-smi answer; both under one mutex. */
#include "usage.h"
#include "child_spawn.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define GPU_TIMEOUT_MS   1000    /* nvidia-smi gets this long to answer */
#define GPU_CACHE_MS     2000    /* a good answer is reused this long */
#define GPU_BACKOFF_MS  30000    /* after a failure, do not retry for this long */
#define GPU_OUT_MAX     65536

static pthread_mutex_t usage_lock = PTHREAD_MUTEX_INITIALIZER;

/* A cumulative CPU-time sample of one process. */
typedef struct cpu_sample {
    int pid;                   /* 0: none yet */
    unsigned long long ticks;  /* utime + stime, in clock ticks */
    double t;                  /* monotonic seconds when read */
} cpu_sample;

static cpu_sample self_prev, rt_prev;
static unsigned long long host_prev_total, host_prev_idle;

static json_t *gpu_cache;      /* owned here; NULL: none or unknown */
static double gpu_cache_t;     /* when gpu_cache was filled (or the failure) */
static bool gpu_cache_valid;

static double round1(double v)
{
    return (double)(long long)(v * 10.0 + (v >= 0 ? 0.5 : -0.5)) / 10.0;
}

/* Reads a small /proc file into buf (NUL-terminated); 0 on success. */
static int read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len + 1 < size) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return len > 0 ? 0 : -1;
}

/* utime + stime of pid (0: this process), from /proc/PID/stat. */
static int proc_cpu_ticks(int pid, unsigned long long *ticks)
{
    char path[64], buf[1024];
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
    else
        snprintf(path, sizeof path, "/proc/self/stat");
    if (read_small(path, buf, sizeof buf) < 0)
        return -1;
    /* The command name may hold spaces or parentheses: start after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    p++;
    /* After ')' come fields 3 (state) ... ; utime is field 14, stime 15. */
    unsigned long long ut = 0, st = 0;
    int field = 2;
    char *save = NULL;
    for (char *tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        field++;
        if (field == 14)
            ut = strtoull(tok, NULL, 10);
        else if (field == 15) {
            st = strtoull(tok, NULL, 10);
            *ticks = ut + st;
            return 0;
        }
    }
    return -1;
}

/* Resident set size of pid (0: this process) in bytes, from /proc/PID/statm. */
static long long proc_rss(int pid)
{
    char path[64], buf[256];
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%d/statm", pid);
    else
        snprintf(path, sizeof path, "/proc/self/statm");
    if (read_small(path, buf, sizeof buf) < 0)
        return -1;
    unsigned long long size = 0, resident = 0;
    if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
        return -1;
    return (long long)resident * sysconf(_SC_PAGESIZE);
}

/* CPU percent of pid since prev (updated); 0.0 on the first sample of a pid.
 * Returns -1 when the process cannot be read. */
static double proc_cpu_percent(int pid, cpu_sample *prev)
{
    unsigned long long ticks;
    if (proc_cpu_ticks(pid, &ticks) < 0) {
        prev->pid = 0;
        return -1;
    }
    double t = ((double)cc_now_ns() / 1e9);
    double pct = 0.0;
    int key = pid > 0 ? pid : -1;
    if (prev->pid == key && t > prev->t && ticks >= prev->ticks) {
        double hz = (double)sysconf(_SC_CLK_TCK);
        pct = (double)(ticks - prev->ticks) / hz / (t - prev->t) * 100.0;
    }
    prev->pid = key;
    prev->ticks = ticks;
    prev->t = t;
    return round1(pct);
}

/* Host-wide CPU busy percent from /proc/stat: since the previous call, or
 * since boot on the first. Returns -1 if unreadable. */
static double host_cpu_percent(void)
{
    char buf[512];
    if (read_small("/proc/stat", buf, sizeof buf) < 0 || strncmp(buf, "cpu ", 4) != 0)
        return -1;
    unsigned long long v[8] = {0};
    if (sscanf(buf + 4, "%llu %llu %llu %llu %llu %llu %llu %llu",
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 4)
        return -1;
    /* user nice system idle iowait irq softirq steal (guest is inside user) */
    unsigned long long total = 0, idle = v[3] + v[4];
    for (int i = 0; i < 8; i++)
        total += v[i];
    unsigned long long dt = total - host_prev_total, di = idle - host_prev_idle;
    if (total < host_prev_total || idle < host_prev_idle) {
        dt = total;
        di = idle;
    }
    host_prev_total = total;
    host_prev_idle = idle;
    if (dt == 0)
        return 0.0;
    return round1((double)(dt - (di > dt ? dt : di)) * 100.0 / (double)dt);
}

/* host_virtual_memory, shaped like psutil.virtual_memory() on Linux. */
static json_t *host_memory(void)
{
    char buf[8192];
    if (read_small("/proc/meminfo", buf, sizeof buf) < 0)
        return json_object();
    static const char *keys[] = {
        "MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached",
        "SReclaimable", "Shmem", "Active", "Inactive", "Slab",
    };
    enum { TOTAL, FREE, AVAIL, BUFFERS, CACHED, SRECL, SHMEM, ACTIVE, INACTIVE, SLAB, NKEYS };
    long long val[NKEYS];
    for (int i = 0; i < NKEYS; i++)
        val[i] = -1;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        for (int i = 0; i < NKEYS; i++)
            if (strcmp(line, keys[i]) == 0)
                val[i] = strtoll(colon + 1, NULL, 10) * 1024;   /* kB → bytes */
    }
    for (int i = 0; i < NKEYS; i++)
        if (val[i] < 0)
            val[i] = 0;
    long long cached = val[CACHED] + val[SRECL];
    long long used = val[TOTAL] - val[FREE] - cached - val[BUFFERS];
    if (used < 0)
        used = val[TOTAL] - val[FREE];
    long long avail = val[AVAIL] > 0 ? val[AVAIL] : val[FREE];
    double percent = val[TOTAL] > 0 ? round1((double)(val[TOTAL] - avail) * 100.0 / (double)val[TOTAL]) : 0.0;
    return json_pack("{s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
                     "total", (json_int_t)val[TOTAL], "available", (json_int_t)avail,
                     "percent", percent, "used", (json_int_t)used, "free", (json_int_t)val[FREE],
                     "active", (json_int_t)val[ACTIVE], "inactive", (json_int_t)val[INACTIVE],
                     "buffers", (json_int_t)val[BUFFERS], "cached", (json_int_t)cached,
                     "shared", (json_int_t)val[SHMEM], "slab", (json_int_t)val[SLAB]);
}

/* ---- GPUs, through nvidia-smi ---------------------------------------- */

/* Runs argv (argv[0] a path), stdout captured, stderr discarded; killed
 * after timeout_ms. The malloc'd output (caller frees) when it exited with
 * status 0, else NULL. */
static char *run_capture(char *const argv[], int timeout_ms)
{
    char *out;
    size_t len;
    int st;
    cc_capture_opts o = {.timeout_ms = timeout_ms, .max = GPU_OUT_MAX};
    int rc = cc_spawn_capture_ex(&o, argv, &out, &len, &st);
    if (rc < 0)
        return NULL;
    /* st -1 (SIGCHLD ignored somewhere): trust the output we got. */
    bool ok = rc == CC_CAPTURE_DONE &&
              (st == -1 ? len > 0 : (WIFEXITED(st) && WEXITSTATUS(st) == 0));
    if (!ok) {
        free(out);
        return NULL;
    }
    return out;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* A numeric CSV field as JSON; "[N/A]" and the like become null. */
static json_t *num_or_null(const char *s, long long scale)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno)
        return json_null();
    return json_integer((json_int_t)(v * scale));
}

/* Parses "index, name, mem_used, mem_total, util" lines (MiB, percent).
 * The name may hold commas, so the numbers are taken from both ends.
 * Returns a new array (possibly empty). */
static json_t *parse_gpu_csv(char *text)
{
    json_t *arr = json_array();
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *first = strchr(line, ',');
        char *c3 = strrchr(line, ',');
        if (!first || !c3 || c3 == first)
            continue;
        *c3 = '\0';
        char *c2 = strrchr(line, ',');
        if (!c2 || c2 == first)
            continue;
        *c2 = '\0';
        char *c1 = strrchr(line, ',');
        if (!c1 || c1 == first)
            continue;
        *c1 = '\0';
        *first = '\0';
        json_t *idx = num_or_null(trim(line), 1);
        if (json_is_null(idx)) {
            json_decref(idx);
            continue;
        }
        json_array_append_new(arr, json_pack("{s:o,s:s,s:o,s:o,s:o}",
            "index", idx,
            "name", trim(first + 1),
            "memory_used", num_or_null(trim(c1 + 1), 1024LL * 1024),
            "memory_total", num_or_null(trim(c2 + 1), 1024LL * 1024),
            "utilization", num_or_null(trim(c3 + 1), 1)));
    }
    return arr;
}

/* The GPU list (new reference), or NULL when there is no GPU or no answer. */
static json_t *gpu_list(void)
{
    /* Looked up every time (cheap; %env can change PATH): gone means no GPU. */
    char *exe = cc_spawn_find("nvidia-smi");
    if (!exe) {
        json_decref(gpu_cache);
        gpu_cache = NULL;
        gpu_cache_valid = false;
        return NULL;
    }
    if (gpu_cache_valid) {
        double age_ms = (((double)cc_now_ns() / 1e9) - gpu_cache_t) * 1000.0;
        if (age_ms < (gpu_cache ? GPU_CACHE_MS : GPU_BACKOFF_MS)) {
            free(exe);
            return gpu_cache ? json_deep_copy(gpu_cache) : NULL;
        }
    }
    char *argv[] = {
        exe,
        "--query-gpu=index,name,memory.used,memory.total,utilization.gpu",
        "--format=csv,noheader,nounits",
        NULL,
    };
    char *out = run_capture(argv, GPU_TIMEOUT_MS);
    free(exe);
    json_decref(gpu_cache);
    gpu_cache = NULL;
    if (out) {
        json_t *arr = parse_gpu_csv(out);
        free(out);
        if (json_array_size(arr) > 0)
            gpu_cache = arr;
        else
            json_decref(arr);
    }
    gpu_cache_valid = true;
    gpu_cache_t = ((double)cc_now_ns() / 1e9);
    return gpu_cache ? json_deep_copy(gpu_cache) : NULL;
}

/* ---- the reply ------------------------------------------------------- */

json_t *cc_usage_reply(int runtime_pid)
{
    pthread_mutex_lock(&usage_lock);

    char host[256] = "";
    if (gethostname(host, sizeof host - 1) < 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';

    double self_cpu = proc_cpu_percent(0, &self_prev);
    long long self_mem = proc_rss(0);
    if (self_cpu < 0)
        self_cpu = 0.0;
    if (self_mem < 0)
        self_mem = 0;

    double rt_cpu = -1;
    long long rt_mem = -1;
    if (runtime_pid > 0) {
        rt_cpu = proc_cpu_percent(runtime_pid, &rt_prev);
        rt_mem = proc_rss(runtime_pid);
    } else {
        rt_prev.pid = 0;
    }

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    double host_cpu = host_cpu_percent();

    json_t *r = json_pack("{s:s,s:i,s:f,s:I,s:i,s:o}",
        "hostname", host,
        "pid", (int)getpid(),
        "kernel_cpu", round1(self_cpu + (rt_cpu > 0 ? rt_cpu : 0.0)),
        "kernel_memory", (json_int_t)(self_mem + (rt_mem > 0 ? rt_mem : 0)),
        "cpu_count", (int)(ncpu > 0 ? ncpu : 1),
        "host_virtual_memory", host_memory());
    if (!r) {
        pthread_mutex_unlock(&usage_lock);
        return NULL;
    }
    if (host_cpu >= 0)
        json_object_set_new(r, "host_cpu_percent", json_real(host_cpu));
    if (runtime_pid > 0)
        json_object_set_new(r, "runtime", json_pack("{s:i,s:I,s:f}",
            "pid", runtime_pid,
            "memory", (json_int_t)(rt_mem > 0 ? rt_mem : 0),
            "cpu", rt_cpu > 0 ? rt_cpu : 0.0));
    json_t *gpus = gpu_list();
    if (gpus)
        json_object_set_new(r, "gpu", gpus);

    pthread_mutex_unlock(&usage_lock);
    return r;
}

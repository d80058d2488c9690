/* kernel/server/usage.h — the content of a usage_reply (control channel), with the
 * same fields ipykernel 7 sends for usage_request, read from /proc and, when
 * a GPU is present, from nvidia-smi. */
#ifndef CC_USAGE_H
#define CC_USAGE_H

#include <jansson.h>

/* Returns a new reference (the caller owns it; never NULL unless out of
 * memory). Fields: hostname, pid, kernel_cpu (percent since the previous
 * call, 0.0 on the first; the kernel plus the runtime process, as ipykernel
 * sums a kernel and its children), kernel_memory (RSS bytes, the kernel plus
 * the runtime when runtime_pid > 0), host_cpu_percent, cpu_count,
 * host_virtual_memory {total, available, percent, used, free, ...},
 * "gpu": [{index, name, memory_used, memory_total, utilization}] when
 * nvidia-smi answers, and "runtime": {pid, memory, cpu} when runtime_pid > 0.
 * Thread-safe; may block up to about one second (nvidia-smi). */
json_t *cc_usage_reply(int runtime_pid);

#endif

/* kernel/pipeline/runtime_int.h — what runtime_client.c (the process: start, stop,
 * restart) and runtime_run.c (one run: commands, replies, output relay)
 * share and nobody else uses: the client's state and the process calls. */
#ifndef CC_RUNTIME_INT_H
#define CC_RUNTIME_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rt_proto.h"
#include "runtime_client.h"

struct cc_runtime {
    char *exe;           /* <exe_dir>/cudacell-runtime */
    char *cache_dir;
    char *workdir;
    pid_t pid;           /* 0: not running */
    int cmd_fd, reply_fd, out_fd, err_fd;
    rt_inbuf in;         /* partial reply frames */
    char **preload;      /* absolute paths to load into the next process */
    size_t n_preload;
    int loads_pending;   /* LOAD replies still to come */
    char *note;          /* RT_R_NOTE of a dying runtime, malloc'd */
    char *crash;         /* RT_R_CRASH payload of a dying runtime, malloc'd */
    size_t crash_len;
    bool timeit;         /* the current run repeats the cell: values are not shown */
};

/* Close *fd if open and set it to -1. */
void cc_rt_close_fd(int *fd);

/* Start the process (pipes, environment, the LOADs of libcudacell and the
 * preloaded objects). Returns 0, or -1 with *err (malloc'd, may be NULL). */
int cc_rt_start_process(cc_runtime *rt, char **err);

/* Stop (if alive) and reap; returns the wait status, or -1 if none. */
int cc_rt_stop_process(cc_runtime *rt);

#endif

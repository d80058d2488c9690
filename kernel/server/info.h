/* kernel/server/info.h — replies that describe the kernel and session:
 * kernel_info, comm_info, history. */
#ifndef CC_INFO_H
#define CC_INFO_H

#include <jansson.h>
#include "kernel.h"

struct cc_gpu_probe;
struct cc_services;

/* The process-wide GPU probe (started in main.c; read under a lock). */
void cc_info_set_probe(struct cc_gpu_probe *p);
struct cc_gpu_probe *cc_info_probe(void);

json_t *cc_info_kernel_info(void);                                  /* new reference */
json_t *cc_info_history(const struct cc_services *svc, const json_t *request);
json_t *cc_info_comm_info(void);

#endif

/* kernel/server/parent_watch.h — ends the kernel with its frontend: Jupyter names
 * the process that started the kernel in JPY_PARENT_PID, and when that
 * process is gone the kernel shuts down as if asked to (ipykernel's
 * ParentPollerUnix does the same), instead of running on with parent 1. */
#ifndef CC_PARENT_WATCH_H
#define CC_PARENT_WATCH_H

#include <stdbool.h>

/* Reads JPY_PARENT_PID; without it (or with a bad value) nothing is watched. */
void cc_parent_watch_init(void);

/* True once the watched parent is gone. Looks at most once a second. */
bool cc_parent_gone(void);

/* The pid being watched, 0 if none. */
int cc_parent_watched(void);

#endif

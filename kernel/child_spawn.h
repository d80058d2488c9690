/* kernel/child_spawn.h — how the kernel starts its helper processes (compiler,
 * runtime, GPU probe, nvcc --version): default signal handling, nothing
 * blocked, and a process group of their own, so an interrupt sent to the
 * kernel's group does not reach them and they can be signalled as a group. */
#ifndef CC_CHILD_SPAWN_H
#define CC_CHILD_SPAWN_H

#include <spawn.h>

/* Initialise attr for such a child (posix_spawnattr_destroy it after). */
void cc_spawnattr_child(posix_spawnattr_t *attr);

#endif

/* runtime/rt_crash.h — the runtime's fatal-signal handler: on SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL, SIGABRT or SIGTRAP it sends the kernel where the
 * process was (RT_R_CRASH: object path and offset of each stack frame, see
 * rt_proto.h) and then dies of the signal. The kernel turns the frames into
 * cell numbers and lines (kernel/pipeline/crash_report.c). */
#ifndef RT_CRASH_H
#define RT_CRASH_H

/* Install the handlers on an alternate stack (so a stack overflow is still
 * reported), warm up backtrace(), and record the objects loaded so far.
 * Call once at startup, from the main thread (its stack is the one whose
 * overflow is recognised). */
void rt_crash_install(void);

/* Record the load address and path of every object now in the process.
 * Call after each dlopen, outside any signal handler. */
void rt_crash_note_objects(void);

#endif

/* runtime/rt_stdin.h — the runtime's stdin: a stream whose reads ask the
 * kernel for a line of input (the frontend's input_request) over the
 * command/reply pipes, so scanf, fgets, getchar and getline all work. */
#ifndef RT_STDIN_H
#define RT_STDIN_H

/* Replace libc's `stdin` with the kernel-backed stream. Call once, before
 * any cell runs. Returns 0, or -1 when the stream could not be made (stdin
 * then stays /dev/null). */
int rt_stdin_install(void);

/* At the start of each cell: forget input left over from the previous cell
 * and clear the end-of-file flag, so each cell asks afresh. */
void rt_stdin_new_cell(void);

#endif

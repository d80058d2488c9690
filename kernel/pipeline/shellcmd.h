/* kernel/pipeline/shellcmd.h — `!cmd` and %%bash: run under a pseudo-terminal as Colab
 * does (programs line-buffer and see a terminal), stream output as it comes,
 * interrupt with SIGINT, then SIGTERM/SIGKILL. */
#ifndef CC_SHELLCMD_H
#define CC_SHELLCMD_H

struct cc_out;

/* Run `/bin/sh -c cmd` in the kernel's cwd and environment; stdin is
 * /dev/null. Returns the exit status (128+signal when killed), or -1 when it
 * could not start (the error is reported through x). An interrupt reports a
 * KeyboardInterrupt error through x. */
int cc_shell_run(struct cc_out *x, const char *cmd);

/* Run a whole script with an interpreter ("bash"), same streaming rules. */
int cc_shell_run_script(struct cc_out *x, const char *interp, const char *script);

#endif

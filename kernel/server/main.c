/* kernel/server/main.c — the `cudacell` binary: read the connection file named on
 * the command line (or, in launcher mode, make one up and send it to the
 * gateway that started us: launcher.h), set up signing and signals, start GPU discovery in the
 * background (readiness never waits for CUDA), and run the server.
 * SIGTERM, and the end of the frontend named in JPY_PARENT_PID, shut the
 * kernel down as a shutdown_request does (runtime stopped, work directory
 * removed). */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gpu_probe.h"
#include "info.h"
#include "interrupt.h"
#include "kernel.h"
#include "launcher.h"
#include "log.h"
#include "parent_watch.h"
#include "server.h"
#include "shell.h"
#include "xalloc.h"


static void on_sigint(int sig)
{
    (void)sig;
    cc_intr_request();
}

static void on_sigterm(int sig)
{
    (void)sig;
    cc_kernel_get()->shutting_down = 1;   /* the server loop wakes with EINTR or within a second */
}

/* Before the launcher's thread can relay a signal or an interrupt. */
static void setup_signals(void)
{
    cc_intr_init();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_sigterm;
    sa.sa_flags = 0;
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: cudacell -f CONNECTION_FILE\n"
               "       cudacell --kernel-id ID --response-address HOST:PORT --public-key KEY\n"
               "                [--port-range LO..HI] [--ip ADDR] [--transport-encryption auto|required]\n"
               "                (launcher mode, for gateway_provisioners)\n"
               "A Jupyter kernel for C and CUDA cells. Jupyter starts it from its kernelspec;\n"
               "see README.md for installing the kernelspec.\n");
}

static char *exe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return cc_xstrdup(".");
    buf[n] = '\0';
    return cc_xstrdup(dirname(buf));
}

int main(int argc, char **argv)
{
    const char *conn_file = NULL;
    char *err = NULL;
    cc_launch_opts launch = {0};

    for (int i = 1; i < argc; i++) {
        if (cc_launcher_arg(argc, argv, &i, &launch))
            continue;
        if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--connection-file")) && i + 1 < argc)
            conn_file = argv[++i];
        else if (!strcmp(argv[i], "--version")) {
            printf("cudacell %s\n", CUDACELL_VERSION);
            return 0;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-')
            conn_file = argv[i];
    }
    bool launcher = cc_launcher_wanted(&launch);
    if (!conn_file && !launcher) {
        usage(stderr);
        return 2;
    }

    cc_log_init();
    cc_kernel *k = cc_kernel_get();
    setup_signals();
    int lrc = launcher ? cc_launcher_start(&launch, k, &err) : cc_conn_load(conn_file, &k->conn, &err);
    if (lrc < 0) {
        cc_log_error("%s", err ? err : "cannot read the connection file");
        free(err);
        return 1;
    }
    k->signer = cc_signer_new(k->conn.signature_scheme, k->conn.key);
    if (!k->signer) {
        cc_log_error("unsupported signature_scheme '%s' (use hmac-sha256)", k->conn.signature_scheme);
        cc_launcher_stop();
        return 1;
    }
    cc_uuid4(k->session_id);
    cc_msg_set_session(k->session_id);
    k->exe_dir = exe_dir();

    cc_parent_watch_init();

    cc_gpu_probe *probe = cc_gpu_probe_start(k->exe_dir);
    cc_info_set_probe(probe);

    int rc = cc_server_run(k);
    cc_launcher_stop();
    if (!cc_worker_done())
        _exit(rc);   /* a stuck worker still uses what we would free */

    cc_info_set_probe(NULL);
    cc_gpu_probe_free(probe);
    cc_signer_free(k->signer);
    cc_conn_clear(&k->conn);
    free(k->exe_dir);
    return rc;
}

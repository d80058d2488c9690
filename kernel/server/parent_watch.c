/* kernel/server/parent_watch.c — see parent_watch.h.
 *
 * When JPY_PARENT_PID is our parent at start, the parent is gone when
 * getppid() changes (we were re-parented: it exited, even if its pid is
 * reused later). When it names another process (a launcher in between),
 * that process is gone when kill(pid, 0) says it no longer exists. */
#include "parent_watch.h"
#include "clock.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pid_t watched;        /* 0: none */
static bool is_our_parent;   /* watched was getppid() at start */
static time_t last_look;

void cc_parent_watch_init(void)
{
    const char *v = getenv("JPY_PARENT_PID");
    char *end;
    watched = 0;
    if (!v || !*v)
        return;
    long pid = strtol(v, &end, 10);
    if (*end || pid <= 1)
        return;
    watched = (pid_t)pid;
    is_our_parent = getppid() == watched;
}

int cc_parent_watched(void) { return (int)watched; }

bool cc_parent_gone(void)
{
    if (!watched)
        return false;
    long long sec = cc_now_ms() / 1000;
    if (sec == last_look)
        return false;
    last_look = sec;
    if (is_our_parent)
        return getppid() != watched;
    return kill(watched, 0) < 0 && errno == ESRCH;
}

/* tests/unit/test_dispatch.c — the shell/control dispatch table
 * (kernel/server/dispatch.c): which row answers each type on each channel, and the
 * flags the dispatcher acts on (busy/idle, locks). Lookups only: no request
 * is run. */
#include <string.h>

#include "dispatch.h"
#include "tap.h"

/* A row for type on channel that is not the catch-all. */
static const cc_handler *own_row(const char *type, unsigned channel)
{
    const cc_handler *h = cc_dispatch_find(type, channel);
    return h && h->type && strcmp(h->type, type) == 0 ? h : NULL;
}

static void shell_rows(void)
{
    static const char *const types[] = {
        "execute_request", "kernel_info_request", "is_complete_request", "complete_request",
        "inspect_request", "history_request", "comm_info_request", "comm_open", "comm_msg", "comm_close",
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const cc_handler *h = own_row(types[i], CC_D_SHELL);
        CHECK(h && (h->flags & CC_D_BUSY_IDLE), "shell answers %s, wrapped in busy/idle", types[i]);
    }
    CHECK(own_row("execute_request", CC_D_SHELL)->flags & CC_D_RUNTIME_LOCK,
          "execute_request is marked as using the runtime");
    CHECK(own_row("complete_request", CC_D_SHELL)->flags & CC_D_NAMES_LOCK, "complete_request reads the names under their lock");
    CHECK(own_row("inspect_request", CC_D_SHELL)->flags & CC_D_NAMES_LOCK, "inspect_request reads the names under their lock");
    CHECK(own_row("history_request", CC_D_SHELL)->flags & CC_D_COUNT_LOCK, "history_request holds the count lock");
    CHECK(!(own_row("kernel_info_request", CC_D_SHELL)->flags & (CC_D_NAMES_LOCK | CC_D_COUNT_LOCK | CC_D_RUNTIME_LOCK)),
          "kernel_info_request takes no lock");
}

static void control_rows(void)
{
    static const char *const wrapped[] = {
        "kernel_info_request", "interrupt_request", "shutdown_request",
        "create_subshell_request", "delete_subshell_request", "list_subshell_request",
    };
    for (size_t i = 0; i < sizeof wrapped / sizeof wrapped[0]; i++) {
        const cc_handler *h = own_row(wrapped[i], CC_D_CONTROL);
        CHECK(h && (h->flags & CC_D_BUSY_IDLE), "control answers %s, wrapped in busy/idle", wrapped[i]);
        CHECK(h && !(h->flags & (CC_D_NAMES_LOCK | CC_D_COUNT_LOCK | CC_D_RUNTIME_LOCK)),
              "control's %s takes no lock (the server thread never waits)", wrapped[i]);
    }
    const cc_handler *u = own_row("usage_request", CC_D_CONTROL);
    CHECK(u && !(u->flags & CC_D_BUSY_IDLE), "usage_request: busy/idle come from its own thread");
}

static void other_types(void)
{
    const cc_handler *s = cc_dispatch_find("no_such_request", CC_D_SHELL);
    const cc_handler *c = cc_dispatch_find("no_such_request", CC_D_CONTROL);
    CHECK(s && !s->type && (s->flags & CC_D_BUSY_IDLE), "an unknown shell type: catch-all, still busy/idle");
    CHECK(c && !c->type && !(c->flags & CC_D_BUSY_IDLE), "an unknown control type: catch-all, no status");
    CHECK(s != c, "each channel has its own catch-all");
    const cc_handler *e = cc_dispatch_find("execute_request", CC_D_CONTROL);
    CHECK(e == c, "execute_request on control is not answered there");
    const cc_handler *i = cc_dispatch_find("interrupt_request", CC_D_SHELL);
    CHECK(i == s, "interrupt_request on shell is not answered there");
    CHECK(cc_dispatch_find("", CC_D_SHELL) == s, "an empty type is unknown");
    CHECK(own_row("kernel_info_request", CC_D_SHELL) == own_row("kernel_info_request", CC_D_CONTROL),
          "kernel_info_request: one row for both channels");
}

int main(void)
{
    shell_rows();
    control_rows();
    other_types();
    return tap_done();
}

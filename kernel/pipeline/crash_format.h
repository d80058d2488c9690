/* kernel/pipeline/crash_format.h — the pure part of crash reports: decoding the
 * runtime's RT_R_CRASH frame (runtime/proto/rt_proto.h), reading addr2line's
 * answer, naming the signal, and turning the frames into a traceback in the
 * notebook's terms:
 *
 *   Segmentation fault (SIGSEGV): invalid memory access at address 0x0 (a NULL pointer)
 *     In [9], line 3, in set_first:   *p = 42;
 *     In [10], line 1:                set_first(NULL);
 *
 * No I/O here (kernel/pipeline/crash_report.c runs addr2line and keeps the cells). */
#ifndef CC_CRASH_FORMAT_H
#define CC_CRASH_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define CC_CRASH_NO_OBJ 0xffffffffu

typedef struct cc_crash_frame {
    uint32_t obj;       /* index into objs, or CC_CRASH_NO_OBJ */
    uint64_t offset;    /* from the object's load base (or the raw address) */
} cc_crash_frame;

/* A decoded RT_R_CRASH. Owns objs and frames (cc_crash_clear). */
typedef struct cc_crash {
    int sig, code;
    uint64_t addr;          /* si_addr */
    uint64_t total;         /* frames on the stack in all */
    size_t gap_at;          /* frames[gap_at] is the first after the left-out ones */
    char **objs;
    size_t nobj;
    cc_crash_frame *frames; /* innermost first; [0] is the faulting PC */
    size_t nframes;
} cc_crash;

/* 0, or -1 when the payload is malformed (out is then empty). */
int cc_crash_decode(const char *payload, size_t len, cc_crash *out);
void cc_crash_clear(cc_crash *c);

/* One source position addr2line gave for an address. Strings owned. */
typedef struct cc_a2l_loc {
    char *func;   /* NULL when unknown ("??") */
    char *file;   /* NULL when unknown */
    int line;     /* 0 when unknown */
} cc_a2l_loc;

/* Everything said of one address: the inline chain, innermost first. */
typedef struct cc_a2l_group {
    uint64_t addr;
    cc_a2l_loc *locs;
    size_t n;
} cc_a2l_group;

/* Parse the output of `addr2line -a -f -i -e OBJ ADDR...`. Returns the
 * number of groups (*out malloc'd; free with cc_a2l_free). */
size_t cc_a2l_parse(const char *text, cc_a2l_group **out);
void cc_a2l_free(cc_a2l_group *g, size_t n);

/* The cell that produced an object. Strings borrowed. */
typedef struct cc_crash_cell {
    int count;            /* its In [N]; 0 when unknown */
    const char *code;     /* the code as compiled (without the magic line) */
    int first_line;       /* the notebook line where code starts (1-based) */
} cc_crash_cell;

/* "Segmentation fault (SIGSEGV): invalid memory access at address 0x0 (a
 * NULL pointer)" and the like, one line without a full stop. malloc'd. */
char *cc_crash_cause(int sig, int code, uint64_t addr);

/* The traceback lines (each "  ...\n"), innermost first, or "" when no
 * frame is in a cell. cells[i] describes objs[i] (NULL: not a cell's
 * object); syms[i] what addr2line said of frames[i] (NULL: nothing). Frames
 * outside cells collapse into one "(in library code)" line; those below the
 * outermost cell frame are left out; the cell's entry function is shown as
 * the cell itself. malloc'd. */
char *cc_crash_frames_text(const cc_crash *c, const cc_crash_cell *const *cells,
                           const cc_a2l_group *const *syms);

#endif

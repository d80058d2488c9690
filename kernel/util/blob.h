/* kernel/util/blob.h — a borrowed or owned byte range, the unit of a ZeroMQ frame. */
#ifndef CC_BLOB_H
#define CC_BLOB_H

#include <stddef.h>

typedef struct cc_blob {
    char *data;   /* not NUL-terminated unless said otherwise */
    size_t len;
} cc_blob;

#endif

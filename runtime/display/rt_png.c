/* runtime/display/rt_png.c — a minimal PNG encoder (8-bit gray, gray+alpha,
 * RGB, RGBA; filter None; zlib for IDAT and the CRCs) and an IHDR reader. */
#include "rt_display.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define RT_PNG_MAX_SIDE 32768   /* per side; keeps sizes far from overflow */

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writes one chunk (length, type, data, CRC of type+data) at out; returns
 * the bytes written (12 + n). */
static size_t put_chunk(unsigned char *out, const char type[4], const unsigned char *data,
                        size_t n)
{
    put_be32(out, (uint32_t)n);
    memcpy(out + 4, type, 4);
    if (n)
        memcpy(out + 8, data, n);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, out + 4, (uInt)(4 + n));
    put_be32(out + 8 + n, (uint32_t)crc);
    return 12 + n;
}

static int color_type(int channels)
{
    switch (channels) {
    case 1: return 0;   /* gray */
    case 2: return 4;   /* gray + alpha */
    case 3: return 2;   /* RGB */
    case 4: return 6;   /* RGBA */
    default: return -1;
    }
}

unsigned char *rt_png_encode(const unsigned char *px, int w, int h, int channels,
                             size_t *len, const char **err)
{
    const char *why = NULL;
    if (!px)
        why = "the pixel pointer is NULL";
    else if (w <= 0 || h <= 0 || w > RT_PNG_MAX_SIDE || h > RT_PNG_MAX_SIDE)
        why = "width and height must be between 1 and 32768";
    else if (color_type(channels) < 0)
        why = "channels must be 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA)";
    if (why) {
        if (err)
            *err = why;
        return NULL;
    }

    /* The filtered image: each row is a filter byte (0, None) then pixels. */
    size_t row = (size_t)w * (size_t)channels;
    size_t raw_len = (row + 1) * (size_t)h;
    unsigned char *raw = malloc(raw_len);
    uLongf zlen = compressBound((uLong)raw_len);
    unsigned char *z = malloc(zlen);
    unsigned char *out = NULL;
    if (!raw || !z) {
        why = "out of memory";
        goto done;
    }
    for (int y = 0; y < h; y++) {
        raw[(size_t)y * (row + 1)] = 0;
        memcpy(raw + (size_t)y * (row + 1) + 1, px + (size_t)y * row, row);
    }
    if (compress2(z, &zlen, raw, (uLong)raw_len, 6) != Z_OK) {
        why = "zlib could not compress the image";
        goto done;
    }

    unsigned char ihdr[13];
    put_be32(ihdr, (uint32_t)w);
    put_be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;                              /* bit depth */
    ihdr[9] = (unsigned char)color_type(channels);
    ihdr[10] = ihdr[11] = ihdr[12] = 0;       /* deflate, adaptive filters, no interlace */

    size_t total = sizeof png_sig + (12 + sizeof ihdr) + (12 + zlen) + 12;
    out = malloc(total);
    if (!out) {
        why = "out of memory";
        goto done;
    }
    size_t o = 0;
    memcpy(out, png_sig, sizeof png_sig);
    o += sizeof png_sig;
    o += put_chunk(out + o, "IHDR", ihdr, sizeof ihdr);
    o += put_chunk(out + o, "IDAT", z, zlen);
    o += put_chunk(out + o, "IEND", NULL, 0);
    *len = o;
done:
    free(raw);
    free(z);
    if (why) {
        free(out);
        out = NULL;
        if (err)
            *err = why;
    }
    return out;
}

int rt_png_size(const void *png, size_t len, uint32_t *w, uint32_t *h)
{
    const unsigned char *p = png;
    if (!p || len < 8 + 8 + 13 || memcmp(p, png_sig, 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0)
        return -1;
    *w = get_be32(p + 16);
    *h = get_be32(p + 20);
    return 0;
}

/* kernel/pipeline/display_dirs.h — locating libcudacell (the display library every
 * cell includes and links). */
#ifndef CC_DISPLAY_DIRS_H
#define CC_DISPLAY_DIRS_H

/* libcudacell, the rich-output library every cell may call (its header is
 * in the cell prelude): the directory holding cudacell.h (inc) and the one
 * holding libcudacell.so (lib). Looked up from exe_dir, the directory of the
 * kernel's programs (NULL: this program's own): in the build tree the
 * library is <build>/runtime/display (also found from <build>/tests) and the
 * header is in the source tree's runtime/display; an install has
 * <prefix>/<includedir>/cudacell and <prefix>/<libdir>/cudacell, found
 * relative to <prefix>/bin or at the prefix configured at build time.
 * inc and lib must hold PATH_MAX bytes. Returns 0, or -1 (both "") when
 * not found. */
int cc_display_dirs(const char *exe_dir, char *inc, char *lib);

/* The user-facing paragraph for a kernel that cannot find it. malloc'd. */
char *cc_display_missing_message(void);

#endif

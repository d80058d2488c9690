/* kernel/magics/magics_test.h — functions of kernel/magics/ that only the
 * unit tests (tests/unit/test_magics.c) call from outside their file. The
 * file that defines each includes this header, so the compiler checks the
 * prototype against the definition; product code does not include it. */
#ifndef CC_MAGICS_TEST_H
#define CC_MAGICS_TEST_H

/* env.c: parse %env's arguments (NAME, NAME=VALUE, NAME VALUE). 0: list
 * all; 1: show *name; 2: set *name to *value; -1: not a valid variable name.
 * *name and *value are malloc'd; the caller frees them. */
int cc_env_parse(const char *args, char **name, char **value);

#endif

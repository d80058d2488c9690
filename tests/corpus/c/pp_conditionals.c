#include <stdio.h>

#define VERSION 3
#define FEATURE_X

#if VERSION >= 3
static const char *level = "new";
#elif VERSION == 2
static const char *level = "middle";
#else
#error "this branch is never taken"
static const char *level = "old";
#endif

#ifdef FEATURE_X
int feature(void) { return 1; }
#else
 this text isn't C at all, and that's fine in a skipped group
int feature(void) { return 0; }
#endif

#ifndef FEATURE_Y
#define FEATURE_Y 7
#endif

#if defined(FEATURE_X) && FEATURE_Y > 5
#  define BOTH 1
#else
#  define BOTH 0
#endif

int main(void)
{
#if BOTH
    printf("both %s %d\n", level, feature());
#else
    printf("not both\n");
#endif
    return 0;
}

#include <stdio.h>
#include <limits.h>

#if INT_MAX < 2147483647
#error "int is too small for this program"
#endif

#if 0
int this_would_not_compile = ;
#endif

#ifdef __STDC_VERSION__
#if __STDC_VERSION__ >= 201112L
#define STD "C11 or later"
#else
#define STD "C99"
#endif
#endif

int main(void)
{
    printf("%s\n", STD);
    return 0;
}

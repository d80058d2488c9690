#include <stdio.h>

#define USE_DOUBLE 1

#if USE_DOUBLE
typedef double real;
#define FMT "%.2f"
#else
typedef float real;
#define FMT "%.1f"
#endif

#if !USE_DOUBLE
real scale = 2;
#elif defined(USE_DOUBLE)
real scale = 3;
#endif

real area(real w, real h) { return w * h * scale; }

int main(void)
{
    printf(FMT "\n", area(1.5, 2));
    return 0;
}

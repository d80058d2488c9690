#include <stdio.h>

#define WIDTH 10

#pragma push_macro("WIDTH")
#undef WIDTH
#define WIDTH 20
static int inner = WIDTH;
#pragma pop_macro("WIDTH")

static int outer = WIDTH;

#define LIMIT 1
#undef LIMIT
#ifdef LIMIT
#error "LIMIT was undefined"
#endif

int main(void)
{
    printf("%d %d %d\n", inner, outer, WIDTH);
    return 0;
}

#include <stdio.h>

static int depth;

int main(void)
{
    int (*self)(void) = &main;
    if (depth++ < 2) {
        printf("depth %d\n", depth);
        return self();
    }
    printf("done\n");
}

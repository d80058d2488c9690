#include <stdio.h>

int check(int x) { return x * 2 == 84; }

int main(void)
{
    printf("checking\n");
    if (!check(42)) return 1;
    return 3;   /* a program's own status */
}

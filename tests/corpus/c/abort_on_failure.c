#include <stdio.h>
#include <stdlib.h>

static int table[4] = {1, 2, 3, 5};

int main(void)
{
    int sum = 0;
    for (int i = 0; i < 4; i++) sum += table[i];
    printf("sum %d\n", sum);
    fflush(stdout);
    if (sum != 10) abort();
    return 0;
}

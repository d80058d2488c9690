#include <stdio.h>
#include <string.h>

#define N 100

static char composite[N + 1];

static void sieve(void)
{
    memset(composite, 0, sizeof composite);
    for (int i = 2; i * i <= N; i++)
        if (!composite[i])
            for (int j = i * i; j <= N; j += i)
                composite[j] = 1;
}

int main(void)
{
    sieve();
    int count = 0;
    for (int i = 2; i <= N; i++)
        if (!composite[i]) { printf("%d ", i); count++; }
    printf("\n%d primes\n", count);
    return 0;
}

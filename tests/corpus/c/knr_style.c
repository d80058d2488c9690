#include <stdio.h>

int add(a, b)
    int a;
    int b;
{
    return a + b;
}

power(base, n)
    int base, n;
{
    int p = 1;
    while (n-- > 0) p *= base;
    return p;
}

int main()
{
    printf("%d %d\n", add(2, 3), power(2, 10));
    return 0;
}

#include <stdio.h>

typedef int (*binop)(int, int);

int add(int a, int b) { return a + b; }
int sub(int a, int b) { return a - b; }
int mul(int a, int b) { return a * b; }

struct op { char sym; binop fn; };

struct op ops[] = { {'+', add}, {'-', sub}, {'*', mul} };

int apply(char sym, int a, int b)
{
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].sym == sym) return ops[i].fn(a, b);
    return 0;
}

int main(void)
{
    printf("%d %d %d\n", apply('+', 6, 7), apply('-', 6, 7), apply('*', 6, 7));
    return 0;
}

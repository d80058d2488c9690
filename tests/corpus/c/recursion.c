#include <stdio.h>

unsigned long long fact(unsigned n) { return n < 2 ? 1 : n * fact(n - 1); }

int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

void hanoi(int n, char from, char to, char via, int *moves)
{
    if (n == 0) return;
    hanoi(n - 1, from, via, to, moves);
    ++*moves;
    hanoi(n - 1, via, to, from, moves);
}

int main()
{
    int moves = 0;
    printf("10! = %llu\n", fact(10));
    printf("fib(20) = %d\n", fib(20));
    hanoi(10, 'A', 'C', 'B', &moves);
    printf("hanoi(10) = %d moves\n", moves);
}

#include <stdio.h>

struct point { int x, y; };

struct point *origin = &(struct point){0, 0};
int *primes = (int[]){2, 3, 5, 7, 11};
const char **names = (const char *[]){"zero", "one", "two"};

int sum(const int *v, int n) { int s = 0; while (n--) s += *v++; return s; }

int main(void)
{
    origin->x += 3;
    printf("%d %d %d %s\n", origin->x, origin->y, sum(primes, 5), names[2]);
    printf("%d\n", sum((int[]){1, 2, 3}, 3));
    return 0;
}

#include <stdio.h>

static int helper(int) __attribute__((noinline));
static int helper(int x) { return x + 1; }

int counter __attribute__((aligned(16))) = 5;
int table[4] __attribute__((used)) = {1, 2, 3, 4};

struct __attribute__((packed)) packed { char c; int i; };

__attribute__((const)) int twice(int x) { return 2 * x; }

int renamed(void) __asm__("my_renamed_symbol");
int renamed(void) { return 42; }

int main(void)
{
    printf("%d %d %zu %d %d\n", helper(counter), table[3], sizeof(struct packed), twice(4), renamed());
    return ((unsigned long)&counter % 16) != 0;
}

#include <stdio.h>

struct msg {
    int len;
    char text[];
};

static struct msg hello = {5, "hello"};

struct flags {
    unsigned ready : 1;
    unsigned mode : 3;
    signed level : 4;
    unsigned : 0;
    unsigned tail : 8;
};

struct flags f = {1, 5, -3, 200};

int main(void)
{
    printf("%d %s\n", hello.len, hello.text);
    printf("%u %u %d %u\n", f.ready, f.mode, f.level, f.tail);
    f.mode = 9;   /* wraps to 1 */
    return f.mode;
}

#include <stdio.h>

static int next_id(void)
{
    static int id = 100;
    return id++;
}

enum color { RED, GREEN = 5, BLUE };

const char *color_name(enum color c)
{
    switch (c) {
    case RED: return "red";
    case GREEN: return "green";
    case BLUE: return "blue";
    }
    return "?";
}

int main(void)
{
    int a = next_id(), b = next_id();
    printf("%d %d %s %d\n", a, b, color_name(BLUE), BLUE);
    return 0;
}

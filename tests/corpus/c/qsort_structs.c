#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[16];
    int age;
} person;

static int by_age(const void *a, const void *b)
{
    const person *x = a, *y = b;
    return (x->age > y->age) - (x->age < y->age);
}

person people[] = {
    {"Ada", 36}, {"Linus", 21}, {"Grace", 85}, {"Dennis", 70},
};

int main(void)
{
    size_t n = sizeof people / sizeof people[0];
    qsort(people, n, sizeof people[0], by_age);
    for (size_t i = 0; i < n; i++) printf("%-8s %d\n", people[i].name, people[i].age);
    return 0;
}

#include <stdarg.h>
#include <stdio.h>

double average(int count, ...)
{
    va_list ap;
    double sum = 0;
    va_start(ap, count);
    for (int i = 0; i < count; i++) sum += va_arg(ap, double);
    va_end(ap);
    return count ? sum / count : 0;
}

int main(void)
{
    printf("%.3f\n", average(4, 1.0, 2.0, 3.5, 4.5));
    return 0;
}

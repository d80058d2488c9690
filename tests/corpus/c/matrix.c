#include <stdio.h>

#define DIM 3

typedef double matrix[DIM][DIM];

void multiply(matrix a, matrix b, matrix out)
{
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) {
            out[i][j] = 0;
            for (int k = 0; k < DIM; k++) out[i][j] += a[i][k] * b[k][j];
        }
}

int main(void)
{
    matrix a = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
    matrix id = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    matrix r;
    multiply(a, id, r);
    for (int i = 0; i < DIM; i++) printf("%g %g %g\n", r[i][0], r[i][1], r[i][2]);
    return r[2][2] == 9 ? 0 : 1;
}

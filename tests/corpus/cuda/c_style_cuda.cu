/* CUDA written as C: typedef'd structs, malloc/free, a static helper and
   function pointers, as in courses that teach "C with kernels". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int n;
    float *data;
} Array;

typedef float (*reducer)(float, float);

static Array array_new(int n)
{
    Array a;
    a.n = n;
    a.data = (float *)malloc(n * sizeof(float));
    return a;
}

static float add(float a, float b) { return a + b; }
static float maxf(float a, float b) { return a > b ? a : b; }

float fold(const Array *a, reducer f, float init)
{
    float acc = init;
    int i;
    for (i = 0; i < a->n; i++) acc = f(acc, a->data[i]);
    return acc;
}

__global__ void cube(float *d, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) d[i] = d[i] * d[i] * d[i];
}

int main(void)
{
    Array a = array_new(10);
    int i;
    float *d;
    for (i = 0; i < a.n; i++) a.data[i] = (float)(i - 4);
    printf("sum %.0f max %.0f\n", fold(&a, add, 0), fold(&a, maxf, -1e30f));
    if (cudaMalloc((void **)&d, a.n * sizeof(float)) != cudaSuccess) {
        printf("no device\n");
        free(a.data);
        return 0;
    }
    cudaMemcpy(d, a.data, a.n * sizeof(float), cudaMemcpyHostToDevice);
    cube<<<1, 32>>>(d, a.n);
    cudaMemcpy(a.data, d, a.n * sizeof(float), cudaMemcpyDeviceToHost);
    printf("sum of cubes %.0f\n", fold(&a, add, 0));
    cudaFree(d);
    free(a.data);
    return 0;
}

// SAXPY with a grid-stride loop and a fixed small grid.
#include <cstdio>
#include <cstdlib>
#include <cmath>

__global__ void saxpy(int n, float a, const float *__restrict__ x, float *__restrict__ y)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        y[i] = a * x[i] + y[i];
}

int main(int argc, char **argv)
{
    int n = 100000;
    float a = 2.5f;
    float *x = (float *)malloc(n * sizeof(float)), *y = (float *)malloc(n * sizeof(float));
    for (int i = 0; i < n; i++) {
        x[i] = 1.0f;
        y[i] = (float)(i % 10);
    }
    float *dx, *dy;
    cudaMalloc(&dx, n * sizeof(float));
    cudaMalloc(&dy, n * sizeof(float));
    cudaMemcpy(dx, x, n * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(dy, y, n * sizeof(float), cudaMemcpyHostToDevice);
    saxpy<<<20, 128>>>(n, a, dx, dy);
    cudaError_t err = cudaMemcpy(y, dy, n * sizeof(float), cudaMemcpyDeviceToHost);
    if (err != cudaSuccess) {
        printf("saxpy skipped: no device\n");
        return 0;
    }
    float maxerr = 0;
    for (int i = 0; i < n; i++) maxerr = fmaxf(maxerr, fabsf(y[i] - (a + (float)(i % 10))));
    printf("max error %g\n", maxerr);
    cudaFree(dx);
    cudaFree(dy);
    free(x);
    free(y);
    return 0;
}

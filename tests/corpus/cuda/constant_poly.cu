// Polynomial evaluation with the coefficients in __constant__ memory,
// copied with cudaMemcpyToSymbol and read back with cudaMemcpyFromSymbol.
#include <cstdio>
#include <cmath>

#define DEG 5

__constant__ float coef[DEG + 1];

__host__ __device__ float horner(const float *c, float x)
{
    float r = c[DEG];
    for (int i = DEG - 1; i >= 0; i--) r = r * x + c[i];
    return r;
}

__global__ void eval(const float *x, float *y, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = horner(coef, x[i]);
}

int main()
{
    float c[DEG + 1] = {1, -2, 0.5f, 0, 0.25f, -0.1f};
    const int n = 11;
    float x[n], y[n];
    for (int i = 0; i < n; i++) {
        x[i] = -1 + 0.2f * i;
        printf("p(%+.1f) = %+.4f\n", x[i], horner(c, x[i]));
    }
    if (cudaMemcpyToSymbol(coef, c, sizeof c) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    float back[DEG + 1];
    cudaMemcpyFromSymbol(back, coef, sizeof back);
    float *dx, *dy;
    cudaMalloc(&dx, sizeof x);
    cudaMalloc(&dy, sizeof y);
    cudaMemcpy(dx, x, sizeof x, cudaMemcpyHostToDevice);
    eval<<<1, 32>>>(dx, dy, n);
    cudaMemcpy(y, dy, sizeof y, cudaMemcpyDeviceToHost);
    int bad = back[4] != 0.25f;
    for (int i = 0; i < n; i++) bad += fabsf(y[i] - horner(c, x[i])) > 1e-5f;
    printf("%s\n", bad ? "mismatch" : "ok");
    return 0;
}

// Timing a kernel with CUDA events; the program prints whether the time was
// measured, never the time itself.
#include <stdio.h>

__global__ void busy(float *out, int iters)
{
    float x = threadIdx.x;
    for (int i = 0; i < iters; i++) x = x * 0.999f + 0.001f;
    out[blockIdx.x * blockDim.x + threadIdx.x] = x;
}

float time_launch(float *d, int iters)
{
    cudaEvent_t a, b;
    if (cudaEventCreate(&a) != cudaSuccess) return -1.0f;
    cudaEventCreate(&b);
    cudaEventRecord(a, 0);
    busy<<<4, 128>>>(d, iters);
    cudaEventRecord(b, 0);
    cudaEventSynchronize(b);
    float ms = -1.0f;
    if (cudaEventElapsedTime(&ms, a, b) != cudaSuccess) ms = -1.0f;
    cudaEventDestroy(a);
    cudaEventDestroy(b);
    return ms;
}

int main(void)
{
    float *d = NULL;
    cudaMalloc(&d, 512 * sizeof(float));
    int measured = 0;
    for (int iters = 10; iters <= 1000; iters *= 10) {
        float ms = time_launch(d, iters);
        printf("iters %4d: %s\n", iters, ms >= 0 ? "timed" : "not timed");
        measured += ms >= 0;
    }
    cudaFree(d);
    return measured == 3 ? 0 : 5;
}

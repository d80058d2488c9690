#include <cuda_runtime.h>
#include <cstdio>
#define CHECK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("%s\n", cudaGetErrorString(e)); } } while (0)
__constant__ float coeff[4];
__device__ int hits;
__global__ void scale(float *p, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) { p[i] *= coeff[i % 4]; atomicAdd(&hits, 1); } }
int run_scale(float *host, int n)
{
    float *d = nullptr;
    CHECK(cudaMalloc(&d, n * sizeof(float)));
    CHECK(cudaMemcpy(d, host, n * sizeof(float), cudaMemcpyHostToDevice));
    scale<<<(n + 127) / 128, 128>>>(d, n);
    CHECK(cudaDeviceSynchronize());
    cudaFree(d);
    return 0;
}

// __launch_bounds__, __forceinline__, __restrict__ and the occupancy API
// choosing a block size.
#include <cstdio>

__device__ __forceinline__ float lerp(float a, float b, float t) { return a + t * (b - a); }

__global__ void __launch_bounds__(256, 2) blend(const float *__restrict__ a, const float *__restrict__ b,
                                                float *__restrict__ out, float t, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = lerp(a[i], b[i], t);
}

int main()
{
    const int n = 2000;
    int min_grid = 0, block = 0;
    cudaError_t e = cudaOccupancyMaxPotentialBlockSize(&min_grid, &block, blend, 0, 256);
    if (e != cudaSuccess) {
        printf("occupancy query failed; using 128\n");
        block = 128;
    } else {
        printf("block size chosen: %s\n", block > 0 && block <= 256 ? "within bounds" : "out of bounds");
    }
    printf("grid for %d items: %s\n", n, (n + block - 1) / block > 0 ? "positive" : "zero");
    float *a, *b, *o;
    if (cudaMalloc(&a, n * sizeof(float)) != cudaSuccess) return 0;
    cudaMalloc(&b, n * sizeof(float));
    cudaMalloc(&o, n * sizeof(float));
    cudaMemset(a, 0, n * sizeof(float));
    cudaMemset(b, 0, n * sizeof(float));
    blend<<<(n + block - 1) / block, block>>>(a, b, o, 0.5f, n);
    printf("%s\n", cudaDeviceSynchronize() == cudaSuccess ? "ok" : "failed");
    return 0;
}

// __device__ global variables: a counter incremented by a kernel and a
// table set from the host with cudaMemcpyToSymbol.
#include <cstdio>

__device__ int counter;
__device__ float table[4];

__global__ void count_and_scale(float *out)
{
    atomicAdd(&counter, 1);
    out[threadIdx.x] = table[threadIdx.x % 4] * 2;
}

int main()
{
    float t[4] = {1, 2, 3, 4};
    int zero = 0;
    printf("table set to 1 2 3 4\n");
    if (cudaMemcpyToSymbol(table, t, sizeof t) != cudaSuccess) {
        printf("cannot reach the device\n");
        return 0;
    }
    cudaMemcpyToSymbol(counter, &zero, sizeof zero);
    float *d, h[8];
    cudaMalloc(&d, sizeof h);
    count_and_scale<<<1, 8>>>(d);
    int c = 0;
    cudaMemcpyFromSymbol(&c, counter, sizeof c);
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    printf("counter %d, h[5] = %.0f\n", c, h[5]);
    return 0;
}

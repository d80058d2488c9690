// A launch helper with default arguments for the block size and stream.
#include <cstdio>

__global__ void fill(int *p, int n, int value)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] = value;
}

cudaError_t launch_fill(int *p, int n, int value = 7, int block = 128, cudaStream_t s = 0)
{
    fill<<<(n + block - 1) / block, block, 0, s>>>(p, n, value);
    return cudaGetLastError();
}

int describe(int n, int block = 128)
{
    int grid = (n + block - 1) / block;
    printf("n=%d block=%d grid=%d\n", n, block, grid);
    return grid;
}

int main()
{
    describe(1000);
    describe(1000, 256);
    int *d;
    if (cudaMalloc(&d, 1000 * sizeof(int)) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    launch_fill(d, 1000);
    launch_fill(d, 500, 3, 64);
    static int h[1000];
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    printf("%s\n", h[0] == 3 && h[499] == 3 && h[500] == 7 && h[999] == 7 ? "ok" : "mismatch");
    return 0;
}

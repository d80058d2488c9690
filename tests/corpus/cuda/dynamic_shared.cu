// Dynamic shared memory (extern __shared__) sized at launch: reverse an
// array within each block.
#include <cstdio>

__global__ void reverse_block(int *d, int n)
{
    extern __shared__ int s[];
    int t = threadIdx.x, base = blockIdx.x * blockDim.x;
    if (base + t < n) s[t] = d[base + t];
    __syncthreads();
    int tr = blockDim.x - 1 - t;
    if (base + t < n) d[base + t] = s[tr];
}

int main()
{
    const int n = 256, block = 64;
    int h[n], ref[n];
    for (int i = 0; i < n; i++) h[i] = i;
    for (int i = 0; i < n; i++) ref[i] = (i / block) * block + (block - 1 - i % block);
    printf("ref starts %d %d %d\n", ref[0], ref[1], ref[64]);
    int *d;
    if (cudaMalloc(&d, sizeof h) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMemcpy(d, h, sizeof h, cudaMemcpyHostToDevice);
    reverse_block<<<n / block, block, block * sizeof(int)>>>(d, n);
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    for (int i = 0; i < n; i++)
        if (h[i] != ref[i]) {
            printf("mismatch\n");
            return 1;
        }
    printf("ok\n");
    return 0;
}

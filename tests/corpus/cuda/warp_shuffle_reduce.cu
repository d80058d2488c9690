// Reduction with warp shuffles: each warp sums with __shfl_down_sync, one
// atomicAdd per warp.
#include <cstdio>

__inline__ __device__ int warp_sum(int v)
{
    for (int off = warpSize / 2; off > 0; off /= 2)
        v += __shfl_down_sync(0xffffffffu, v, off);
    return v;
}

__global__ void reduce(const int *in, int *out, int n)
{
    int sum = 0;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        sum += in[i];
    sum = warp_sum(sum);
    if ((threadIdx.x & (warpSize - 1)) == 0)
        atomicAdd(out, sum);
}

int main()
{
    const int n = 1 << 16;
    static int h[1 << 16];
    long long want = 0;
    for (int i = 0; i < n; i++) {
        h[i] = (i * 13) % 17 - 8;
        want += h[i];
    }
    printf("cpu sum %lld\n", want);
    int *d_in, *d_out, got = 0;
    if (cudaMalloc(&d_in, sizeof h) != cudaSuccess) {
        printf("skipped\n");
        return 0;
    }
    cudaMalloc(&d_out, sizeof(int));
    cudaMemcpy(d_in, h, sizeof h, cudaMemcpyHostToDevice);
    cudaMemset(d_out, 0, sizeof(int));
    reduce<<<64, 256>>>(d_in, d_out, n);
    cudaMemcpy(&got, d_out, sizeof(int), cudaMemcpyDeviceToHost);
    printf("%s\n", got == want ? "ok" : "mismatch");
    cudaFree(d_in);
    cudaFree(d_out);
    return 0;
}

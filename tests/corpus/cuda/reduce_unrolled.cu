// The unrolled shared-memory reduction with the block size as a template
// parameter (the last steps are a warp-synchronous unroll).
#include <cstdio>

template <unsigned BS>
__device__ void warp_reduce(volatile int *s, unsigned t)
{
    if (BS >= 64) s[t] += s[t + 32];
    if (BS >= 32) s[t] += s[t + 16];
    if (BS >= 16) s[t] += s[t + 8];
    if (BS >= 8) s[t] += s[t + 4];
    if (BS >= 4) s[t] += s[t + 2];
    if (BS >= 2) s[t] += s[t + 1];
}

template <unsigned BS>
__global__ void reduce6(const int *in, int *out, unsigned n)
{
    __shared__ int s[BS];
    unsigned t = threadIdx.x, i = blockIdx.x * (BS * 2) + t, grid = BS * 2 * gridDim.x;
    s[t] = 0;
    while (i < n) {
        s[t] += in[i] + (i + BS < n ? in[i + BS] : 0);
        i += grid;
    }
    __syncthreads();
    if (BS >= 512) { if (t < 256) s[t] += s[t + 256]; __syncthreads(); }
    if (BS >= 256) { if (t < 128) s[t] += s[t + 128]; __syncthreads(); }
    if (BS >= 128) { if (t < 64) s[t] += s[t + 64]; __syncthreads(); }
    if (t < 32) warp_reduce<BS>(s, t);
    if (t == 0) out[blockIdx.x] = s[0];
}

int main()
{
    const unsigned n = 100000, blocks = 16;
    static int h[n];
    long long ref = 0;
    for (unsigned i = 0; i < n; i++) ref += h[i] = (int)(i % 13) - 6;
    printf("reference %lld\n", ref);
    int *din, *dout, part[blocks];
    if (cudaMalloc(&din, sizeof h) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMalloc(&dout, sizeof part);
    cudaMemcpy(din, h, sizeof h, cudaMemcpyHostToDevice);
    reduce6<256><<<blocks, 256>>>(din, dout, n);
    cudaMemcpy(part, dout, sizeof part, cudaMemcpyDeviceToHost);
    long long got = 0;
    for (unsigned b = 0; b < blocks; b++) got += part[b];
    printf("%s\n", got == ref ? "ok" : "mismatch");
    return 0;
}

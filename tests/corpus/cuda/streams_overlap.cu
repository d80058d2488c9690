// Two streams, pinned host memory and async copies: the data is processed
// in chunks alternating between the streams.
#include <cstdio>

#define N (1 << 14)
#define CHUNK (N / 8)

__global__ void square_plus(int *a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) a[i] = a[i] * a[i] + 1;
}

static int check(cudaError_t e, const char *what)
{
    if (e != cudaSuccess) {
        fprintf(stderr, "%s failed: %s\n", what, cudaGetErrorName(e));
        printf("%s failed\n", what);
        return 1;
    }
    return 0;
}

int main()
{
    long long expect = 0;
    for (int i = 0; i < N; i++) expect += (long long)(i % 100) * (i % 100) + 1;
    printf("expected checksum %lld\n", expect);
    int *h, *d;
    if (check(cudaMallocHost(&h, N * sizeof(int)), "cudaMallocHost")) return 4;
    if (check(cudaMalloc(&d, N * sizeof(int)), "cudaMalloc")) return 4;
    for (int i = 0; i < N; i++) h[i] = i % 100;
    cudaStream_t st[2];
    for (int i = 0; i < 2; i++) cudaStreamCreate(&st[i]);
    for (int off = 0, k = 0; off < N; off += CHUNK, k ^= 1) {
        cudaMemcpyAsync(d + off, h + off, CHUNK * sizeof(int), cudaMemcpyHostToDevice, st[k]);
        square_plus<<<CHUNK / 256, 256, 0, st[k]>>>(d + off, CHUNK);
        cudaMemcpyAsync(h + off, d + off, CHUNK * sizeof(int), cudaMemcpyDeviceToHost, st[k]);
    }
    if (check(cudaDeviceSynchronize(), "cudaDeviceSynchronize")) return 4;
    long long got = 0;
    for (int i = 0; i < N; i++) got += h[i];
    printf("%s\n", got == expect ? "ok" : "mismatch");
    for (int i = 0; i < 2; i++) cudaStreamDestroy(st[i]);
    cudaFreeHost(h);
    cudaFree(d);
    return 0;
}

// Monte Carlo estimate of pi: each thread draws points with its own linear
// congruential generator; the CPU replays the same streams.
#include <cstdio>

#define THREADS 256
#define PER_THREAD 200

__host__ __device__ unsigned lcg(unsigned &s)
{
    s = s * 1664525u + 1013904223u;
    return s;
}

__host__ __device__ int hits_for(unsigned seed)
{
    int hits = 0;
    for (int i = 0; i < PER_THREAD; i++) {
        float x = (lcg(seed) >> 8) / 16777216.0f, y = (lcg(seed) >> 8) / 16777216.0f;
        hits += x * x + y * y <= 1.0f;
    }
    return hits;
}

__global__ void mc(int *total)
{
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    atomicAdd(total, hits_for(12345u + 7919u * t));
}

int main()
{
    int ref = 0;
    for (int t = 0; t < THREADS; t++) ref += hits_for(12345u + 7919u * t);
    printf("pi ~ %.4f from %d points\n", 4.0 * ref / (THREADS * PER_THREAD), THREADS * PER_THREAD);
    int *d, got = 0;
    if (cudaMalloc(&d, sizeof(int)) != cudaSuccess) {
        printf("host estimate only\n");
        return 0;
    }
    cudaMemset(d, 0, sizeof(int));
    mc<<<THREADS / 64, 64>>>(d);
    cudaMemcpy(&got, d, sizeof got, cudaMemcpyDeviceToHost);
    printf("%s\n", got == ref ? "ok" : "mismatch");
    return 0;
}

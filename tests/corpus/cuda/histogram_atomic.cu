// Histogram of bytes with atomics: a per-block histogram in shared memory,
// merged into the global one (CUDA by Example, chapter 9 style).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#define SIZE (64 * 1024)
#define BINS 256

static unsigned int lcg_state = 12345u;

unsigned char next_byte()
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return (unsigned char)(lcg_state >> 16);
}

__global__ void histo(const unsigned char *buf, long size, unsigned int *hist)
{
    __shared__ unsigned int temp[BINS];
    temp[threadIdx.x] = 0;
    __syncthreads();
    int i = threadIdx.x + blockIdx.x * blockDim.x;
    int stride = blockDim.x * gridDim.x;
    while (i < size) {
        atomicAdd(&temp[buf[i]], 1);
        i += stride;
    }
    __syncthreads();
    atomicAdd(&hist[threadIdx.x], temp[threadIdx.x]);
}

int main()
{
    unsigned char *buf = (unsigned char *)malloc(SIZE);
    for (int i = 0; i < SIZE; i++) buf[i] = next_byte();
    unsigned int cpu[BINS];
    memset(cpu, 0, sizeof cpu);
    for (int i = 0; i < SIZE; i++) cpu[buf[i]]++;
    unsigned int maxbin = 0;
    for (int b = 1; b < BINS; b++)
        if (cpu[b] > cpu[maxbin]) maxbin = b;
    printf("fullest bin %u holds %u\n", maxbin, cpu[maxbin]);

    unsigned char *dbuf;
    unsigned int *dhist;
    if (cudaMalloc(&dbuf, SIZE) != cudaSuccess || cudaMalloc(&dhist, BINS * sizeof(unsigned int)) != cudaSuccess) {
        printf("device unavailable\n");
        free(buf);
        return 0;
    }
    cudaMemcpy(dbuf, buf, SIZE, cudaMemcpyHostToDevice);
    cudaMemset(dhist, 0, BINS * sizeof(unsigned int));
    histo<<<32, BINS>>>(dbuf, SIZE, dhist);
    unsigned int gpu[BINS];
    cudaMemcpy(gpu, dhist, sizeof gpu, cudaMemcpyDeviceToHost);
    printf("%s\n", memcmp(gpu, cpu, sizeof cpu) == 0 ? "ok" : "mismatch");
    cudaFree(dbuf);
    cudaFree(dhist);
    free(buf);
    return 0;
}

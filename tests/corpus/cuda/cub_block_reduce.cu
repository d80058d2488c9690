// cub::BlockReduce: each block of 128 threads sums its items; thread 0
// writes the block's total.
#include <cub/block/block_reduce.cuh>
#include <cstdio>

constexpr int THREADS = 128;

__global__ void block_sums(const int *in, int *out)
{
    using BlockReduce = cub::BlockReduce<int, THREADS>;
    __shared__ typename BlockReduce::TempStorage temp;
    int v = in[blockIdx.x * THREADS + threadIdx.x];
    int total = BlockReduce(temp).Sum(v);
    if (threadIdx.x == 0) out[blockIdx.x] = total;
}

int main()
{
    const int blocks = 4;
    int h[blocks * THREADS], ref[blocks] = {0}, got[blocks];
    for (int i = 0; i < blocks * THREADS; i++) {
        h[i] = i % 11;
        ref[i / THREADS] += h[i];
    }
    for (int b = 0; b < blocks; b++) printf("block %d: %d\n", b, ref[b]);
    int *din, *dout;
    if (cudaMalloc(&din, sizeof h) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMalloc(&dout, sizeof got);
    cudaMemcpy(din, h, sizeof h, cudaMemcpyHostToDevice);
    block_sums<<<blocks, THREADS>>>(din, dout);
    cudaMemcpy(got, dout, sizeof got, cudaMemcpyDeviceToHost);
    bool same = true;
    for (int b = 0; b < blocks; b++) same = same && got[b] == ref[b];
    printf("%s\n", same ? "ok" : "mismatch");
    return 0;
}

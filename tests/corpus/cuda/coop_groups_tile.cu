// Cooperative groups: a block-wide reduction through tiled_partition<32>
// and the tile's shfl_down, then one atomicAdd per tile.
#include <cooperative_groups.h>
#include <cstdio>

namespace cg = cooperative_groups;

__device__ int tile_sum(cg::thread_block_tile<32> t, int v)
{
    for (int i = t.size() / 2; i > 0; i /= 2)
        v += t.shfl_down(v, i);
    return v;
}

__global__ void sum_kernel(const int *in, int n, int *out)
{
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> tile = cg::tiled_partition<32>(block);
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int v = i < n ? in[i] : 0;
    v = tile_sum(tile, v);
    if (tile.thread_rank() == 0) atomicAdd(out, v);
    block.sync();
}

int main()
{
    const int n = 1000;
    int h[n], ref = 0;
    for (int i = 0; i < n; i++) ref += (h[i] = (i & 15) - 7);
    printf("reference %d\n", ref);
    int *din, *dout, got = 0;
    if (cudaMalloc(&din, sizeof h) != cudaSuccess) {
        printf("device missing\n");
        return 0;
    }
    cudaMalloc(&dout, sizeof(int));
    cudaMemcpy(din, h, sizeof h, cudaMemcpyHostToDevice);
    cudaMemset(dout, 0, sizeof(int));
    sum_kernel<<<(n + 255) / 256, 256>>>(din, n, dout);
    cudaMemcpy(&got, dout, sizeof(int), cudaMemcpyDeviceToHost);
    printf("%s\n", got == ref ? "ok" : "mismatch");
    return 0;
}

// Cooperative groups for indexing: thread_rank, group sizes and a
// coalesced_threads() group inside a branch.
#include <cooperative_groups.h>
#include <cstdio>

using namespace cooperative_groups;

__global__ void count_positive(const float *v, int n, unsigned *count)
{
    grid_group g = this_grid();
    for (unsigned long long i = g.thread_rank(); i < (unsigned long long)n; i += g.size()) {
        if (v[i] > 0) {
            coalesced_group active = coalesced_threads();
            if (active.thread_rank() == 0) atomicAdd(count, active.size());
        }
    }
}

int main()
{
    const int n = 5000;
    static float h[n];
    unsigned ref = 0;
    for (int i = 0; i < n; i++) {
        h[i] = ((i * 31) % 7) - 3.0f;
        ref += h[i] > 0;
    }
    printf("%u positive of %d\n", ref, n);
    float *d;
    unsigned *dc, got = 0;
    if (cudaMalloc(&d, sizeof h) != cudaSuccess || cudaMalloc(&dc, sizeof(unsigned)) != cudaSuccess) {
        printf("device missing\n");
        return 0;
    }
    cudaMemcpy(d, h, sizeof h, cudaMemcpyHostToDevice);
    cudaMemset(dc, 0, sizeof(unsigned));
    count_positive<<<8, 128>>>(d, n, dc);
    cudaMemcpy(&got, dc, sizeof got, cudaMemcpyDeviceToHost);
    printf("%s\n", got == ref ? "ok" : "mismatch");
    return 0;
}

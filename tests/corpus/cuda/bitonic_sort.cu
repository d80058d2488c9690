// Bitonic sort of a power-of-two array: one kernel launch per step, the
// host loops over the stages.
#include <cstdio>
#include <cstdlib>
#include <algorithm>

__global__ void bitonic_step(int *v, int j, int k)
{
    unsigned i = threadIdx.x + blockDim.x * blockIdx.x;
    unsigned ixj = i ^ j;
    if (ixj > i) {
        bool up = (i & k) == 0;
        if ((up && v[i] > v[ixj]) || (!up && v[i] < v[ixj])) {
            int t = v[i];
            v[i] = v[ixj];
            v[ixj] = t;
        }
    }
}

int main()
{
    const int n = 1024;
    int h[n], ref[n];
    unsigned s = 7;
    for (int i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        h[i] = ref[i] = (int)(s >> 20);
    }
    std::sort(ref, ref + n);
    printf("min %d max %d median %d\n", ref[0], ref[n - 1], ref[n / 2]);
    int *d;
    if (cudaMalloc(&d, sizeof h) != cudaSuccess) {
        printf("sorted on the host only\n");
        return 0;
    }
    cudaMemcpy(d, h, sizeof h, cudaMemcpyHostToDevice);
    for (int k = 2; k <= n; k <<= 1)
        for (int j = k >> 1; j > 0; j >>= 1)
            bitonic_step<<<n / 256, 256>>>(d, j, k);
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    printf("%s\n", std::equal(h, h + n, ref) ? "ok" : "mismatch");
    return 0;
}

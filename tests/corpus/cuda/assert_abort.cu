// A host assert that fails after the GPU part: the program aborts
// (SIGABRT) with its output flushed first.
#include <cassert>
#include <cstdio>

__global__ void fill(int *p) { p[threadIdx.x] = 1; }

int count_ones(const int *h, int n)
{
    int c = 0;
    for (int i = 0; i < n; i++) c += h[i] == 1;
    return c;
}

int main()
{
    int h[32] = {0}, *d;
    if (cudaMalloc(&d, sizeof h) == cudaSuccess) {
        fill<<<1, 32>>>(d);
        cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    }
    int ones = count_ones(h, 32);
    printf("ones: %s\n", ones == 32 ? "all" : "none");
    printf("now asserting something false\n");
    fflush(stdout);
    assert(ones == 33 && "there are only 32 slots");
    printf("not reached\n");
    return 0;
}

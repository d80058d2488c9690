// cudaMallocManaged: one pointer used by the host and a kernel.
#include <cstdio>

__global__ void increment(int *a, int n, int by)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) a[i] += by;
}

int main()
{
    const int n = 1024;
    int *a = nullptr;
    if (cudaMallocManaged(&a, n * sizeof(int)) != cudaSuccess) {
        printf("managed memory unavailable\n");
        return 3;
    }
    for (int i = 0; i < n; i++) a[i] = i;
    increment<<<n / 256, 256>>>(a, n, 10);
    cudaDeviceSynchronize();
    long s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    printf("sum %ld (%s)\n", s, s == (long)n * (n - 1) / 2 + 10L * n ? "ok" : "mismatch");
    cudaFree(a);
    return 0;
}

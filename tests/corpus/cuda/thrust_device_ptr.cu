// Raw cudaMalloc memory filled by a kernel, then wrapped in a
// thrust::device_ptr and reduced with thrust::reduce and thrust::maximum.
#include <thrust/device_ptr.h>
#include <thrust/reduce.h>
#include <thrust/functional.h>
#include <cstdio>

__global__ void triangle(int *p, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] = i * (i + 1) / 2;
}

int main()
{
    const int n = 300;
    long expect = 0;
    for (int i = 0; i < n; i++) expect += i * (i + 1) / 2;
    printf("expected sum %ld, max %d\n", expect, (n - 1) * n / 2);
    int *raw;
    if (cudaMalloc(&raw, n * sizeof(int)) != cudaSuccess) {
        printf("no device memory\n");
        return 0;
    }
    triangle<<<(n + 63) / 64, 64>>>(raw, n);
    thrust::device_ptr<int> p = thrust::device_pointer_cast(raw);
    long sum = thrust::reduce(p, p + n, 0L);
    int mx = thrust::reduce(p, p + n, 0, thrust::maximum<int>());
    printf("%s\n", sum == expect && mx == (n - 1) * n / 2 ? "ok" : "mismatch");
    cudaFree(raw);
    return 0;
}

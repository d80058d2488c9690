// Kernels and helpers grouped in namespaces, one of them reopened.
#include <cstdio>

namespace math {
__host__ __device__ inline float sq(float x) { return x * x; }
__host__ __device__ inline float cube(float x) { return x * sq(x); }
}

namespace kernels {
__global__ void squares(float *v, int n)
{
    int i = threadIdx.x;
    if (i < n) v[i] = math::sq(v[i]);
}
}

namespace math {
float sum_of_cubes(int n)
{
    float s = 0;
    for (int i = 1; i <= n; i++) s += cube((float)i);
    return s;
}
}

namespace k = kernels;

int main()
{
    printf("sum of cubes 1..10 = %.0f\n", math::sum_of_cubes(10));
    float h[8] = {1, 2, 3, 4, 5, 6, 7, 8}, *d;
    if (cudaMalloc(&d, sizeof h) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMemcpy(d, h, sizeof h, cudaMemcpyHostToDevice);
    k::squares<<<1, 8>>>(d, 8);
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    cudaFree(d);
    printf("%s\n", h[7] == 64 ? "ok" : "mismatch");
    return 0;
}

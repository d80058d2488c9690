// Variadic templates and C++17 fold expressions on the host, and a kernel
// template with a non-type parameter for the unroll factor.
#include <cstdio>

template <typename... Ts>
auto sum(Ts... xs) { return (xs + ... + 0); }

template <typename... Ts>
void print_all(const Ts &...xs)
{
    ((printf("[%g]", (double)xs)), ...);
    printf("\n");
}

template <int UNROLL>
__global__ void add_n(float *v, int n)
{
    int base = (blockIdx.x * blockDim.x + threadIdx.x) * UNROLL;
#pragma unroll
    for (int k = 0; k < UNROLL; k++)
        if (base + k < n) v[base + k] += UNROLL;
}

template <int UNROLL>
bool try_unroll(float *d, int n)
{
    add_n<UNROLL><<<(n / UNROLL + 63) / 64, 64>>>(d, n);
    return cudaGetLastError() == cudaSuccess;
}

int main()
{
    printf("sum = %d, %g\n", sum(1, 2, 3, 4), sum(0.5, 0.25, 2));
    print_all(1, 2.5f, 'A', 7L);
    float *d;
    const int n = 1000;
    if (cudaMalloc(&d, n * sizeof(float)) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMemset(d, 0, n * sizeof(float));
    bool ok = try_unroll<1>(d, n) && try_unroll<2>(d, n) && try_unroll<4>(d, n);
    float h[n];
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    printf("%s\n", ok && h[0] == 7 && h[n - 1] == 7 ? "ok" : "mismatch");
    return 0;
}

// constexpr and inline globals, static_assert, and a constexpr table sized
// at compile time used as a kernel's launch shape.
#include <cstdio>
#include <array>

constexpr int kBlock = 128;
constexpr int kBlocks = 3;
constexpr int kTotal = kBlock * kBlocks;
inline int launches = 0;

static_assert(kTotal % 32 == 0, "whole warps");

constexpr std::array<int, 5> kPrimes{2, 3, 5, 7, 11};

constexpr int sum_primes()
{
    int s = 0;
    for (int p : kPrimes) s += p;
    return s;
}

__global__ void mark(int *v)
{
    v[blockIdx.x * kBlock + threadIdx.x] = blockIdx.x;
}

int main()
{
    printf("total %d, sum of primes %d\n", kTotal, sum_primes());
    int *d;
    if (cudaMalloc(&d, kTotal * sizeof(int)) != cudaSuccess) {
        printf("launches %d\n", launches);
        return 0;
    }
    mark<<<kBlocks, kBlock>>>(d);
    ++launches;
    int h[kTotal];
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    printf("launches %d, last block %d\n", launches, h[kTotal - 1]);
    return 0;
}

// Recursive __device__ functions (needs a stack on the device): Fibonacci
// and the greatest common divisor.
#include <cstdio>

__host__ __device__ int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__host__ __device__ int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

__global__ void compute(int *out)
{
    int t = threadIdx.x;
    out[t] = fib(t) + 1000 * gcd(t * 6, 48);
}

int main()
{
    int ref[16], got[16];
    for (int t = 0; t < 16; t++) ref[t] = fib(t) + 1000 * gcd(t * 6, 48);
    printf("fib(15)=%d gcd(90,48)=%d\n", fib(15), gcd(90, 48));
    int *d;
    if (cudaMalloc(&d, sizeof got) != cudaSuccess) {
        printf("host only\n");
        return 0;
    }
    compute<<<1, 16>>>(d);
    cudaMemcpy(got, d, sizeof got, cudaMemcpyDeviceToHost);
    int same = 1;
    for (int t = 0; t < 16; t++) same &= got[t] == ref[t];
    printf("%s\n", same ? "ok" : "mismatch");
    return 0;
}

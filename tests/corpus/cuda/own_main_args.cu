// A program that reads its arguments: with none it uses defaults, and
// reports what it would launch.
#include <cstdio>
#include <cstdlib>

__global__ void k(int *out, int n) { if (threadIdx.x == 0) *out = n; }

int parse(int argc, char **argv, int which, int dflt)
{
    return argc > which ? atoi(argv[which]) : dflt;
}

int main(int argc, char **argv)
{
    int n = parse(argc, argv, 1, 1000);
    int block = parse(argc, argv, 2, 128);
    printf("argc=%d n=%d block=%d grid=%d\n", argc, n, block, (n + block - 1) / block);
    int *d, got = 0;
    if (cudaMalloc(&d, sizeof(int)) != cudaSuccess) {
        printf("would launch, but there is no device\n");
        return 0;
    }
    k<<<(n + block - 1) / block, block>>>(d, n);
    cudaMemcpy(&got, d, sizeof got, cudaMemcpyDeviceToHost);
    printf("kernel saw n=%d\n", got);
    return 0;
}

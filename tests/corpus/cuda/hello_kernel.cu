// Hello from the GPU: one thread prints, the host reports what it launched.
#include <cstdio>

__global__ void hello(int tag)
{
    if (threadIdx.x == 0 && blockIdx.x == 0)
        printf("hello from the device, tag %d\n", tag);
}

int main(void)
{
    printf("launching 2 blocks of 32 threads\n");
    fflush(stdout);
    hello<<<2, 32>>>(7);
    cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess) {
        printf("no device output: the launch failed\n");
        return 2;
    }
    printf("done\n");
    return 0;
}

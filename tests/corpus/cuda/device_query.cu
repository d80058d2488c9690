// Device query: how many devices, and the properties of each; without a
// device, a fixed message and exit status 1.
#include <cstdio>

int main()
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        printf("There is no device supporting CUDA\n");
        return 1;
    }
    printf("Found %s device(s)\n", n > 0 ? "one or more" : "no");
    for (int i = 0; i < n; i++) {
        cudaDeviceProp p;
        cudaGetDeviceProperties(&p, i);
        printf("device %d: compute capability at least 5.0: %s\n", i, p.major >= 5 ? "yes" : "no");
        printf("  warp size %d\n", p.warpSize);
        printf("  has global memory: %s\n", p.totalGlobalMem > 0 ? "yes" : "no");
    }
    return 0;
}

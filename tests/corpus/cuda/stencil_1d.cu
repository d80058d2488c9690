// 1D stencil with a halo in shared memory (the classic RADIUS 3 example).
#include <cstdio>

#define RADIUS 3
#define BLOCK 64
#define NELEM (BLOCK * 8)

__global__ void stencil(const int *in, int *out)
{
    __shared__ int temp[BLOCK + 2 * RADIUS];
    int g = threadIdx.x + blockIdx.x * blockDim.x + RADIUS;
    int l = threadIdx.x + RADIUS;
    temp[l] = in[g];
    if (threadIdx.x < RADIUS) {
        temp[l - RADIUS] = in[g - RADIUS];
        temp[l + BLOCK] = in[g + BLOCK];
    }
    __syncthreads();
    int r = 0;
    for (int o = -RADIUS; o <= RADIUS; o++) r += temp[l + o];
    out[g - RADIUS] = r;
}

int main()
{
    static int in[NELEM + 2 * RADIUS], out[NELEM], ref[NELEM];
    for (int i = 0; i < NELEM + 2 * RADIUS; i++) in[i] = i % 4;
    for (int i = 0; i < NELEM; i++) {
        ref[i] = 0;
        for (int o = -RADIUS; o <= RADIUS; o++) ref[i] += in[i + RADIUS + o];
    }
    printf("ref[0..3] = %d %d %d %d\n", ref[0], ref[1], ref[2], ref[3]);
    int *di, *dout;
    if (cudaMalloc(&di, sizeof in) != cudaSuccess) return 42;
    cudaMalloc(&dout, sizeof out);
    cudaMemcpy(di, in, sizeof in, cudaMemcpyHostToDevice);
    stencil<<<NELEM / BLOCK, BLOCK>>>(di, dout);
    cudaMemcpy(out, dout, sizeof out, cudaMemcpyDeviceToHost);
    for (int i = 0; i < NELEM; i++)
        if (out[i] != ref[i]) {
            printf("mismatch\n");
            return 1;
        }
    printf("ok\n");
    return 0;
}

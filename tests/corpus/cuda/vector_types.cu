// CUDA's built-in vector types: float4 with make_float4, int2, uchar4 as a
// pixel, and a kernel converting RGBA to gray.
#include <cstdio>

__host__ __device__ unsigned char gray(uchar4 p)
{
    return (unsigned char)((299 * p.x + 587 * p.y + 114 * p.z) / 1000);
}

__global__ void to_gray(const uchar4 *in, unsigned char *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = gray(in[i]);
}

int main()
{
    float4 f = make_float4(1.0f, 2.0f, 3.0f, 4.0f);
    int2 ij = make_int2(3, -4);
    printf("float4 sum %.1f, int2 (%d,%d), sizeof(float4)=%zu\n", f.x + f.y + f.z + f.w, ij.x, ij.y, sizeof(float4));
    const int n = 16;
    uchar4 px[n];
    unsigned char ref[n], got[n];
    for (int i = 0; i < n; i++) {
        px[i] = make_uchar4(i * 16, 255 - i * 16, i * 8, 255);
        ref[i] = gray(px[i]);
        printf("%d ", ref[i]);
    }
    printf("\n");
    uchar4 *dp;
    unsigned char *dg;
    if (cudaMalloc(&dp, sizeof px) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMalloc(&dg, sizeof got);
    cudaMemcpy(dp, px, sizeof px, cudaMemcpyHostToDevice);
    to_gray<<<1, n>>>(dp, dg, n);
    cudaMemcpy(got, dg, sizeof got, cudaMemcpyDeviceToHost);
    int same = 1;
    for (int i = 0; i < n; i++) same &= got[i] == ref[i];
    printf("%s\n", same ? "ok" : "mismatch");
    return 0;
}

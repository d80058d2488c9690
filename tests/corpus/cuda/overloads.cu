// Overloaded host/device functions: area() for a circle and a rectangle,
// clampv() for int and float.
#include <cstdio>

__host__ __device__ float area(float r) { return 3.14159f * r * r; }
__host__ __device__ float area(float w, float h) { return w * h; }

__host__ __device__ int clampv(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }
__host__ __device__ float clampv(float x, float lo, float hi) { return x < lo ? lo : x > hi ? hi : x; }

__global__ void areas(float *out)
{
    out[0] = area(1.0f);
    out[1] = area(2.0f, 3.0f);
    out[2] = (float)clampv(17, 0, 10);
    out[3] = clampv(-0.5f, 0.0f, 1.0f);
}

int main()
{
    float ref[4] = {area(1.0f), area(2.0f, 3.0f), (float)clampv(17, 0, 10), clampv(-0.5f, 0.0f, 1.0f)};
    printf("%.4f %.1f %.0f %.1f\n", ref[0], ref[1], ref[2], ref[3]);
    float *d, got[4];
    if (cudaMalloc(&d, sizeof got) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    areas<<<1, 1>>>(d);
    cudaMemcpy(got, d, sizeof got, cudaMemcpyDeviceToHost);
    bool same = true;
    for (int i = 0; i < 4; i++) same &= got[i] == ref[i];
    printf("%s\n", same ? "ok" : "mismatch");
    return 0;
}

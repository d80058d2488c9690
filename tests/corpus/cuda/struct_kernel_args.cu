// Structs passed to kernels by value: an array-of-structs and a
// struct-of-arrays layout of the same particles, both updated.
#include <cstdio>

struct AoS { float x, y, m; };

struct SoA {
    float *x, *y, *m;
    int n;
};

struct Params {
    float gx, gy, dt;
};

__global__ void update_aos(AoS *p, int n, Params prm)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        p[i].x += prm.gx * p[i].m * prm.dt;
        p[i].y += prm.gy * p[i].m * prm.dt;
    }
}

__global__ void update_soa(SoA s, Params prm)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < s.n) {
        s.x[i] += prm.gx * s.m[i] * prm.dt;
        s.y[i] += prm.gy * s.m[i] * prm.dt;
    }
}

int main()
{
    const int n = 50;
    Params prm = {0.0f, -9.8f, 0.5f};
    AoS h[n];
    float hx[n], hy[n], hm[n];
    for (int i = 0; i < n; i++) {
        h[i].x = hx[i] = (float)i;
        h[i].y = hy[i] = 10.0f;
        h[i].m = hm[i] = 1.0f + i % 3;
    }
    printf("sizeof(AoS)=%zu sizeof(Params)=%zu\n", sizeof(AoS), sizeof(Params));
    AoS *da;
    SoA s;
    s.n = n;
    if (cudaMalloc(&da, sizeof h) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMalloc(&s.x, sizeof hx);
    cudaMalloc(&s.y, sizeof hy);
    cudaMalloc(&s.m, sizeof hm);
    cudaMemcpy(da, h, sizeof h, cudaMemcpyHostToDevice);
    cudaMemcpy(s.x, hx, sizeof hx, cudaMemcpyHostToDevice);
    cudaMemcpy(s.y, hy, sizeof hy, cudaMemcpyHostToDevice);
    cudaMemcpy(s.m, hm, sizeof hm, cudaMemcpyHostToDevice);
    update_aos<<<1, 64>>>(da, n, prm);
    update_soa<<<1, 64>>>(s, prm);
    cudaMemcpy(h, da, sizeof h, cudaMemcpyDeviceToHost);
    cudaMemcpy(hy, s.y, sizeof hy, cudaMemcpyDeviceToHost);
    int same = 1;
    for (int i = 0; i < n; i++) same &= h[i].y == hy[i];
    printf("%s, y[2]=%.2f\n", same ? "layouts agree" : "layouts differ", hy[2]);
    return 0;
}

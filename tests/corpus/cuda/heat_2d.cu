// 2D heat diffusion (Jacobi steps) with two device buffers swapped each
// step; the CPU runs the same steps.
#include <cstdio>
#include <cmath>
#include <utility>

#define NX 32
#define NY 24
#define STEPS 50

__host__ __device__ inline int at(int x, int y) { return y * NX + x; }

__global__ void step(const float *in, float *out)
{
    int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x <= 0 || y <= 0 || x >= NX - 1 || y >= NY - 1) return;
    out[at(x, y)] = 0.25f * (in[at(x - 1, y)] + in[at(x + 1, y)] + in[at(x, y - 1)] + in[at(x, y + 1)]);
}

void init(float *g)
{
    for (int y = 0; y < NY; y++)
        for (int x = 0; x < NX; x++) g[at(x, y)] = (y == 0) ? 100.0f : 0.0f;
}

int main()
{
    static float a[NX * NY], b[NX * NY], got[NX * NY];
    init(a);
    init(b);
    float *p = a, *q = b;
    for (int s = 0; s < STEPS; s++) {
        for (int y = 1; y < NY - 1; y++)
            for (int x = 1; x < NX - 1; x++)
                q[at(x, y)] = 0.25f * (p[at(x - 1, y)] + p[at(x + 1, y)] + p[at(x, y - 1)] + p[at(x, y + 1)]);
        std::swap(p, q);
    }
    printf("T(16,1)=%.3f T(16,5)=%.3f\n", p[at(16, 1)], p[at(16, 5)]);
    float *d1, *d2;
    if (cudaMalloc(&d1, sizeof a) != cudaSuccess || cudaMalloc(&d2, sizeof a) != cudaSuccess) {
        printf("device run skipped\n");
        return 0;
    }
    init(a);
    cudaMemcpy(d1, a, sizeof a, cudaMemcpyHostToDevice);
    cudaMemcpy(d2, a, sizeof a, cudaMemcpyHostToDevice);
    dim3 block(16, 8), grid((NX + 15) / 16, (NY + 7) / 8);
    for (int s = 0; s < STEPS; s++) {
        step<<<grid, block>>>(d1, d2);
        std::swap(d1, d2);
    }
    cudaMemcpy(got, d1, sizeof got, cudaMemcpyDeviceToHost);
    float err = 0;
    for (int i = 0; i < NX * NY; i++) err = fmaxf(err, fabsf(got[i] - p[i]));
    printf("%s\n", err < 1e-3f ? "ok" : "mismatch");
    return 0;
}

// A tiny ray tracer with the spheres in __constant__ memory and the launch
// timed with events (CUDA by Example, chapter 6 style). Times are not printed.
#include <cstdio>
#include <cmath>

#define INF 2e10f
#define SPHERES 8
#define W 32
#define H 16

struct Sphere {
    float r, g, b;
    float radius;
    float x, y, z;
    __host__ __device__ float hit(float ox, float oy, float *n) const
    {
        float dx = ox - x, dy = oy - y;
        if (dx * dx + dy * dy < radius * radius) {
            float dz = sqrtf(radius * radius - dx * dx - dy * dy);
            *n = dz / radius;
            return dz + z;
        }
        return -INF;
    }
};

__constant__ Sphere s[SPHERES];

Sphere host_spheres[SPHERES];

void make_spheres()
{
    for (int i = 0; i < SPHERES; i++) {
        Sphere &sp = host_spheres[i];
        sp.r = (i % 3) / 2.0f;
        sp.g = ((i + 1) % 3) / 2.0f;
        sp.b = ((i + 2) % 3) / 2.0f;
        sp.x = (i * 7 % W) - W / 2.0f;
        sp.y = (i * 5 % H) - H / 2.0f;
        sp.z = i * 3.0f;
        sp.radius = 3.0f + i % 4;
    }
}

__host__ __device__ unsigned char shade(const Sphere *sp, int px, int py)
{
    float ox = px - W / 2.0f, oy = py - H / 2.0f, maxz = -INF, bright = 0;
    for (int i = 0; i < SPHERES; i++) {
        float n, t = sp[i].hit(ox, oy, &n);
        if (t > maxz) {
            maxz = t;
            bright = (sp[i].r + sp[i].g + sp[i].b) * n / 1.5f;
        }
    }
    return (unsigned char)(bright * 9.0f);
}

__global__ void render(unsigned char *img)
{
    int x = threadIdx.x + blockIdx.x * blockDim.x, y = threadIdx.y + blockIdx.y * blockDim.y;
    if (x < W && y < H)
        img[y * W + x] = shade(s, x, y);
}

int main()
{
    make_spheres();
    unsigned char ref[W * H], img[W * H];
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            ref[y * W + x] = shade(host_spheres, x, y);
            putchar(" .:-=+*#%@"[ref[y * W + x] > 9 ? 9 : ref[y * W + x]]);
        }
        putchar('\n');
    }
    if (cudaMemcpyToSymbol(s, host_spheres, sizeof host_spheres) != cudaSuccess) {
        printf("constant memory unavailable\n");
        return 1;
    }
    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    unsigned char *d;
    cudaMalloc(&d, W * H);
    cudaEventRecord(start);
    render<<<dim3(W / 16, H / 16), dim3(16, 16)>>>(d);
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = -1;
    cudaEventElapsedTime(&ms, start, stop);
    cudaMemcpy(img, d, W * H, cudaMemcpyDeviceToHost);
    int diff = 0;
    for (int i = 0; i < W * H; i++) diff += abs(img[i] - ref[i]) > 1;
    printf("%s, timed: %s\n", diff ? "mismatch" : "ok", ms >= 0 ? "yes" : "no");
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    cudaFree(d);
    return 0;
}

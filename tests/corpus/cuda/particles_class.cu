// A Particle class with __host__ __device__ member functions, an array of
// them advanced by a kernel and by the CPU.
#include <cstdio>
#include <cmath>

class Particle {
public:
    __host__ __device__ Particle() : x(0), v(0) {}
    __host__ __device__ Particle(float x0, float v0) : x(x0), v(v0) {}
    __host__ __device__ void step(float dt)
    {
        v += -x * dt;       // a spring pulling to 0
        x += v * dt;
    }
    __host__ __device__ float energy() const { return 0.5f * (x * x + v * v); }
    float x, v;
};

__global__ void advance(Particle *p, int n, int steps, float dt)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        for (int s = 0; s < steps; s++) p[i].step(dt);
}

int main()
{
    const int n = 64, steps = 100;
    const float dt = 0.01f;
    Particle host[n], dev[n];
    for (int i = 0; i < n; i++) host[i] = dev[i] = Particle(i * 0.1f, 0);
    float e0 = 0, e1 = 0;
    for (int i = 0; i < n; i++) {
        e0 += host[i].energy();
        for (int s = 0; s < steps; s++) host[i].step(dt);
        e1 += host[i].energy();
    }
    printf("energy %.3f -> %.3f\n", e0, e1);
    Particle *d;
    if (cudaMalloc(&d, sizeof dev) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMemcpy(d, dev, sizeof dev, cudaMemcpyHostToDevice);
    advance<<<2, 32>>>(d, n, steps, dt);
    cudaMemcpy(dev, d, sizeof dev, cudaMemcpyDeviceToHost);
    float err = 0;
    for (int i = 0; i < n; i++) err = fmaxf(err, fabsf(dev[i].x - host[i].x));
    printf("%s\n", err < 1e-4f ? "ok" : "mismatch");
    return 0;
}

// A 3-vector with __host__ __device__ operator overloads, used in an n-body
// style acceleration on both sides.
#include <cstdio>
#include <cmath>

struct Vec3 {
    float x, y, z;
    __host__ __device__ Vec3() : x(0), y(0), z(0) {}
    __host__ __device__ Vec3(float a, float b, float c) : x(a), y(b), z(c) {}
    __host__ __device__ Vec3 &operator+=(const Vec3 &o) { x += o.x; y += o.y; z += o.z; return *this; }
};

__host__ __device__ inline Vec3 operator+(Vec3 a, const Vec3 &b) { return a += b; }
__host__ __device__ inline Vec3 operator-(const Vec3 &a, const Vec3 &b) { return Vec3(a.x - b.x, a.y - b.y, a.z - b.z); }
__host__ __device__ inline Vec3 operator*(float s, const Vec3 &a) { return Vec3(s * a.x, s * a.y, s * a.z); }
__host__ __device__ inline float dot(const Vec3 &a, const Vec3 &b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

#define NB 16

__host__ __device__ Vec3 accel(const Vec3 *p, int i)
{
    Vec3 acc;
    for (int j = 0; j < NB; j++) {
        Vec3 d = p[j] - p[i];
        float r2 = dot(d, d) + 0.01f;
        acc += (1.0f / (r2 * sqrtf(r2))) * d;
    }
    return acc;
}

__global__ void accel_kernel(const Vec3 *p, Vec3 *a)
{
    a[threadIdx.x] = accel(p, threadIdx.x);
}

int main()
{
    Vec3 p[NB], a[NB], ref[NB];
    for (int i = 0; i < NB; i++) p[i] = Vec3(i % 4, (i / 4) % 4, i * 0.1f);
    float norm = 0;
    for (int i = 0; i < NB; i++) {
        ref[i] = accel(p, i);
        norm += dot(ref[i], ref[i]);
    }
    printf("|a|^2 summed: %.3f\n", norm);
    Vec3 *dp, *da;
    if (cudaMalloc(&dp, sizeof p) || cudaMalloc(&da, sizeof a)) {
        printf("no device\n");
        return 0;
    }
    cudaMemcpy(dp, p, sizeof p, cudaMemcpyHostToDevice);
    accel_kernel<<<1, NB>>>(dp, da);
    cudaMemcpy(a, da, sizeof a, cudaMemcpyDeviceToHost);
    float err = 0;
    for (int i = 0; i < NB; i++) {
        Vec3 d = a[i] - ref[i];
        err += dot(d, d);
    }
    printf("%s\n", err < 1e-6f * norm ? "ok" : "mismatch");
    return 0;
}

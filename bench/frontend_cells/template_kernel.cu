#include <cuda_runtime.h>
template <typename T>
__global__ void axpy(int n, T a, const T *x, T *y)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
template <>
__global__ void axpy<int>(int n, int a, const int *x, int *y)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] += a * x[i];
}
template __global__ void axpy<float>(int, float, const float *, float *);
template <typename T, int N>
struct Tile { T v[N]; __device__ T sum() const { T s = 0; for (int i = 0; i < N; i++) s += v[i]; return s; } };
template <typename T>
void launch_axpy(int n, T a, const T *x, T *y) { axpy<<<(n + 255) / 256, 256>>>(n, a, x, y); }

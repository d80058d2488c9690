// A template kernel instantiated for float, int and double.
#include <cstdio>
#include <cstdlib>

template <typename T>
__global__ void scale(T *data, T factor, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) data[i] *= factor;
}

template <typename T>
bool run_scale(const char *name, T factor)
{
    const int n = 300;
    T host[n], expect[n];
    for (int i = 0; i < n; i++) {
        host[i] = (T)(i % 9);
        expect[i] = host[i] * factor;
    }
    T *d;
    if (cudaMalloc(&d, sizeof host) != cudaSuccess) {
        printf("%s: no device\n", name);
        return false;
    }
    cudaMemcpy(d, host, sizeof host, cudaMemcpyHostToDevice);
    scale<T><<<(n + 127) / 128, 128>>>(d, factor, n);
    cudaMemcpy(host, d, sizeof host, cudaMemcpyDeviceToHost);
    cudaFree(d);
    for (int i = 0; i < n; i++)
        if (host[i] != expect[i]) {
            printf("%s: mismatch\n", name);
            return false;
        }
    printf("%s: ok\n", name);
    return true;
}

int main()
{
    int good = 0;
    good += run_scale<float>("float", 1.5f);
    good += run_scale<int>("int", 3);
    good += run_scale<double>("double", -0.25);
    printf("%d of 3 types passed\n", good);
    return 0;
}

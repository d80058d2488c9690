// Type traits by explicit and partial specialization, used to pick a
// kernel's tolerance and name.
#include <cstdio>

template <typename T>
struct Traits {
    static const char *name() { return "unknown"; }
    static constexpr double tol = 0;
};

template <>
struct Traits<float> {
    static const char *name() { return "float"; }
    static constexpr double tol = 1e-5;
};

template <>
struct Traits<double> {
    static const char *name() { return "double"; }
    static constexpr double tol = 1e-12;
};

template <typename T>
struct Traits<T *> {
    static const char *name() { return "pointer"; }
    static constexpr double tol = 0;
};

template <typename T>
T halve(T x) { return x / 2; }

template <>
int halve<int>(int x) { return x >> 1; }

template <typename T>
__global__ void halve_all(T *v, int n)
{
    int i = threadIdx.x;
    if (i < n) v[i] = v[i] / 2;
}

int main()
{
    printf("%s %g\n", Traits<float>::name(), Traits<float>::tol);
    printf("%s %g\n", Traits<double>::name(), Traits<double>::tol);
    printf("%s\n", Traits<int *>::name());
    printf("%s\n", Traits<char>::name());
    printf("halve: %d %.2f\n", halve(-7), halve(-7.0));
    double h[4] = {1, 2, 3, 4}, *d;
    if (cudaMalloc(&d, sizeof h) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMemcpy(d, h, sizeof h, cudaMemcpyHostToDevice);
    halve_all<<<1, 4>>>(d, 4);
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    printf("%s\n", h[3] - 2.0 < Traits<double>::tol ? "ok" : "mismatch");
    return 0;
}

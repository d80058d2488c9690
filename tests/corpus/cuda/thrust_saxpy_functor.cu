// SAXPY with thrust::transform and a functor on device vectors, then the
// result copied back to a host_vector.
#include <thrust/device_vector.h>
#include <thrust/host_vector.h>
#include <thrust/transform.h>
#include <thrust/sequence.h>
#include <thrust/fill.h>
#include <thrust/copy.h>
#include <cstdio>

struct saxpy_functor {
    const float a;
    explicit saxpy_functor(float a_) : a(a_) {}
    __host__ __device__ float operator()(const float &x, const float &y) const { return a * x + y; }
};

void saxpy_host(float a, const thrust::host_vector<float> &x, thrust::host_vector<float> &y)
{
    for (size_t i = 0; i < x.size(); i++) y[i] = a * x[i] + y[i];
}

int main()
{
    const int n = 512;
    thrust::host_vector<float> hx(n), hy(n, 1.0f);
    for (int i = 0; i < n; i++) hx[i] = (float)i;
    thrust::host_vector<float> ref = hy;
    saxpy_host(2.0f, hx, ref);
    printf("ref[100]=%.1f\n", ref[100]);
    try {
        thrust::device_vector<float> X(n), Y(n);
        thrust::sequence(X.begin(), X.end());
        thrust::fill(Y.begin(), Y.end(), 1.0f);
        thrust::transform(X.begin(), X.end(), Y.begin(), Y.begin(), saxpy_functor(2.0f));
        thrust::host_vector<float> out(n);
        thrust::copy(Y.begin(), Y.end(), out.begin());
        printf("%s\n", out == ref ? "ok" : "mismatch");
    } catch (...) {
        printf("no device for thrust\n");
    }
    return 0;
}

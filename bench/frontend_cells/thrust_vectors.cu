#include <thrust/device_vector.h>
#include <thrust/host_vector.h>
#include <thrust/reduce.h>
#include <thrust/transform.h>
#include <thrust/functional.h>
struct square { __host__ __device__ float operator()(float x) const { return x * x; } };
float sum_of_squares(const thrust::host_vector<float> &h)
{
    thrust::device_vector<float> d = h;
    thrust::transform(d.begin(), d.end(), d.begin(), square());
    return thrust::reduce(d.begin(), d.end(), 0.0f, thrust::plus<float>());
}
thrust::host_vector<float> ramp(int n)
{
    thrust::host_vector<float> h(n);
    for (int i = 0; i < n; i++) h[i] = i;
    return h;
}

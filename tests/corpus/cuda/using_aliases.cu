// using aliases (plain and templated), using-declarations, a namespace
// alias and a function-pointer typedef choosing the kernel to launch.
#include <cstdio>
#include <vector>

namespace project {
namespace detail {
__global__ void add_one(int *p, int n) { int i = threadIdx.x; if (i < n) p[i] += 1; }
__global__ void times_two(int *p, int n) { int i = threadIdx.x; if (i < n) p[i] *= 2; }
}
}

namespace pd = project::detail;

using index_t = int;
template <typename T>
using Vec = std::vector<T>;
typedef void (*kernel_fn)(int *, int);
using std::printf;

struct Step {
    const char *name;
    kernel_fn fn;
    int (*host)(int);
};

int add_one_h(int x) { return x + 1; }
int times_two_h(int x) { return x * 2; }

int main()
{
    Step steps[] = {{"add_one", pd::add_one, add_one_h}, {"times_two", pd::times_two, times_two_h}};
    Vec<index_t> v = {1, 2, 3, 4};
    Vec<index_t> ref = v;
    for (const Step &s : steps)
        for (auto &x : ref) x = s.host(x);
    for (auto x : ref) printf("%d ", x);
    printf("\n");
    int *d;
    if (cudaMalloc(&d, v.size() * sizeof(int)) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMemcpy(d, v.data(), v.size() * sizeof(int), cudaMemcpyHostToDevice);
    for (const Step &s : steps) s.fn<<<1, 32>>>(d, (int)v.size());
    cudaMemcpy(v.data(), d, v.size() * sizeof(int), cudaMemcpyDeviceToHost);
    printf("%s\n", v == ref ? "ok" : "mismatch");
    return 0;
}

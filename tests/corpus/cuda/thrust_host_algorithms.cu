// thrust algorithms on host vectors: sort_by_key, inclusive_scan, count_if
// with a predicate functor, transform with placeholders, and a zip-free
// gather of the sorted names.
#include <thrust/host_vector.h>
#include <thrust/sort.h>
#include <thrust/scan.h>
#include <thrust/count.h>
#include <thrust/transform.h>
#include <thrust/functional.h>
#include <cstdio>

struct is_odd {
    __host__ __device__ bool operator()(int x) const { return x % 2 != 0; }
};

const char *names[] = {"eve", "bob", "dan", "amy", "cal"};

int main()
{
    int k[] = {50, 20, 40, 10, 30};
    int idx[] = {0, 1, 2, 3, 4};
    thrust::host_vector<int> keys(k, k + 5), vals(idx, idx + 5);
    thrust::sort_by_key(keys.begin(), keys.end(), vals.begin());
    for (int i = 0; i < 5; i++) printf("%d:%s ", keys[i], names[vals[i]]);
    printf("\n");

    thrust::host_vector<int> s(8);
    for (int i = 0; i < 8; i++) s[i] = i + 1;
    thrust::inclusive_scan(s.begin(), s.end(), s.begin());
    for (int x : s) printf("%d ", x);
    printf("\n");
    printf("odd prefix sums: %d\n", (int)thrust::count_if(s.begin(), s.end(), is_odd()));

    using namespace thrust::placeholders;
    thrust::host_vector<int> t(s.size());
    thrust::transform(s.begin(), s.end(), t.begin(), _1 * 2 + 1);
    printf("last %d\n", (int)t.back());
    return 0;
}

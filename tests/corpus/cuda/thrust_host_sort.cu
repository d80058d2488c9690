// thrust on the host only: sequence, sort, reduce with host_vector.
#include <thrust/host_vector.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/reduce.h>
#include <thrust/functional.h>
#include <cstdio>

thrust::host_vector<int> make_data(int n)
{
    thrust::host_vector<int> v(n);
    thrust::sequence(v.begin(), v.end());
    for (int i = 0; i < n; i++) v[i] = (v[i] * 37 + 11) % n;
    return v;
}

int main()
{
    thrust::host_vector<int> v = make_data(20);
    thrust::sort(v.begin(), v.end(), thrust::greater<int>());
    for (int i = 0; i < (int)v.size(); i++) printf("%d ", v[i]);
    printf("\n");
    int total = thrust::reduce(v.begin(), v.end(), 0);
    printf("total %d\n", total);
    return 0;
}

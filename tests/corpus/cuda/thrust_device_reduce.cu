// thrust::device_vector filled from a host_vector, reduced on the device;
// without a device, thrust throws and the program says so.
#include <thrust/host_vector.h>
#include <thrust/device_vector.h>
#include <thrust/reduce.h>
#include <cstdio>
#include <exception>

int main()
{
    thrust::host_vector<int> h(1000);
    for (int i = 0; i < 1000; i++) h[i] = i % 10;
    int want = 0;
    for (int x : h) want += x;
    printf("host sum %d\n", want);
    try {
        thrust::device_vector<int> d = h;
        int got = thrust::reduce(d.begin(), d.end());
        printf("%s\n", got == want ? "ok" : "mismatch");
    } catch (const std::exception &e) {
        printf("device path failed\n");
        return 2;
    }
    return 0;
}

// cub::DeviceReduce::Sum and Max with the two-phase temporary storage query.
#include <cub/device/device_reduce.cuh>
#include <cstdio>
#include <vector>

#define CK(x) if ((x) != cudaSuccess) { printf("cub step failed: %s\n", #x); return 1; }

int main()
{
    const int n = 4096;
    std::vector<int> h(n);
    long long ref = 0;
    int refmax = 0;
    for (int i = 0; i < n; i++) {
        h[i] = (i * 7919) % 1000;
        ref += h[i];
        refmax = h[i] > refmax ? h[i] : refmax;
    }
    printf("sum %lld max %d\n", ref, refmax);
    int *d_in = nullptr, *d_out = nullptr;
    CK(cudaMalloc(&d_in, n * sizeof(int)));
    CK(cudaMalloc(&d_out, sizeof(int)));
    CK(cudaMemcpy(d_in, h.data(), n * sizeof(int), cudaMemcpyHostToDevice));
    void *temp = nullptr;
    size_t temp_bytes = 0;
    CK(cub::DeviceReduce::Sum(temp, temp_bytes, d_in, d_out, n));
    CK(cudaMalloc(&temp, temp_bytes));
    CK(cub::DeviceReduce::Sum(temp, temp_bytes, d_in, d_out, n));
    int sum = 0, mx = 0;
    CK(cudaMemcpy(&sum, d_out, sizeof(int), cudaMemcpyDeviceToHost));
    CK(cub::DeviceReduce::Max(temp, temp_bytes, d_in, d_out, n));
    CK(cudaMemcpy(&mx, d_out, sizeof(int), cudaMemcpyDeviceToHost));
    printf("%s\n", sum == ref && mx == refmax ? "ok" : "mismatch");
    cudaFree(temp);
    cudaFree(d_in);
    cudaFree(d_out);
    return 0;
}

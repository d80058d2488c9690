// Warp vote functions: __ballot_sync, __popc, __any_sync and __all_sync
// count the even values of each warp.
#include <cstdio>

__global__ void votes(const int *v, int *even_count, int *any_neg, int *all_small)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int x = v[i];
    unsigned mask = __ballot_sync(0xffffffffu, x % 2 == 0);
    int a = __any_sync(0xffffffffu, x < 0);
    int b = __all_sync(0xffffffffu, x < 100);
    if ((threadIdx.x & 31) == 0) {
        int w = i / 32;
        even_count[w] = __popc(mask);
        any_neg[w] = a;
        all_small[w] = b;
    }
}

int main()
{
    const int warps = 4, n = warps * 32;
    int v[n];
    for (int i = 0; i < n; i++) v[i] = (i * 7) % (40 + 30 * (i / 32)) - (i / 32 == 2 ? 3 : 0);
    int ref_even[warps] = {0}, ref_neg[warps] = {0}, ref_small[warps];
    for (int w = 0; w < warps; w++) {
        ref_small[w] = 1;
        for (int l = 0; l < 32; l++) {
            int x = v[w * 32 + l];
            ref_even[w] += x % 2 == 0;
            ref_neg[w] |= x < 0;
            ref_small[w] &= x < 100;
        }
        printf("warp %d: %d even, negative %d, all small %d\n", w, ref_even[w], ref_neg[w], ref_small[w]);
    }
    int *dv, *de, *dn, *ds;
    if (cudaMalloc(&dv, sizeof v) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMalloc(&de, sizeof ref_even);
    cudaMalloc(&dn, sizeof ref_neg);
    cudaMalloc(&ds, sizeof ref_small);
    cudaMemcpy(dv, v, sizeof v, cudaMemcpyHostToDevice);
    votes<<<2, 64>>>(dv, de, dn, ds);
    int e[warps], ng[warps], sm[warps], ok = 1;
    cudaMemcpy(e, de, sizeof e, cudaMemcpyDeviceToHost);
    cudaMemcpy(ng, dn, sizeof ng, cudaMemcpyDeviceToHost);
    cudaMemcpy(sm, ds, sizeof sm, cudaMemcpyDeviceToHost);
    for (int w = 0; w < warps; w++) ok &= e[w] == ref_even[w] && !ng[w] == !ref_neg[w] && !sm[w] == !ref_small[w];
    printf("%s\n", ok ? "ok" : "mismatch");
    return 0;
}

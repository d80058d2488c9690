// Work-efficient (Blelloch) exclusive scan of one block in shared memory.
#include <cstdio>

#define B 256

__global__ void scan(const int *in, int *out)
{
    __shared__ int t[B];
    int id = threadIdx.x;
    t[2 * id] = in[2 * id];
    t[2 * id + 1] = in[2 * id + 1];
    int off = 1;
    for (int d = B >> 1; d > 0; d >>= 1) {
        __syncthreads();
        if (id < d) {
            int ai = off * (2 * id + 1) - 1, bi = off * (2 * id + 2) - 1;
            t[bi] += t[ai];
        }
        off *= 2;
    }
    if (id == 0) t[B - 1] = 0;
    for (int d = 1; d < B; d *= 2) {
        off >>= 1;
        __syncthreads();
        if (id < d) {
            int ai = off * (2 * id + 1) - 1, bi = off * (2 * id + 2) - 1;
            int x = t[ai];
            t[ai] = t[bi];
            t[bi] += x;
        }
    }
    __syncthreads();
    out[2 * id] = t[2 * id];
    out[2 * id + 1] = t[2 * id + 1];
}

void scan_cpu(const int *in, int *out, int n)
{
    out[0] = 0;
    for (int i = 1; i < n; i++) out[i] = out[i - 1] + in[i - 1];
}

int main()
{
    int in[B], ref[B], got[B];
    for (int i = 0; i < B; i++) in[i] = (i % 5) + 1;
    scan_cpu(in, ref, B);
    printf("last prefix %d\n", ref[B - 1]);
    int *di, *dout;
    cudaMalloc(&di, sizeof in);
    cudaMalloc(&dout, sizeof in);
    cudaMemcpy(di, in, sizeof in, cudaMemcpyHostToDevice);
    scan<<<1, B / 2>>>(di, dout);
    if (cudaMemcpy(got, dout, sizeof got, cudaMemcpyDeviceToHost) != cudaSuccess) {
        printf("device scan unavailable\n");
        return 1;
    }
    for (int i = 0; i < B; i++)
        if (got[i] != ref[i]) {
            printf("mismatch at %d\n", i);
            return 1;
        }
    printf("ok\n");
    return 0;
}

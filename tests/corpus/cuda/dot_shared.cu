// Dot product with a shared-memory reduction per block (CUDA by Example,
// chapter 5 style): each block writes one partial sum, the host adds them.
#include <stdio.h>

#define imin(a, b) ((a) < (b) ? (a) : (b))

const int N = 33 * 1024;
const int threadsPerBlock = 256;
const int blocksPerGrid = imin(32, (N + threadsPerBlock - 1) / threadsPerBlock);

__global__ void dot(const float *a, const float *b, float *partial)
{
    __shared__ float cache[threadsPerBlock];
    int tid = threadIdx.x + blockIdx.x * blockDim.x;
    float temp = 0;
    while (tid < N) {
        temp += a[tid] * b[tid];
        tid += blockDim.x * gridDim.x;
    }
    cache[threadIdx.x] = temp;
    __syncthreads();
    for (int i = blockDim.x / 2; i != 0; i /= 2) {
        if (threadIdx.x < i)
            cache[threadIdx.x] += cache[threadIdx.x + i];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        partial[blockIdx.x] = cache[0];
}

#define sum_squares(x) ((x) * ((x) + 1) * (2 * (x) + 1) / 6)

int main(void)
{
    float *a = new float[N], *b = new float[N], *partial = new float[blocksPerGrid];
    for (int i = 0; i < N; i++) {
        a[i] = i;
        b[i] = i * 2;
    }
    double expect = 2 * sum_squares((double)(N - 1));
    printf("expected %.6g\n", expect);

    float *da, *db, *dp;
    if (cudaMalloc((void **)&da, N * sizeof(float)) != cudaSuccess) {
        printf("cannot allocate on the device\n");
        return 1;
    }
    cudaMalloc((void **)&db, N * sizeof(float));
    cudaMalloc((void **)&dp, blocksPerGrid * sizeof(float));
    cudaMemcpy(da, a, N * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(db, b, N * sizeof(float), cudaMemcpyHostToDevice);
    dot<<<blocksPerGrid, threadsPerBlock>>>(da, db, dp);
    cudaMemcpy(partial, dp, blocksPerGrid * sizeof(float), cudaMemcpyDeviceToHost);
    double c = 0;
    for (int i = 0; i < blocksPerGrid; i++) c += partial[i];
    printf("%s\n", fabs(c - expect) / expect < 1e-4 ? "ok" : "mismatch");
    cudaFree(da); cudaFree(db); cudaFree(dp);
    delete[] a; delete[] b; delete[] partial;
    return 0;
}

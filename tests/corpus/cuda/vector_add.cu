// Vector addition, the first program of every CUDA course: allocate, copy,
// launch, copy back, compare with the CPU.
#include <cstdio>
#include <cstdlib>
#include <cmath>

#define CUDA_CHECK(call)                                                    \
    do {                                                                    \
        cudaError_t err_ = (call);                                          \
        if (err_ != cudaSuccess) {                                          \
            fprintf(stderr, "CUDA error %s at %s:%d\n",                     \
                    cudaGetErrorString(err_), __FILE__, __LINE__);          \
            printf("CUDA call failed: " #call "\n");                        \
            exit(1);                                                        \
        }                                                                   \
    } while (0)

const int N = 1 << 12;

__global__ void vecAdd(const float *a, const float *b, float *c, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        c[i] = a[i] + b[i];
}

void fill(float *a, float *b, int n)
{
    for (int i = 0; i < n; i++) {
        a[i] = 0.5f * i;
        b[i] = 2.0f * (n - i);
    }
}

int main()
{
    float *a = (float *)malloc(N * sizeof(float));
    float *b = (float *)malloc(N * sizeof(float));
    float *c = (float *)malloc(N * sizeof(float));
    fill(a, b, N);
    double ref = 0;
    for (int i = 0; i < N; i++) ref += a[i] + b[i];
    printf("reference sum %.1f\n", ref);

    float *da, *db, *dc;
    CUDA_CHECK(cudaMalloc(&da, N * sizeof(float)));
    CUDA_CHECK(cudaMalloc(&db, N * sizeof(float)));
    CUDA_CHECK(cudaMalloc(&dc, N * sizeof(float)));
    CUDA_CHECK(cudaMemcpy(da, a, N * sizeof(float), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(db, b, N * sizeof(float), cudaMemcpyHostToDevice));
    int threads = 256, blocks = (N + threads - 1) / threads;
    vecAdd<<<blocks, threads>>>(da, db, dc, N);
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaMemcpy(c, dc, N * sizeof(float), cudaMemcpyDeviceToHost));
    int bad = 0;
    for (int i = 0; i < N; i++)
        if (fabsf(c[i] - (a[i] + b[i])) > 1e-5f) bad++;
    printf(bad ? "mismatch\n" : "ok\n");
    cudaFree(da); cudaFree(db); cudaFree(dc);
    free(a); free(b); free(c);
    return bad != 0;
}

// Tiled matrix multiply with shared memory, checked against the naive CPU
// product.
#include <cstdio>
#include <vector>
#include <cmath>

#define TILE 16

#define CHECK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { \
    fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(e)); \
    printf("cuda failure\n"); return 3; } } while (0)

__global__ void matmul(const float *A, const float *B, float *C, int n)
{
    __shared__ float As[TILE][TILE];
    __shared__ float Bs[TILE][TILE];
    int row = blockIdx.y * TILE + threadIdx.y;
    int col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.0f;
    for (int t = 0; t < (n + TILE - 1) / TILE; ++t) {
        int ac = t * TILE + threadIdx.x, br = t * TILE + threadIdx.y;
        As[threadIdx.y][threadIdx.x] = (row < n && ac < n) ? A[row * n + ac] : 0.0f;
        Bs[threadIdx.y][threadIdx.x] = (br < n && col < n) ? B[br * n + col] : 0.0f;
        __syncthreads();
        for (int k = 0; k < TILE; ++k)
            acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
        __syncthreads();
    }
    if (row < n && col < n)
        C[row * n + col] = acc;
}

void matmul_cpu(const std::vector<float> &A, const std::vector<float> &B, std::vector<float> &C, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            float s = 0;
            for (int k = 0; k < n; k++) s += A[i * n + k] * B[k * n + j];
            C[i * n + j] = s;
        }
}

int main()
{
    const int n = 50;
    std::vector<float> A(n * n), B(n * n), C(n * n), R(n * n);
    for (int i = 0; i < n * n; i++) {
        A[i] = (i % 7) * 0.25f;
        B[i] = ((i * 3) % 5) - 2.0f;
    }
    matmul_cpu(A, B, R, n);
    printf("R[0][0]=%.2f R[n-1][n-1]=%.2f\n", R[0], R[n * n - 1]);
    float *dA, *dB, *dC;
    size_t bytes = n * n * sizeof(float);
    CHECK(cudaMalloc(&dA, bytes));
    CHECK(cudaMalloc(&dB, bytes));
    CHECK(cudaMalloc(&dC, bytes));
    CHECK(cudaMemcpy(dA, A.data(), bytes, cudaMemcpyHostToDevice));
    CHECK(cudaMemcpy(dB, B.data(), bytes, cudaMemcpyHostToDevice));
    dim3 block(TILE, TILE), grid((n + TILE - 1) / TILE, (n + TILE - 1) / TILE);
    matmul<<<grid, block>>>(dA, dB, dC, n);
    CHECK(cudaGetLastError());
    CHECK(cudaMemcpy(C.data(), dC, bytes, cudaMemcpyDeviceToHost));
    int bad = 0;
    for (int i = 0; i < n * n; i++)
        if (std::fabs(C[i] - R[i]) > 1e-3f) ++bad;
    printf("%s\n", bad ? "mismatch" : "ok");
    cudaFree(dA); cudaFree(dB); cudaFree(dC);
    return 0;
}

// The Julia set of CUDA by Example: a complex-number struct with __device__
// members, computed on the CPU as ASCII art and on the GPU for comparison.
#include <cstdio>

#define DIM 40

struct cuComplex {
    float r, i;
    __host__ __device__ cuComplex(float a, float b) : r(a), i(b) {}
    __host__ __device__ float magnitude2() const { return r * r + i * i; }
    __host__ __device__ cuComplex operator*(const cuComplex &a) const
    {
        return cuComplex(r * a.r - i * a.i, i * a.r + r * a.i);
    }
    __host__ __device__ cuComplex operator+(const cuComplex &a) const
    {
        return cuComplex(r + a.r, i + a.i);
    }
};

__host__ __device__ int julia(int x, int y)
{
    const float scale = 1.5f;
    float jx = scale * (float)(DIM / 2 - x) / (DIM / 2);
    float jy = scale * (float)(DIM / 2 - y) / (DIM / 2);
    cuComplex c(-0.8f, 0.156f), a(jx, jy);
    for (int i = 0; i < 200; i++) {
        a = a * a + c;
        if (a.magnitude2() > 1000)
            return 0;
    }
    return 1;
}

__global__ void kernel(unsigned char *ptr)
{
    int x = blockIdx.x, y = blockIdx.y;
    ptr[x + y * gridDim.x] = (unsigned char)julia(x, y);
}

int main()
{
    static unsigned char cpu[DIM * DIM], gpu[DIM * DIM];
    int inside = 0;
    for (int y = 0; y < DIM; y += 2) {
        for (int x = 0; x < DIM; x++) {
            cpu[x + y * DIM] = julia(x, y);
            putchar(cpu[x + y * DIM] ? '#' : '.');
        }
        putchar('\n');
    }
    for (int y = 0; y < DIM; y++)
        for (int x = 0; x < DIM; x++)
            inside += (cpu[x + y * DIM] = julia(x, y));
    printf("%d points inside\n", inside);
    unsigned char *d;
    if (cudaMalloc(&d, DIM * DIM) != cudaSuccess) {
        puts("no GPU: CPU image only");
        return 0;
    }
    dim3 grid(DIM, DIM);
    kernel<<<grid, 1>>>(d);
    cudaMemcpy(gpu, d, DIM * DIM, cudaMemcpyDeviceToHost);
    cudaFree(d);
    int diff = 0;
    for (int i = 0; i < DIM * DIM; i++) diff += gpu[i] != cpu[i];
    puts(diff <= 4 ? "ok" : "mismatch");
    return 0;
}

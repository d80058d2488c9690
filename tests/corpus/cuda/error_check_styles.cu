// Three common error-checking styles: a macro that exits, an inline
// function with file and line (gpuErrchk style), and checking after a
// launch with cudaPeekAtLastError.
#include <cstdio>
#include <cstdlib>

#define gpuErrchk(ans) { gpuAssert((ans), __FILE__, __LINE__); }

inline void gpuAssert(cudaError_t code, const char *file, int line, bool abort_on_error = true)
{
    if (code != cudaSuccess) {
        fprintf(stderr, "GPUassert: %s %s %d\n", cudaGetErrorString(code), file, line);
        printf("GPU error caught\n");
        if (abort_on_error) exit(code == cudaSuccess ? 0 : 9);
    }
}

__global__ void touch(int *p) { p[threadIdx.x] = threadIdx.x; }

int soft_check(cudaError_t e, const char *what)
{
    printf("%s: %s\n", what, e == cudaSuccess ? "success" : "failure");
    return e == cudaSuccess;
}

int main()
{
    int count = -1;
    soft_check(cudaGetDeviceCount(&count), "device count");
    int *d = nullptr;
    gpuErrchk(cudaMalloc(&d, 32 * sizeof(int)));
    touch<<<1, 32>>>(d);
    gpuErrchk(cudaPeekAtLastError());
    gpuErrchk(cudaDeviceSynchronize());
    int h[32];
    gpuErrchk(cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost));
    printf("%s\n", h[31] == 31 ? "ok" : "mismatch");
    gpuErrchk(cudaFree(d));
    return 0;
}

// A CUDA error turned into a C++ exception by a checking function; main
// catches it and reports what failed.
#include <cstdio>
#include <stdexcept>
#include <string>

class CudaError : public std::runtime_error {
public:
    CudaError(const std::string &what, cudaError_t code) : std::runtime_error(what), code_(code) {}
    cudaError_t code() const { return code_; }
private:
    cudaError_t code_;
};

void check(cudaError_t e, const char *what)
{
    if (e != cudaSuccess) throw CudaError(std::string(what) + " failed", e);
}

__global__ void set(int *p, int v) { *p = v; }

int run()
{
    int *d = nullptr, h = 0;
    check(cudaMalloc(&d, sizeof(int)), "cudaMalloc");
    set<<<1, 1>>>(d, 41);
    check(cudaGetLastError(), "launch");
    check(cudaMemcpy(&h, d, sizeof h, cudaMemcpyDeviceToHost), "cudaMemcpy");
    check(cudaFree(d), "cudaFree");
    return h + 1;
}

int main()
{
    try {
        throw std::invalid_argument("a host-side exception first");
    } catch (const std::exception &e) {
        printf("caught: %s\n", e.what());
    }
    try {
        printf("answer %d\n", run());
    } catch (const CudaError &e) {
        printf("caught: %s (error code is %s)\n", e.what(), e.code() != cudaSuccess ? "set" : "clear");
        return 1;
    }
    return 0;
}

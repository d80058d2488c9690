// Output with std::cout and <iomanip>: a table of a kernel's inputs and the
// CPU results, fixed precision, widths and hex.
#include <iostream>
#include <iomanip>
#include <cmath>

__global__ void sqrt_kernel(const float *in, float *out, int n)
{
    int i = threadIdx.x;
    if (i < n) out[i] = sqrtf(in[i]);
}

int main()
{
    const int n = 6;
    float in[n], out[n];
    std::cout << std::setw(6) << "x" << std::setw(10) << "sqrt(x)" << '\n';
    for (int i = 0; i < n; i++) {
        in[i] = i * i + 0.5f;
        std::cout << std::setw(6) << std::fixed << std::setprecision(1) << in[i]
                  << std::setw(10) << std::setprecision(4) << std::sqrt(in[i]) << '\n';
    }
    std::cout << "hex of 255: " << std::hex << 255 << std::dec << '\n';
    float *di, *dout;
    if (cudaMalloc(&di, sizeof in) != cudaSuccess) {
        std::cout << "no device" << std::endl;
        return 0;
    }
    cudaMalloc(&dout, sizeof out);
    cudaMemcpy(di, in, sizeof in, cudaMemcpyHostToDevice);
    sqrt_kernel<<<1, n>>>(di, dout, n);
    cudaMemcpy(out, dout, sizeof out, cudaMemcpyDeviceToHost);
    bool same = true;
    for (int i = 0; i < n; i++) same = same && std::fabs(out[i] - std::sqrt(in[i])) < 1e-5f;
    std::cout << (same ? "ok" : "mismatch") << std::endl;
    return 0;
}

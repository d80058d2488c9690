// Globals of class type built with constructor arguments and brace
// initialization: a std::vector, a std::map and a user class.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

struct Config {
    int block;
    std::string label;
    Config(int b, std::string l) : block(b), label(std::move(l)) {}
    int grid(int n) const { return (n + block - 1) / block; }
};

std::vector<float> weights(6, 0.5f);
std::map<std::string, int> sizes{{"small", 10}, {"medium", 1000}, {"large", 100000}};
Config cfg(256, "default");

__global__ void scale(float *w, int n, float f)
{
    int i = threadIdx.x;
    if (i < n) w[i] *= f;
}

int main()
{
    for (const auto &kv : sizes)
        printf("%s: n=%d grid=%d\n", kv.first.c_str(), kv.second, cfg.grid(kv.second));
    printf("config %s, %zu weights\n", cfg.label.c_str(), weights.size());
    float *d;
    if (cudaMalloc(&d, weights.size() * sizeof(float)) != cudaSuccess) {
        printf("weights stay on the host\n");
        return 0;
    }
    cudaMemcpy(d, weights.data(), weights.size() * sizeof(float), cudaMemcpyHostToDevice);
    scale<<<1, 32>>>(d, (int)weights.size(), 4.0f);
    cudaMemcpy(weights.data(), d, weights.size() * sizeof(float), cudaMemcpyDeviceToHost);
    printf("weights[5] = %.1f\n", weights[5]);
    return 0;
}

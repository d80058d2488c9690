// enum class, constexpr functions and a switch, used on host and device
// to run a small traffic-light state machine.
#include <cstdio>

enum class Light : int { Red, Green, Yellow };

constexpr int kSteps = 7;

__host__ __device__ constexpr Light next(Light l)
{
    return l == Light::Red ? Light::Green : l == Light::Green ? Light::Yellow : Light::Red;
}

const char *to_string(Light l)
{
    switch (l) {
    case Light::Red: return "red";
    case Light::Green: return "green";
    case Light::Yellow: return "yellow";
    }
    return "?";
}

static_assert(next(Light::Yellow) == Light::Red, "the cycle closes");

__global__ void run(int *out)
{
    Light l = Light::Red;
    for (int i = 0; i < kSteps; i++) l = next(l);
    *out = static_cast<int>(l);
}

int main()
{
    Light l = Light::Red;
    for (int i = 0; i < kSteps; i++) {
        printf("%s ", to_string(l));
        l = next(l);
    }
    printf("-> %s\n", to_string(l));
    int *d, got = -1;
    if (cudaMalloc(&d, sizeof(int)) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    run<<<1, 1>>>(d);
    cudaMemcpy(&got, d, sizeof got, cudaMemcpyDeviceToHost);
    printf("%s\n", got == static_cast<int>(l) ? "ok" : "mismatch");
    return 0;
}

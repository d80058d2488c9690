// A Caesar cipher on the device over the bytes of a std::string, decoded on
// the host.
#include <cstdio>
#include <string>
#include <cctype>

__global__ void shift(char *s, int n, int k)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        char c = s[i];
        if (c >= 'a' && c <= 'z') s[i] = 'a' + (c - 'a' + k) % 26;
        else if (c >= 'A' && c <= 'Z') s[i] = 'A' + (c - 'A' + k) % 26;
    }
}

std::string shift_host(std::string s, int k)
{
    for (char &c : s) {
        if (islower((unsigned char)c)) c = 'a' + (c - 'a' + k) % 26;
        else if (isupper((unsigned char)c)) c = 'A' + (c - 'A' + k) % 26;
    }
    return s;
}

int main()
{
    std::string msg = "Hello, CUDA world! Attack at dawn.";
    std::string enc = shift_host(msg, 3);
    printf("%s\n%s\n", enc.c_str(), shift_host(enc, 23).c_str());
    char *d;
    if (cudaMalloc(&d, msg.size()) != cudaSuccess) {
        printf("device cipher unavailable\n");
        return 0;
    }
    cudaMemcpy(d, msg.data(), msg.size(), cudaMemcpyHostToDevice);
    shift<<<1, 64>>>(d, (int)msg.size(), 3);
    std::string out(msg.size(), '\0');
    cudaMemcpy(&out[0], d, msg.size(), cudaMemcpyDeviceToHost);
    printf("%s\n", out == enc ? "ok" : "mismatch");
    cudaFree(d);
    return 0;
}

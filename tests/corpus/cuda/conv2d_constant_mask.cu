// 2D convolution of a generated image with a 3x3 mask in constant memory.
#include <cstdio>

#define W 24
#define H 16
#define M 3

__constant__ float d_mask[M * M];

const float h_mask[M * M] = {0, -1, 0, -1, 5, -1, 0, -1, 0};

__host__ __device__ float conv_at(const float *img, const float *mask, int x, int y)
{
    float s = 0;
    for (int j = 0; j < M; j++)
        for (int i = 0; i < M; i++) {
            int xx = x + i - M / 2, yy = y + j - M / 2;
            if (xx >= 0 && xx < W && yy >= 0 && yy < H) s += img[yy * W + xx] * mask[j * M + i];
        }
    return s;
}

__global__ void conv(const float *img, float *out)
{
    int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < W && y < H) out[y * W + x] = conv_at(img, d_mask, x, y);
}

int main()
{
    static float img[W * H], ref[W * H], out[W * H];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) img[y * W + x] = (float)((x / 4 + y / 4) % 2);
    float total = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) total += ref[y * W + x] = conv_at(img, h_mask, x, y);
    printf("sharpened total %.1f\n", total);
    float *di, *dout;
    if (cudaMemcpyToSymbol(d_mask, h_mask, sizeof h_mask) != cudaSuccess) {
        printf("no constant memory\n");
        return 0;
    }
    cudaMalloc(&di, sizeof img);
    cudaMalloc(&dout, sizeof out);
    cudaMemcpy(di, img, sizeof img, cudaMemcpyHostToDevice);
    conv<<<dim3(2, 2), dim3(16, 8)>>>(di, dout);
    cudaMemcpy(out, dout, sizeof out, cudaMemcpyDeviceToHost);
    int bad = 0;
    for (int i = 0; i < W * H; i++) bad += out[i] != ref[i];
    printf("%s\n", bad ? "mismatch" : "ok");
    return 0;
}

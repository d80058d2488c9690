// A program whose exit status carries the result: 0 when everything
// checks, otherwise a code per failed stage (here: 3 without a device).
#include <cstdio>
#include <cstdlib>

enum Stage { STAGE_ALLOC = 3, STAGE_COPY = 4, STAGE_VERIFY = 5 };

__global__ void negate(int *p, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] = -p[i];
}

static void fail(Stage s, const char *what)
{
    printf("stage %d (%s) failed\n", (int)s, what);
    exit(s);
}

int main()
{
    int h[100];
    for (int i = 0; i < 100; i++) h[i] = i;
    printf("prepared 100 values\n");
    int *d;
    if (cudaMalloc(&d, sizeof h) != cudaSuccess) fail(STAGE_ALLOC, "alloc");
    if (cudaMemcpy(d, h, sizeof h, cudaMemcpyHostToDevice) != cudaSuccess) fail(STAGE_COPY, "copy in");
    negate<<<1, 128>>>(d, 100);
    if (cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost) != cudaSuccess) fail(STAGE_COPY, "copy out");
    for (int i = 0; i < 100; i++)
        if (h[i] != -i) fail(STAGE_VERIFY, "verify");
    printf("all stages passed\n");
    return 0;
}

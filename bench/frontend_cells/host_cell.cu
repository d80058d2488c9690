#include <cstdio>
float *d = nullptr;
cudaMalloc(&d, 1024 * sizeof(float));
scale<<<8, 128>>>(d, 1024);
cudaDeviceSynchronize();
for (int i = 0; i < 3; i++)
    printf("%d\n", i);
if (d) cudaFree(d);
d

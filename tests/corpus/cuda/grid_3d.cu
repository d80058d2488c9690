// 3D grids and blocks: every thread writes its linear index computed from
// blockIdx/threadIdx in x, y and z.
#include <cstdio>

__global__ void index3d(int *out, int nx, int ny, int nz)
{
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    int z = blockIdx.z * blockDim.z + threadIdx.z;
    if (x < nx && y < ny && z < nz) out[(z * ny + y) * nx + x] = x + 100 * y + 10000 * z;
}

int main()
{
    const int nx = 10, ny = 6, nz = 5, n = nx * ny * nz;
    dim3 block(4, 4, 2);
    dim3 grid((nx + block.x - 1) / block.x, (ny + block.y - 1) / block.y, (nz + block.z - 1) / block.z);
    printf("grid %u x %u x %u of %u threads\n", grid.x, grid.y, grid.z, block.x * block.y * block.z);
    int *d, h[n];
    if (cudaMalloc(&d, sizeof h) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    index3d<<<grid, block>>>(d, nx, ny, nz);
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    int bad = 0;
    for (int z = 0; z < nz; z++)
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++) bad += h[(z * ny + y) * nx + x] != x + 100 * y + 10000 * z;
    printf("%s\n", bad ? "mismatch" : "ok");
    return 0;
}

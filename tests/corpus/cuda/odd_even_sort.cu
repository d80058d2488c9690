// Odd-even transposition sort in one block: n phases with __syncthreads
// between them.
#include <cstdio>

#define NUM 128

__device__ void swap_if(int *a, int i)
{
    if (a[i] > a[i + 1]) {
        int t = a[i];
        a[i] = a[i + 1];
        a[i + 1] = t;
    }
}

__global__ void oddeven(int *a)
{
    __shared__ int s[NUM];
    int t = threadIdx.x;
    s[t] = a[t];
    s[t + NUM / 2] = a[t + NUM / 2];
    __syncthreads();
    for (int phase = 0; phase < NUM; phase++) {
        int i = 2 * t + (phase & 1);
        if (i + 1 < NUM) swap_if(s, i);
        __syncthreads();
    }
    a[t] = s[t];
    a[t + NUM / 2] = s[t + NUM / 2];
}

int main()
{
    int a[NUM];
    for (int i = 0; i < NUM; i++) a[i] = (i * 53) % NUM;
    int inversions = 0;
    for (int i = 0; i < NUM; i++)
        for (int j = i + 1; j < NUM; j++) inversions += a[i] > a[j];
    printf("%d inversions before\n", inversions);
    int *d;
    if (cudaMalloc(&d, sizeof a) != cudaSuccess) {
        printf("no device\n");
        return 0;
    }
    cudaMemcpy(d, a, sizeof a, cudaMemcpyHostToDevice);
    oddeven<<<1, NUM / 2>>>(d);
    cudaMemcpy(a, d, sizeof a, cudaMemcpyDeviceToHost);
    int sorted = 1;
    for (int i = 0; i + 1 < NUM; i++) sorted &= a[i] <= a[i + 1];
    printf("%s\n", sorted ? "sorted" : "not sorted");
    return 0;
}

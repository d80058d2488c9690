/* cudacell_mpi.h — MPI and NCCL helpers for %%mpirun cells.
 *
 * %%mpirun cells see this header (and so <mpi.h>) without an #include;
 * normal cells never include it and need no MPI. Everything here is
 * static inline: nothing to link but MPI (and NCCL, which %%mpirun links
 * for CUDA cells that mention nccl).
 *
 *   cc_mpi m = cc_mpi_start();          MPI_Init unless done; m.rank, m.size,
 *                                       m.local_rank, m.local_size (this host)
 *
 * In CUDA cells, when <nccl.h> is there:
 *
 *   cc_nccl nc;
 *   if (cc_nccl_init(&nc, MPI_COMM_WORLD) != 0) return 1;   one GPU per local rank
 *   ncclAllReduce(buf, buf, n, ncclFloat, ncclSum, nc.comm, nc.stream);
 *   cudaStreamSynchronize(nc.stream);
 *   cc_nccl_free(&nc);
 *
 * cc_nccl_init: the rank and size in comm, the local rank among the
 * processes of comm on this host (MPI_Comm_split_type with
 * MPI_COMM_TYPE_SHARED), cudaSetDevice(local_rank % number of GPUs), the
 * ncclUniqueId made by rank 0 and sent to all with MPI_Bcast, then
 * ncclCommInitRank and a stream. It is collective over comm. On failure it
 * prints one line naming the rank and the cause on stderr and returns -1 on
 * every rank (so none waits forever for the others). */
#ifndef CUDACELL_MPI_H
#define CUDACELL_MPI_H

#include <mpi.h>
#include <stdio.h>
#include <string.h>

typedef struct cc_mpi {
    int rank, size;               /* in MPI_COMM_WORLD */
    int local_rank, local_size;   /* among the processes on this host */
} cc_mpi;

/* The rank of this process among those of comm on the same host, and
 * their number (*local_size may be NULL). */
static inline int cc_mpi_local_rank(MPI_Comm comm, int *local_size)
{
    MPI_Comm local;
    int r = 0, n = 1;
    if (MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) == MPI_SUCCESS) {
        MPI_Comm_rank(local, &r);
        MPI_Comm_size(local, &n);
        MPI_Comm_free(&local);
    }
    if (local_size)
        *local_size = n;
    return r;
}

static inline cc_mpi cc_mpi_start(void)
{
    cc_mpi m;
    int ini = 0;
    MPI_Initialized(&ini);
    if (!ini)
        MPI_Init(NULL, NULL);
    MPI_Comm_rank(MPI_COMM_WORLD, &m.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m.size);
    m.local_rank = cc_mpi_local_rank(MPI_COMM_WORLD, &m.local_size);
    return m;
}

#if defined(__CUDACC__) && defined(__has_include)
#if __has_include(<nccl.h>)
#include <cuda_runtime.h>
#include <nccl.h>
#define CUDACELL_HAVE_NCCL 1

typedef struct cc_nccl {
    int rank, size;               /* in the communicator given */
    int local_rank, local_size;   /* on this host */
    int device;                   /* the GPU this process uses */
    ncclComm_t comm;
    cudaStream_t stream;
} cc_nccl;

/* 1 when every rank of comm says ok. */
static inline int cc__nccl_all_ok(int ok, MPI_Comm comm)
{
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm);
    return all;
}

static inline int cc_nccl_init(cc_nccl *nc, MPI_Comm comm)
{
    memset(nc, 0, sizeof *nc);
    MPI_Comm_rank(comm, &nc->rank);
    MPI_Comm_size(comm, &nc->size);
    nc->local_rank = cc_mpi_local_rank(comm, &nc->local_size);
    int ngpu = 0;
    cudaError_t ce = cudaGetDeviceCount(&ngpu);
    if (ce == cudaSuccess && ngpu > 0) {
        nc->device = nc->local_rank % ngpu;
        ce = cudaSetDevice(nc->device);
    }
    if (ce == cudaSuccess && ngpu > 0)
        ce = cudaStreamCreate(&nc->stream);
    int ok = ce == cudaSuccess && ngpu > 0;
    if (!ok)
        fprintf(stderr, "cc_nccl_init: rank %d: %s\n", nc->rank,
                ce != cudaSuccess ? cudaGetErrorString(ce) : "no GPU is visible");
    if (!cc__nccl_all_ok(ok, comm)) {
        if (ok)
            cudaStreamDestroy(nc->stream);
        nc->stream = NULL;
        return -1;
    }
    struct { int ok; ncclUniqueId id; } msg;
    memset(&msg, 0, sizeof msg);
    if (nc->rank == 0) {
        ncclResult_t r = ncclGetUniqueId(&msg.id);
        msg.ok = r == ncclSuccess;
        if (!msg.ok)
            fprintf(stderr, "cc_nccl_init: rank 0: ncclGetUniqueId: %s\n", ncclGetErrorString(r));
    }
    MPI_Bcast(&msg, (int)sizeof msg, MPI_BYTE, 0, comm);
    ncclResult_t r = msg.ok ? ncclCommInitRank(&nc->comm, nc->size, msg.id, nc->rank) : ncclInvalidUsage;
    if (msg.ok && r != ncclSuccess)
        fprintf(stderr, "cc_nccl_init: rank %d: ncclCommInitRank: %s\n", nc->rank, ncclGetErrorString(r));
    if (!cc__nccl_all_ok(r == ncclSuccess, comm)) {
        if (r == ncclSuccess)
            ncclCommDestroy(nc->comm);
        cudaStreamDestroy(nc->stream);
        nc->comm = NULL;
        nc->stream = NULL;
        return -1;
    }
    return 0;
}

static inline void cc_nccl_free(cc_nccl *nc)
{
    if (nc->comm)
        ncclCommDestroy(nc->comm);
    if (nc->stream)
        cudaStreamDestroy(nc->stream);
    nc->comm = NULL;
    nc->stream = NULL;
}
#endif
#endif

#endif

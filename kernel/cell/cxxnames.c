/* kernel/cell/cxxnames.c — which words of a CUDA cell's declarations a C
 * translation unit cannot read: C++ keywords, CUDA qualifiers, and the exact
 * type names of the CUDA runtime, its vector and half types and its
 * libraries (a table of whole identifiers, not prefixes: `cuda_count` or
 * `cudaBuf` are ordinary C names); and which #include lines are CUDA or C++
 * headers. Pure, no state. */
#include "cxxnames.h"

#include <string.h>

static bool eq(const char *p, size_t len, const char *w)
{
    return strlen(w) == len && memcmp(p, w, len) == 0;
}

static bool in_list(const char *p, size_t len, const char *const *list)
{
    for (size_t k = 0; list[k]; k++)
        if (eq(p, len, list[k])) return true;
    return false;
}

/* char1 … ulonglong4, float1 … double4 (and their 16/32-byte aligned forms) */
static bool vector_type(const char *p, size_t len)
{
    static const char *const base[] = { "char", "uchar", "short", "ushort", "int", "uint", "long",
        "ulong", "longlong", "ulonglong", "float", "double", NULL };
    static const char *const wide[] = { "_16a", "_32a", NULL };
    for (size_t k = 0; wide[k]; k++) {
        size_t w = strlen(wide[k]);
        if (len > w && memcmp(p + len - w, wide[k], w) == 0) { len -= w; break; }
    }
    if (len < 2 || p[len - 1] < '1' || p[len - 1] > '4') return false;
    return in_list(p, len - 1, base);
}

bool cc_cxx_only_name(const char *p, size_t len)
{
    static const char *const words[] = {
        /* C++ */
        "template", "typename", "class", "namespace", "operator", "public", "private", "protected",
        "nullptr", "virtual", "decltype", "constexpr", "mutable", "explicit", "friend",
        /* CUDA qualifiers */
        "__global__", "__device__", "__host__", "__shared__", "__constant__", "__managed__",
        "__forceinline__", "__noinline__", "__launch_bounds__", "__align__", "__grid_constant__",
        /* CUDA runtime and driver types */
        "dim3", "cudaError_t", "cudaError", "cudaStream_t", "cudaEvent_t", "cudaGraph_t",
        "cudaGraphExec_t", "cudaGraphNode_t", "cudaArray_t", "cudaArray_const_t", "cudaMipmappedArray_t",
        "cudaTextureObject_t", "cudaSurfaceObject_t", "cudaDeviceProp", "cudaMemcpyKind",
        "cudaPointerAttributes", "cudaFuncAttributes", "cudaChannelFormatDesc", "cudaExtent",
        "cudaPitchedPtr", "cudaPos", "cudaMemcpy3DParms", "cudaResourceDesc", "cudaTextureDesc",
        "cudaIpcMemHandle_t", "cudaIpcEventHandle_t", "cudaMemPool_t", "cudaUserObject_t",
        "cudaFunction_t", "cudaKernel_t", "cudaLibrary_t", "cudaLaunchConfig_t", "cudaLaunchAttribute",
        "cudaDeviceAttr", "cudaLimit", "cudaFuncCache", "cudaSharedMemConfig", "cudaStreamCaptureStatus",
        "cudaStreamCaptureMode", "cudaMemoryAdvise", "cudaMemRangeAttribute", "cudaHostFn_t",
        "cudaStreamCallback_t", "cudaDataType", "cudaDataType_t", "libraryPropertyType",
        "CUstream", "CUevent", "CUcontext", "CUdevice", "CUdeviceptr", "CUmodule", "CUfunction", "CUresult",
        /* half and 8/16-bit float types */
        "half", "half2", "__half", "__half2", "__half_raw", "__half2_raw", "nv_bfloat16",
        "nv_bfloat162", "__nv_bfloat16", "__nv_bfloat162", "__nv_bfloat16_raw", "__nv_bfloat162_raw",
        "__nv_fp8_e4m3", "__nv_fp8_e5m2", "__nv_fp8x2_e4m3", "__nv_fp8x2_e5m2", "__nv_fp8x4_e4m3",
        "__nv_fp8x4_e5m2", "__nv_fp8_e8m0",
        /* libraries */
        "cuComplex", "cuFloatComplex", "cuDoubleComplex", "cublasHandle_t", "cublasStatus_t",
        "cublasOperation_t", "cublasLtHandle_t", "cublasFillMode_t", "cublasSideMode_t",
        "cublasDiagType_t", "cublasComputeType_t", "cublasGemmAlgo_t", "cublasMath_t",
        "cublasPointerMode_t", "cufftHandle", "cufftResult", "cufftType", "cufftComplex",
        "cufftDoubleComplex", "cufftReal", "cufftDoubleReal", "curandState", "curandState_t",
        "curandStatePhilox4_32_10_t", "curandStateMRG32k3a_t", "curandStateXORWOW_t",
        "curandGenerator_t", "curandStatus_t", "curandRngType_t", "cusparseHandle_t",
        "cusparseStatus_t", "cusparseMatDescr_t", "cusparseSpMatDescr_t", "cusparseDnVecDescr_t",
        "cusparseDnMatDescr_t", "cusolverDnHandle_t", "cusolverSpHandle_t", "cusolverStatus_t",
        "cudnnHandle_t", "cudnnStatus_t", "cudnnTensorDescriptor_t", "cudnnFilterDescriptor_t",
        "cudnnConvolutionDescriptor_t", "ncclComm_t", "ncclResult_t", "ncclUniqueId", "nvrtcProgram",
        "nvrtcResult",
        NULL };
    return in_list(p, len, words) || vector_type(p, len);
}

static bool has_prefix(const char *p, size_t len, const char *pre)
{
    size_t l = strlen(pre);
    return len >= l && memcmp(p, pre, l) == 0;
}

bool cc_cxx_header(const char *name, size_t len)
{
    static const char *const pre[] = { "cuda", "cublas", "cufft", "curand", "cusparse", "cusolver",
        "cudnn", "cuComplex", "nccl", "nvrtc", "cooperative_groups", "cub/", "thrust/", "mma.h",
        "device_", "sm_", "__half", "__nv_", NULL };
    if (!memchr(name, '.', len)) return true;                        /* <vector>, <cstdio> */
    if (len >= 4 && memcmp(name + len - 4, ".cuh", 4) == 0) return true;
    if (len >= 4 && (memcmp(name + len - 4, ".hpp", 4) == 0 || memcmp(name + len - 4, ".hxx", 4) == 0))
        return true;
    for (size_t k = 0; pre[k]; k++)
        if (has_prefix(name, len, pre[k])) return true;
    return false;
}

bool cc_device_header(const char *name, size_t len)
{
    static const char *const pre[] = { "thrust/", "cub/", "cuda/", "nv/", "cooperative_groups",
        "curand_kernel", "curand_mtgp32", "curand_philox", "mma.h", "cuda_pipeline", "cuda_awbarrier",
        "cuda/std", "sm_", "device_functions", "device_atomic", "cudacc", NULL };
    if (len >= 4 && memcmp(name + len - 4, ".cuh", 4) == 0) return true;
    if (len >= 3 && memcmp(name + len - 3, ".cu", 3) == 0) return true;
    for (size_t k = 0; pre[k]; k++)
        if (has_prefix(name, len, pre[k])) return true;
    return false;
}

bool cc_device_namespace(const char *p, size_t len)
{
    static const char *const ns[] = { "thrust", "cub", "cooperative_groups", "nvcuda", "cuda", NULL };
    for (size_t k = 0; ns[k]; k++)
        if (strlen(ns[k]) == len && memcmp(p, ns[k], len) == 0) return true;
    return false;
}

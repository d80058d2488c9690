/* cuda/nvcc.h — finding nvcc and the CUDA toolkit: $CUDA_HOME/bin/nvcc,
 * /usr/local/cuda/bin/nvcc, then PATH. No CUDA library is linked. */
#ifndef CC_NVCC_H
#define CC_NVCC_H

/* malloc'd absolute path of nvcc, or NULL when none is found. */
char *cc_nvcc_find(void);

/* malloc'd root of the toolkit nvcc belongs to (the directory above its
 * bin/, links resolved), or NULL when there is no nvcc. Host-only C++ cells
 * take <root>/include and link <root>/lib64's cudart. */
char *cc_cuda_root(void);

/* malloc'd "13.0"-style release of the toolkit nvcc belongs to (read from
 * its version.json or `nvcc --version`), or NULL. */
char *cc_nvcc_version(const char *nvcc_path);

/* User-facing paragraph: nvcc was not found, where we looked, what to do. malloc'd. */
char *cc_nvcc_missing_message(void);

/* Architecture used when no GPU is visible (keeps PTX so a later GPU can JIT it). */
#define CC_CUDA_DEFAULT_ARCH "sm_75"

#endif

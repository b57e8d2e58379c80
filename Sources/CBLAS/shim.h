// OpenBLAS's CBLAS interface, plus its thread-count controls (openblas_set_num_threads).
#include <cblas.h>

// OpenBLAS's thread pool (pthreads build, as Debian's libopenblas-dev installs it): the
// environment is read once at load, so changing how long idle workers spin before sleeping
// means re-reading it and restarting the pool.
void openblas_read_env(void);
int blas_thread_shutdown_(void);
int blas_thread_init(void);

// The NIfTI-2 API reads NIfTI-1 and NIfTI-2 files; its header includes <znzlib.h>, so
// targets importing this module add -I/usr/include/nifti.
#include <nifti2_io.h>

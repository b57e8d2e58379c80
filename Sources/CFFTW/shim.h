// FFTW's single-precision API, for k-space augmentations (ghosting, spikes, motion).
#include <fftw3.h>

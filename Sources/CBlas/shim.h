// The one header through which Swift sees the BLAS (Debian's libblas-dev, the reference
// implementation, or any optimised BLAS installed as its alternative, such as OpenBLAS).
// Fortran ABI: arguments by pointer, column-major arrays. Only the routines blomodel uses
// are declared.
#ifndef BLOMODEL_CBLAS_SHIM_H
#define BLOMODEL_CBLAS_SHIM_H

/// y := alpha * op(A) * x + beta * y for a general m x n matrix A (op = 'N' or 'T').
void dgemv_(const char *trans, const int *m, const int *n, const double *alpha, const double *a,
            const int *lda, const double *x, const int *incx, const double *beta, double *y,
            const int *incy);

/// y := alpha * A * x + beta * y for a symmetric n x n matrix A of which only the triangle
/// named by uplo ('U' or 'L') is read.
void dsymv_(const char *uplo, const int *n, const double *alpha, const double *a, const int *lda,
            const double *x, const int *incx, const double *beta, double *y, const int *incy);

/// C := alpha * op(A) * op(B) + beta * C for general matrices (op = 'N' or 'T').
void dgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k,
            const double *alpha, const double *a, const int *lda, const double *b, const int *ldb,
            const double *beta, double *c, const int *ldc);

#endif

// The one header through which Swift sees LAPACK (Debian's liblapack-dev, Fortran ABI:
// arguments by pointer, column-major arrays). Only the routines blomodel uses are declared.
#ifndef BLOMODEL_CLAPACK_SHIM_H
#define BLOMODEL_CLAPACK_SHIM_H

/// Eigenvalues (ascending) and, with jobz = 'V', orthonormal eigenvectors of a real symmetric matrix.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info);

/// LU factorisation with partial pivoting of a general n x n matrix (in place; pivots in ipiv).
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);

/// Solves A X = B with the factorisation from dgetrf_ (B overwritten by X).
void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda,
             const int *ipiv, double *b, const int *ldb, int *info);

void dpbtrf_(const char *uplo, const int *n, const int *kd, double *ab, const int *ldab, int *info);

#endif
